/**
 * Plan stage: runs when every sync of a cycle is done (it is their parent). Recomputes account
 * unification, turns the accounts and owners the syncs touched into score batches and an
 * attainment job, and hangs them under the cycle's evaluate job.
 */
import type { Job } from 'bullmq';
import { unifyAccounts } from '../domain/unify.js';
import type { Account, CrmSource } from '../domain/model.js';
import type { AppContext } from './context.js';
import { jobId, parsePayload, PlanPayload } from './queues.js';
import type { SyncOutcome } from './syncJob.js';

export const SCORE_BATCH = 500;

export interface PlanOutcome {
  toScore: string[];
  attainment: boolean;
  syncs: number;
  failedSyncs: number;
}

/** Recomputes unification over every account and stores it; returns member id → unified id. */
export async function refreshUnification(ctx: AppContext): Promise<Map<string, string>> {
  const accounts: Account[] = [];
  for await (const page of ctx.store.records.scan('account', 2000)) accounts.push(...page);
  const unified = unifyAccounts(accounts);
  await ctx.store.unified.replace(new Map(unified.map((u) => [u.id, u.members.map((m) => m.id)])));
  const index = new Map<string, string>();
  for (const u of unified) for (const m of u.members) index.set(m.id, u.id);
  return index;
}

/** CRMs whose every stream has completed at least once (their first load is done). */
export const loadedSourcesKey = (ctx: AppContext): string => `${ctx.store.keys.prefix}:loaded-sources`;

export async function planScoring(
  ctx: AppContext,
  outcomes: readonly SyncOutcome[],
  full: boolean,
  options: { keepPending?: boolean; incompleteSources?: readonly string[] } = {},
): Promise<{ toScore: string[]; attainment: boolean; deferred: number; rescoredAfterPartial: boolean }> {
  const index = await refreshUnification(ctx);
  // Accounts a dry run read but did not score, or whose CRM's sync did not finish, stay pending
  // until a cycle with complete data scores them.
  const pendingKey = `${ctx.store.keys.prefix}:pending-score`;
  const partialKey = `${ctx.store.keys.prefix}:scored-on-partial-portfolio`;
  const pending = await ctx.redis.smembers(pendingKey);
  // A CRM whose sync stopped (budget reserve) or failed has partial data: scoring its accounts now
  // would write scores (and trends, and cross-sell "acceptances") computed from half a picture.
  const incomplete = new Set([...(options.incompleteSources ?? []), ...outcomes.filter((o) => !o.complete).map((o) => o.source)]);
  // Before a CRM's first load is complete nobody can be scored: which accounts are one company
  // across CRMs (unification), and the portfolio the models learn from, are not known yet.
  const loaded = new Set(await ctx.redis.smembers(loadedSourcesKey(ctx)));
  const neverLoaded = [...incomplete].some((s) => !loaded.has(s));
  // The other CRMs' accounts are scored meanwhile, but against portfolio-wide models (cross-sell
  // base rates, peers) that lacked the stopped CRM's part: once every CRM is complete again, every
  // account is rescored, as after a full sync.
  const partialBefore = !options.keepPending && incomplete.size === 0 && (await ctx.redis.exists(partialKey)) === 1;
  const members = full || partialBefore ? [...index.keys()] : [...new Set([...outcomes.flatMap((o) => o.accountIds), ...pending])];
  const groups = new Map<string, string[]>();
  for (const [m, u] of index) (groups.get(u) ?? groups.set(u, []).get(u))?.push(m);
  const candidates = [...new Set(members.map((m) => index.get(m)).filter((u): u is string => !!u))].sort();
  const blocked = (u: string) => neverLoaded || (groups.get(u) ?? [u]).some((m) => incomplete.has(m.split(':')[0] as string));
  const toScore = candidates.filter((u) => !blocked(u));
  const deferredMembers = candidates.filter(blocked).flatMap((u) => groups.get(u) ?? [u]);
  // Pacing moves with the calendar even when no deal changed: recompute at least once a day.
  const last = await ctx.redis.get(`${ctx.store.keys.prefix}:attainment:computedOn`);
  const attainmentStale = last !== ctx.now().toISOString().slice(0, 10);
  const dealsOrOwnersChanged = outcomes.some((o) => o.ownerIds.length > 0 || (['deals', 'opportunities', 'Opportunity', 'goal_targets', 'quotas', 'owners', 'users'].includes(o.stream) && o.changed + o.deleted > 0));
  if (options.keepPending) {
    const touched = outcomes.flatMap((o) => o.accountIds);
    if (touched.length) await ctx.redis.sadd(pendingKey, ...touched);
  } else {
    if (pending.length) await ctx.redis.srem(pendingKey, ...pending);
    if (deferredMembers.length) await ctx.redis.sadd(pendingKey, ...deferredMembers);
    if (incomplete.size > 0 && toScore.length > 0) await ctx.redis.set(partialKey, ctx.now().toISOString());
    else if (partialBefore) await ctx.redis.del(partialKey);
  }
  const attainmentBlocked = incomplete.size > 0;
  return { toScore, attainment: !attainmentBlocked && (full || dealsOrOwnersChanged || attainmentStale), deferred: deferredMembers.length, rescoredAfterPartial: partialBefore };
}

export async function processPlan(ctx: AppContext, job: Job): Promise<PlanOutcome> {
  const payload = parsePayload(PlanPayload, job);
  const values = Object.values(await job.getChildrenValues<SyncOutcome>());
  const failures = await job.getIgnoredChildrenFailures().catch(() => ({}));
  // A failed sync child's key ends with its job id, sync.<cycle>.<source>.<stream>.
  const failedSources = Object.keys(failures).map((k) => /\.(hubspot|salesforce)\.[^.]+$/.exec(k)?.[1]).filter((s): s is string => !!s);
  const { toScore, attainment, deferred, rescoredAfterPartial } = await planScoring(ctx, values, payload.full, { incompleteSources: failedSources });
  // A CRM whose every stream of this cycle completed is within its budget again, and loaded once
  // all of its streams have completed.
  for (const source of new Set(values.map((v) => v.source))) {
    const ofSource = values.filter((v) => v.source === source);
    if (failedSources.includes(source) || !ofSource.every((v) => v.complete)) continue;
    await ctx.store.health.clear(source, 'budget');
    const streams = ctx.connectors.get(source as CrmSource)?.streams ?? [];
    if (streams.length > 0 && streams.every((s) => ofSource.some((v) => v.stream === s))) await ctx.redis.sadd(loadedSourcesKey(ctx), source);
  }
  const children = [];
  for (let i = 0; i < toScore.length; i += SCORE_BATCH) {
    const batch = toScore.slice(i, i + SCORE_BATCH);
    children.push({ name: 'score', queueName: 'score', data: { cycleId: payload.cycleId, accountIds: batch, dryRun: payload.dryRun }, opts: { jobId: jobId('score', payload.cycleId, String(i / SCORE_BATCH)), failParentOnFailure: false, ignoreDependencyOnFailure: true } });
  }
  // Attainment first: it is one long job, so it runs beside the score batches instead of after them.
  if (attainment) children.unshift({ name: 'attainment', queueName: 'score', data: { cycleId: payload.cycleId, dryRun: payload.dryRun }, opts: { jobId: jobId('attainment', payload.cycleId), ignoreDependencyOnFailure: true } });
  await ctx.queues.flows.add({
    name: 'evaluate',
    queueName: 'evaluate',
    data: { cycleId: payload.cycleId, dryRun: payload.dryRun, refreshTexts: rescoredAfterPartial },
    opts: { jobId: jobId('evaluate', payload.cycleId) },
    children,
  });
  ctx.logger.info({ cycleId: payload.cycleId, toScore: toScore.length, deferred, attainment, syncs: values.length, failedSyncs: Object.keys(failures).length }, 'cycle planned');
  return { toScore, attainment, syncs: values.length, failedSyncs: Object.keys(failures).length };
}
