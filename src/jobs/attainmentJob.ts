/**
 * Attainment stage: quota attainment and forecast for every owner, team and the org, for the
 * current fiscal quarter and month. Reads all deals, their history, owners and quotas (the maths
 * needs the org's own history for seasonal pacing and learned stage probabilities).
 */
import type { Job } from 'bullmq';
import type { Attainment } from '../domain/insights.js';
import type { Deal, DealHistory, Owner, Quota } from '../domain/model.js';
import { elapsedDays, periodLengthDays, periodOf } from '../domain/periods.js';
import { computeAttainmentForPeriods } from '../domain/quota.js';
import { unifyOwners } from '../domain/unify.js';
import type { Store } from '../store/index.js';
import type { AppContext } from './context.js';
import { AttainmentPayload, parsePayload } from './queues.js';
import { analyticsSettings } from './settings.js';

async function all<K extends 'deal' | 'dealHistory' | 'owner' | 'quota'>(store: Store, kind: K) {
  const out = [];
  for await (const page of store.records.scan(kind, 2000)) out.push(...page);
  return out;
}

export interface AttainmentOutcome {
  rows: Attainment[];
  /** fraction of each period elapsed (for pacing alerts) */
  elapsed: Record<string, number>;
}

export async function computeAllAttainment(ctx: AppContext, options: { persist: boolean }): Promise<AttainmentOutcome> {
  const settings = analyticsSettings(ctx.loaded.config);
  const asOf = ctx.now().toISOString().slice(0, 10);
  const calendar = { fiscalYearStartMonth: settings.quota.fiscalYearStartMonth };
  const [deals, history, owners, quotas] = await Promise.all([
    all(ctx.store, 'deal') as Promise<Deal[]>,
    all(ctx.store, 'dealHistory') as Promise<DealHistory[]>,
    all(ctx.store, 'owner') as Promise<Owner[]>,
    all(ctx.store, 'quota') as Promise<Quota[]>,
  ]);
  // A rep in both CRMs (same email) is one rep: their deals and quotas count together.
  const people = unifyOwners(owners);
  const person = (id: string | null) => (id ? (people.canonical.get(id) ?? id) : id);
  const unifiedDeals = deals.map((d) => (d.ownerId && person(d.ownerId) !== d.ownerId ? { ...d, ownerId: person(d.ownerId) } : d));
  const unifiedQuotas = quotas.map((q) => (person(q.ownerId) !== q.ownerId ? { ...q, ownerId: person(q.ownerId) as string } : q));
  const periods = (['quarter', 'month'] as const).map((kind) => periodOf(asOf, kind, calendar));
  const elapsed: Record<string, number> = Object.fromEntries(periods.map((p) => [p.id, elapsedDays(p, asOf) / periodLengthDays(p)]));
  const rows: Attainment[] = computeAttainmentForPeriods({ deals: unifiedDeals, history, owners: people.owners, quotas: unifiedQuotas, asOf, config: settings.quota }, periods);
  if (options.persist) {
    await ctx.store.insights.putAttainment(rows);
    await ctx.redis.set(`${ctx.store.keys.prefix}:attainment:computedOn`, asOf);
  }
  return { rows, elapsed };
}

export async function processAttainment(ctx: AppContext, job: Job): Promise<{ periods: string[] }> {
  const payload = parsePayload(AttainmentPayload, job);
  const run = await ctx.store.runs.start('score', 'attainment', payload.cycleId, ctx.now());
  const out = await computeAllAttainment(ctx, { persist: !payload.dryRun });
  await ctx.store.runs.count(run.id, { rows: out.rows.length });
  await ctx.store.runs.finish(run.id, 'succeeded', null, ctx.now());
  return { periods: Object.keys(out.elapsed) };
}
