/**
 * Write-back stage, one job per CRM: plans the diff of AccountPulse's fields against the ledger
 * (domain/writeback.ts) and sends it, with the owner tasks the evaluate stage asked for, through
 * one `connector.writeBack` call (the connector packs both into its largest batches: Salesforce
 * shares composite calls between them). It records every per-record result (successes in the
 * ledger, failures retried on later runs up to writeBack.maxAttempts, then dead-lettered) and
 * every created task, so each task is created at most once (the ledger remembers dedupe keys).
 */
import type { Job } from 'bullmq';
import { desiredFields, planWriteBack, writeBackFields, type FieldValue, type WriteBackField, type WriteBackPlan, type WriteTarget } from '../domain/writeback.js';
import type { CrmSource } from '../domain/model.js';
import type { FieldUpdate, TaskRequest } from '../connectors/types.js';
import type { AppContext } from './context.js';
import { parsePayload, WritebackPayload } from './queues.js';
import type { InsightOverrides } from './evaluateJob.js';

export interface WritebackOutcome {
  source: CrmSource;
  plan: WriteBackPlan;
  tasks: TaskRequest[];
  written: number;
  failed: { externalId: string; error: string; permanent: boolean }[];
  tasksCreated: number;
  deadLettered: string[];
}

/** Our write-back fields as the last sync saw them in the CRM (connectors map them to `ap.<field>`). */
function currentValues(fields: Record<string, FieldValue>): Partial<Record<WriteBackField, FieldValue>> | undefined {
  const out: Partial<Record<WriteBackField, FieldValue>> = {};
  let any = false;
  for (const f of writeBackFields) {
    const v = fields[`ap.${f}`];
    if (v !== undefined) {
      out[f] = v;
      any = true;
    }
  }
  return any ? out : undefined;
}

export async function planForSource(ctx: AppContext, source: CrmSource, memberIds: readonly string[], overrides: InsightOverrides = {}, options: { refreshTexts?: boolean } = {}): Promise<{ plan: WriteBackPlan; targets: WriteTarget[] }> {
  const failed = await ctx.store.ledger.failed(source);
  // Members whose earlier writes failed are retried even when nothing about them changed.
  const retryIds = [...failed.keys()].map((k) => `${source}:${k.split('|')[0]}`);
  const ids = [...new Set([...memberIds, ...retryIds])];
  const members = await ctx.store.records.getMany('account', ids);
  const unifiedOf = await ctx.store.unified.unifiedOf(members.map((m) => m.id));
  const unifiedIds = [...new Set([...unifiedOf.values()])];
  const [storedRisks, storedCrossSell] = await Promise.all([ctx.store.insights.churn(unifiedIds), ctx.store.insights.crossSell(unifiedIds)]);
  const risks = new Map([...storedRisks, ...(overrides.risks ?? [])]);
  const crossSell = new Map([...storedCrossSell, ...(overrides.crossSell ?? [])]);
  const targets: WriteTarget[] = [];
  for (const m of members) {
    if (m.source !== source) continue;
    const u = unifiedOf.get(m.id) ?? m.id;
    const risk = risks.get(u) ?? null;
    if (!risk) continue;
    targets.push({ source, externalId: m.externalId, accountId: m.id, desired: desiredFields(risk, crossSell.get(u) ?? []), current: currentValues(m.fields) });
  }
  const pairs = targets.flatMap((t) => writeBackFields.map((f) => ({ externalId: t.externalId, field: f })));
  const written = await ctx.store.ledger.get(source, pairs);
  const plan = planWriteBack(targets, { written, failed }, { scoreTolerance: ctx.loaded.config.writeBack.scoreTolerance, overwriteHumanEdits: ctx.loaded.config.writeBack.overwriteHumanEdits, refreshTexts: options.refreshTexts ?? false });
  return { plan, targets };
}

export async function taskRequests(ctx: AppContext, source: CrmSource, tasks: WritebackPayload['tasks']): Promise<TaskRequest[]> {
  if (tasks.length === 0) return [];
  const done = await ctx.store.ledger.taskIds(source, tasks.map((t) => t.dedupeKey));
  const accounts = new Map((await ctx.store.records.getMany('account', tasks.map((t) => t.accountId))).map((a) => [a.id, a]));
  const owners = new Map((await ctx.store.records.getMany('owner', [...accounts.values()].map((a) => a.ownerId).filter((o): o is string => !!o))).map((o) => [o.id, o]));
  const due = new Date(ctx.now().getTime() + 2 * 86_400_000).toISOString().slice(0, 10);
  const out: TaskRequest[] = [];
  for (const t of tasks) {
    if (done.has(t.dedupeKey)) continue;
    const account = accounts.get(t.accountId);
    if (!account) continue;
    const owner = account.ownerId ? owners.get(account.ownerId) : undefined;
    out.push({ dedupeKey: t.dedupeKey, accountExternalId: account.externalId, ownerExternalId: owner?.externalId ?? null, subject: t.subject, body: t.body, dueDate: due, priority: t.priority });
  }
  return out;
}

export async function runWriteback(ctx: AppContext, payload: WritebackPayload, runId: string | null): Promise<WritebackOutcome> {
  const { source } = payload;
  const connector = ctx.connectors.get(source);
  if (!connector) throw new Error(`write-back to ${source}: ${source} is not enabled`);
  const { plan } = await planForSource(ctx, source, payload.accountIds, {}, { refreshTexts: payload.refreshTexts });
  const tasks = await taskRequests(ctx, source, payload.tasks);
  const outcome: WritebackOutcome = { source, plan, tasks, written: 0, failed: [], tasksCreated: 0, deadLettered: [] };
  if (payload.dryRun || !ctx.loaded.config.writeBack.enabled) return outcome;

  const at = ctx.now().toISOString();
  const run = runId ?? 'adhoc';
  if (plan.updates.length === 0 && tasks.length === 0) return outcome;
  // One call for both: a CRM that can send field updates and task creates together does.
  const updates: FieldUpdate[] = plan.updates.map((u) => ({ externalId: u.externalId, fields: u.fields }));
  const results = await connector.writeBack(updates, tasks);
  if (plan.updates.length) {
    const byId = new Map(results.fields.map((r) => [r.externalId, r]));
    const ok: { externalId: string; field: string; value: FieldValue }[] = [];
    const transient: { externalId: string; field: string; value: FieldValue; error: string }[] = [];
    const permanent: typeof transient = [];
    for (const u of plan.updates) {
      const r = byId.get(u.externalId) ?? { externalId: u.externalId, ok: false, error: 'no result returned for this record', permanent: false };
      for (const [field, value] of Object.entries(u.fields)) {
        if (r.ok) ok.push({ externalId: u.externalId, field, value: value as FieldValue });
        else (r.permanent ? permanent : transient).push({ externalId: u.externalId, field, value: value as FieldValue, error: r.error ?? 'unknown error' });
      }
      if (!r.ok) outcome.failed.push({ externalId: u.externalId, error: r.error ?? 'unknown error', permanent: !!r.permanent });
    }
    await ctx.store.ledger.recordWritten(source, ok, run, at);
    outcome.written = ok.length;
    outcome.deadLettered.push(...(await ctx.store.ledger.recordFailed(source, transient, run, at, ctx.loaded.config.writeBack.maxAttempts)));
    outcome.deadLettered.push(...(await ctx.store.ledger.recordFailed(source, permanent, run, at, 1)));
    ctx.metrics.writeBack.inc({ source, outcome: 'written' }, ok.length);
    ctx.metrics.writeBack.inc({ source, outcome: 'failed' }, transient.length + permanent.length);
  }
  if (tasks.length) {
    const created = results.tasks.filter((r) => r.ok && r.taskId).map((r) => ({ dedupeKey: r.dedupeKey, taskId: r.taskId as string }));
    await ctx.store.ledger.recordTasks(source, created);
    outcome.tasksCreated = results.tasks.filter((r) => r.ok && !r.existed).length;
    for (const r of results.tasks.filter((x) => !x.ok)) outcome.failed.push({ externalId: r.dedupeKey, error: `task: ${r.error ?? 'unknown error'}`, permanent: false });
  }
  return outcome;
}

export async function processWriteback(ctx: AppContext, job: Job): Promise<{ written: number; failed: number; tasks: number }> {
  const payload = parsePayload(WritebackPayload, job);
  const run = await ctx.store.runs.start('writeback', payload.source, payload.cycleId, ctx.now());
  try {
    const out = await runWriteback(ctx, payload, run.id);
    await ctx.store.runs.count(run.id, { planned: out.plan.updates.length, written: out.written, failed: out.failed.length, skippedHumanEdits: out.plan.skippedHumanEdits.length, unchanged: out.plan.unchangedFields, tasks: out.tasksCreated, deadLettered: out.deadLettered.length });
    const at = ctx.now().toISOString();
    await ctx.store.runs.add(run.id, [
      ...out.plan.updates.slice(0, 1000).map((u) => ({ at, type: 'written', message: `${Object.keys(u.fields).join(', ')}`, records: [u.accountId], data: u.fields as Record<string, unknown> })),
      ...out.plan.skippedHumanEdits.map((s) => ({ at, type: 'skipped', message: `${s.field}: a person changed it to ${JSON.stringify(s.theirs)} since AccountPulse wrote it; left alone (writeBack.overwriteHumanEdits is off)`, records: [s.accountId] })),
      ...out.failed.map((f) => ({ at, type: 'error', message: `${f.externalId}: ${f.error}${f.permanent ? ' (permanent, not retried)' : ' (retried on the next run)'}` })),
    ]);
    await ctx.store.runs.finish(run.id, out.failed.length ? 'partial' : 'succeeded', out.failed.length ? `${out.failed.length} record(s) failed` : null, ctx.now());
    return { written: out.written, failed: out.failed.length, tasks: out.tasksCreated };
  } catch (err) {
    await ctx.store.runs.finish(run.id, 'failed', (err as Error).message, ctx.now());
    throw err;
  }
}
