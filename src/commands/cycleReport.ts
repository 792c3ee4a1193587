/** What a cycle did, from the run audit: one line per stage run, and totals. */
import type { AppContext } from '../jobs/context.js';
import type { Run } from '../store/runs.js';

export async function cycleRuns(ctx: AppContext, cycleId: string): Promise<Run[]> {
  return (await ctx.store.runs.list(0, 5000)).filter((r) => r.parentId === cycleId).reverse();
}

export function totals(runs: readonly Run[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const r of runs) for (const [k, v] of Object.entries(r.counts)) t[`${r.kind}.${k}`] = (t[`${r.kind}.${k}`] ?? 0) + v;
  return t;
}

export function formatRuns(runs: readonly Run[]): string {
  const lines = runs.map((r) => {
    const counts = Object.entries(r.counts).map(([k, v]) => `${k}=${v}`).join(' ');
    return `  ${r.kind.padEnd(9)} ${r.scope.padEnd(28)} ${r.status.padEnd(9)} ${counts}${r.message ? `  (${r.message})` : ''}`;
  });
  return lines.join('\n');
}
