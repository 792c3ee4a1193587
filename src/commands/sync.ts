/**
 * `accountpulse sync`: without --once, enqueue a cycle for the running workers; with --once, run
 * one whole cycle in this process (sync → score → write back → alerts) and print what it did;
 * with --dry-run, print the plan (writes, tasks, alerts) and change nothing in any CRM.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { CrmSource } from '../domain/model.js';
import { enqueueCycle, waitForIdle } from '../jobs/cycle.js';
import { runDryRun, type DryRunReport } from '../jobs/dryRun.js';
import { WorkerSet } from '../jobs/workers.js';
import type { AppContext } from '../jobs/context.js';
import { boot, ExitError, shutdown } from './runtime.js';
import { cycleRuns, formatRuns } from './cycleReport.js';

const Flags = z.object({ once: z.boolean(), 'dry-run': z.boolean(), full: z.boolean(), crm: z.array(CrmSource).optional(), json: z.boolean(), timeout: z.coerce.number().int().positive() });

export function formatDryRun(r: DryRunReport): string {
  const out = [`dry run ${r.cycleId}: nothing was written to any CRM and no alert was sent`, ''];
  out.push('read:');
  for (const s of r.syncs) out.push(`  ${s.source}/${s.stream}: ${s.read} read, ${s.changed} new or changed, ${s.deleted} deleted${s.quarantined ? `, ${s.quarantined} quarantined` : ''}${s.complete ? '' : ` (stopped: ${s.stoppedReason})`}`);
  out.push('', `scored ${r.scored} accounts: ${Object.entries(r.bands).map(([b, n]) => `${n} ${b}`).join(', ') || 'none'}`, '', 'would write:');
  for (const w of r.writes) {
    const fields = w.updates.reduce((n, u) => n + Object.keys(u.fields).length, 0);
    out.push(`  ${w.source}: ${w.updates.length} records, ${fields} fields; ${w.tasks.length} tasks${w.skippedHumanEdits.length ? `; ${w.skippedHumanEdits.length} fields left alone (edited by a person)` : ''}`);
    for (const u of w.updates.slice(0, 5)) out.push(`    ${u.accountId}: ${Object.entries(u.fields).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ').slice(0, 200)}`);
    for (const t of w.tasks.slice(0, 5)) out.push(`    task for ${t.accountExternalId}: ${t.subject}`);
  }
  out.push('', `would alert (${r.alerts.length}):`);
  for (const a of r.alerts.slice(0, 20)) out.push(`  [${a.severity}] ${a.state === 'resolved' ? 'resolve' : a.version === 1 ? 'open' : 'update'}: ${a.title}`);
  out.push(`deliveries: ${r.deliveries.length}`);
  return out.join('\n');
}

/**
 * Progress of a running cycle: records per stream, rate and ETA (when the CRM said how many there
 * are) on a terminal, redrawn in place; one structured log line per stream every 10 s otherwise.
 */
class SyncProgress {
  private readonly seen = new Map<string, { read: number; at: number; rate: number }>();
  private lastLog = 0;
  private lines = 0;

  constructor(
    private readonly ctx: AppContext,
    private readonly cycleId: string,
    private readonly tty: boolean,
  ) {}

  async tick(pending: number): Promise<void> {
    const active = await this.ctx.queues.queues.sync.getActive().catch(() => []);
    const now = Date.now();
    const rows: string[] = [];
    for (const job of active) {
      const p = job.progress as { read?: number; total?: number | null } | number;
      if (typeof p !== 'object' || !p) continue;
      const key = `${job.data.source}/${job.data.stream}`;
      const read = p.read ?? 0;
      const prev = this.seen.get(key);
      const rate = prev && now > prev.at ? 0.7 * prev.rate + (0.3 * (read - prev.read) * 1000) / (now - prev.at) : 0;
      this.seen.set(key, { read, at: now, rate });
      const eta = p.total && rate > 0 ? `, ETA ${Math.max(0, Math.round((p.total - read) / rate))} s` : '';
      rows.push(`${key.padEnd(24)} ${String(read).padStart(8)}${p.total ? ` / ${p.total}` : ''} records, ${rate.toFixed(0)}/s${eta}`);
    }
    if (this.tty) {
      if (this.lines) process.stderr.write(`\x1b[${this.lines}A\x1b[J`);
      const out = [`cycle ${this.cycleId}: ${pending} job(s) pending`, ...rows];
      process.stderr.write(`${out.join('\n')}\n`);
      this.lines = out.length;
    } else if (now - this.lastLog >= 10_000 && rows.length) {
      this.lastLog = now;
      this.ctx.logger.info({ cycleId: this.cycleId, pending, streams: rows }, 'cycle progress');
    }
  }

  done(): void {
    if (this.tty && this.lines) process.stderr.write(`\x1b[${this.lines}A\x1b[J`);
  }
}

export async function runSyncCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { once: { type: 'boolean', default: false }, 'dry-run': { type: 'boolean', default: false }, full: { type: 'boolean', default: false }, crm: { type: 'string', multiple: true }, json: { type: 'boolean', default: false }, timeout: { type: 'string', default: '1800' } } });
  const parsed = Flags.safeParse(values);
  if (!parsed.success) throw new ExitError(`sync: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message} (expected hubspot or salesforce)`).join('; ')}`, 2);
  const flags = parsed.data;
  const ctx = await boot();
  try {
    if (flags['dry-run']) {
      const report = await runDryRun(ctx, { full: flags.full, sources: flags.crm });
      process.stdout.write(`${flags.json ? JSON.stringify(report, null, 2) : formatDryRun(report)}\n`);
      return 0;
    }
    if (!flags.once) {
      const cycleId = await enqueueCycle(ctx, { full: flags.full, sources: flags.crm });
      process.stdout.write(`cycle ${cycleId} enqueued; the running workers will process it (see \`accountpulse runs\`)\n`);
      return 0;
    }
    const workers = new WorkerSet(ctx);
    await workers.waitUntilReady();
    const cycleId = await enqueueCycle(ctx, { full: flags.full, sources: flags.crm });
    const progress = new SyncProgress(ctx, cycleId, process.stderr.isTTY === true);
    const idle = await waitForIdle(ctx, { timeoutMs: flags.timeout * 1000, pollMs: 500, onTick: (pending) => void progress.tick(pending) });
    progress.done();
    await workers.close();
    const runs = await cycleRuns(ctx, cycleId);
    if (flags.json) process.stdout.write(`${JSON.stringify({ cycleId, complete: idle, runs }, null, 2)}\n`);
    else process.stdout.write(`cycle ${cycleId} ${idle ? 'finished' : 'did not finish in time'}\n${formatRuns(runs)}\n`);
    const failed = runs.filter((r) => r.status === 'failed');
    return idle && failed.length === 0 ? 0 : 1;
  } finally {
    await shutdown(ctx);
  }
}
