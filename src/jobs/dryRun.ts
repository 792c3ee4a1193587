/**
 * A dry run of one cycle, in this process: read the CRMs (the local snapshot is a mirror of them,
 * so it is updated), then compute scores, attainment, alerts and the write-back plan without
 * storing any insight, alert or ledger entry and without writing to any CRM or sending any alert.
 * It answers "if this ran now, these fields would change, these tasks would be created and these
 * alerts would go out".
 */
import type { CrmSource } from '../domain/model.js';
import type { Alert } from '../domain/insights.js';
import type { PlannedUpdate, SkippedEdit } from '../domain/writeback.js';
import type { TaskRequest } from '../connectors/types.js';
import type { AppContext } from './context.js';
import { newCycleId } from './cycle.js';
import { runSync, type SyncOutcome } from './syncJob.js';
import { planScoring } from './planJob.js';
import { scoreAccounts } from './scoreJob.js';
import { computeAllAttainment } from './attainmentJob.js';
import { evaluateAlerts, writebackPayloads } from './evaluateJob.js';
import { planForSource, taskRequests } from './writebackJob.js';

export interface DryRunReport {
  cycleId: string;
  syncs: Pick<SyncOutcome, 'source' | 'stream' | 'read' | 'changed' | 'deleted' | 'quarantined' | 'complete' | 'stoppedReason' | 'calls'>[];
  scored: number;
  bands: Record<string, number>;
  writes: { source: CrmSource; updates: PlannedUpdate[]; skippedHumanEdits: SkippedEdit[]; tasks: TaskRequest[] }[];
  alerts: Pick<Alert, 'key' | 'type' | 'severity' | 'state' | 'title' | 'version'>[];
  deliveries: { alertKey: string; route: string }[];
}

export async function runDryRun(ctx: AppContext, options: { full?: boolean; sources?: CrmSource[]; cycleId?: string } = {}): Promise<DryRunReport> {
  const cycleId = options.cycleId ?? `dry-${newCycleId(ctx.now())}`;
  const sources = options.sources ?? [...ctx.connectors.keys()];
  const syncs: SyncOutcome[] = [];
  for (const source of sources) {
    const connector = ctx.connectors.get(source);
    if (!connector) throw new Error(`dry run: ${source} is not enabled`);
    for (const stream of connector.streams) syncs.push(await runSync(ctx, { cycleId, source, stream, full: options.full ?? false, dryRun: true }));
  }
  const { toScore } = await planScoring(ctx, syncs, options.full ?? false, { keepPending: true });
  const scored = await scoreAccounts(ctx, cycleId, toScore, { persist: false });
  const attainment = await computeAllAttainment(ctx, { persist: false });
  const risks = new Map(scored.risks.map((r) => [r.accountId, r]));
  const evaluated = await evaluateAlerts(ctx, scored.accountIds, { persist: false, attainment: attainment.rows, risks, crossSell: scored.crossSell });
  const groups = await ctx.store.unified.membersOf(scored.accountIds);
  const members = [...new Set([...groups.values()].flat())];
  const writes: DryRunReport['writes'] = [];
  for (const wb of writebackPayloads(cycleId, sources, members, evaluated.tasks, true)) {
    const { plan } = await planForSource(ctx, wb.source, wb.accountIds, { risks, crossSell: scored.crossSell });
    writes.push({ source: wb.source, updates: plan.updates, skippedHumanEdits: plan.skippedHumanEdits, tasks: await taskRequests(ctx, wb.source, wb.tasks) });
  }
  const bands: Record<string, number> = {};
  for (const r of scored.risks) bands[r.band] = (bands[r.band] ?? 0) + 1;
  return {
    cycleId,
    syncs: syncs.map(({ source, stream, read, changed, deleted, quarantined, complete, stoppedReason, calls }) => ({ source, stream, read, changed, deleted, quarantined, complete, stoppedReason, calls })),
    scored: scored.risks.length,
    bands,
    writes,
    alerts: evaluated.changed.map(({ key, type, severity, state, title, version }) => ({ key, type, severity, state, title, version })),
    deliveries: evaluated.deliveries.map(({ alertKey, route }) => ({ alertKey, route })),
  };
}
