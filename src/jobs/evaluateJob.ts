/**
 * Evaluate stage: runs when a cycle's scoring is done (it is the parent of the score batches).
 * Turns the scored accounts, the current attainment and the connections' health into alert
 * conditions, reconciles them with the stored alerts (open / update / resolve by dedupe key),
 * stores the changes, enqueues one delivery per (changed alert, matching route), and enqueues the
 * write-back of each CRM with the accounts to write and the tasks to create.
 */
import type { Job } from 'bullmq';
import { accountConditions, attainmentConditions, connectionConditions, reconcileAlerts, type AlertCondition } from '../domain/alerts.js';
import type { Alert, AlertType, Attainment, ChurnRisk, CrossSellOpportunity } from '../domain/insights.js';
import { parseRecordId, type CrmSource, type Owner } from '../domain/model.js';
import { periodOf, elapsedDays, periodLengthDays } from '../domain/periods.js';
import { routesFor, RouteUrlMissing } from '../delivery/routing.js';
import { deliveryId } from '../delivery/deliver.js';
import type { AppContext } from './context.js';
import { EvaluatePayload, jobId, parsePayload, type WritebackPayload } from './queues.js';
import { analyticsSettings } from './settings.js';

const accountTypes: AlertType[] = ['churn_band_rose', 'churn_score_drop', 'renewal_at_risk', 'cross_sell'];
const attainmentTypes: AlertType[] = ['pacing_behind', 'forecast_gap', 'commit_slipped'];

export interface EvaluateOutcome {
  changed: Alert[];
  unchanged: number;
  tasks: WritebackPayload['tasks'];
  accountIds: string[];
  deliveries: { alertKey: string; version: number; route: string }[];
}

function teamOf(owner: Owner | undefined): string | null {
  return owner ? (owner.teamId ?? owner.managerId ?? null) : null;
}

export interface InsightOverrides {
  /** insights computed but not stored (dry run); the store's are used for ids not in these */
  risks?: ReadonlyMap<string, ChurnRisk>;
  crossSell?: ReadonlyMap<string, CrossSellOpportunity[]>;
}

export async function evaluateAlerts(ctx: AppContext, accountIds: readonly string[], options: { persist: boolean; attainment?: Attainment[] } & InsightOverrides): Promise<EvaluateOutcome> {
  const settings = analyticsSettings(ctx.loaded.config);
  const rules = ctx.loaded.config.alerts.rules;
  const now = ctx.now().toISOString();
  const asOfDate = now.slice(0, 10);

  // Accounts: current risk, history, cross-sell, owner's team.
  const groups = await ctx.store.unified.membersOf(accountIds);
  const first = [...groups.values()].map((m) => m[0] as string);
  const [accounts, storedRisks, storedCrossSell] = await Promise.all([ctx.store.records.getMany('account', first), ctx.store.insights.churn(accountIds), ctx.store.insights.crossSell(accountIds)]);
  const risks = new Map([...storedRisks, ...(options.risks ?? [])]);
  const crossSell = new Map([...storedCrossSell, ...(options.crossSell ?? [])]);
  const accountByFirst = new Map(accounts.map((a) => [a.id, a]));
  const ownerIds = [...new Set(accounts.map((a) => a.ownerId).filter((o): o is string => !!o))];
  const owners = new Map((await ctx.store.records.getMany('owner', ownerIds)).map((o) => [o.id, o]));
  const conditions: AlertCondition[] = [];
  const subjects = new Set<string>();
  const histories = await ctx.store.insights.churnHistories(accountIds, 60);
  for (const id of accountIds) {
    const member = accountByFirst.get((groups.get(id) ?? [id])[0] as string);
    if (!member) continue;
    subjects.add(`account:${id}`);
    const history = histories.get(id) ?? [];
    conditions.push(
      ...accountConditions(
        { account: { ...member, id }, teamId: teamOf(member.ownerId ? owners.get(member.ownerId) : undefined), risk: risks.get(id) ?? null, history, crossSell: crossSell.get(id) ?? [] },
        rules,
        now,
      ),
    );
  }

  // Attainment: current quarter and month as stored (or as just computed in a dry run).
  const calendar = { fiscalYearStartMonth: settings.quota.fiscalYearStartMonth };
  const periods = [periodOf(asOfDate, 'quarter', calendar), periodOf(asOfDate, 'month', calendar)];
  const rows = options.attainment ?? (await Promise.all(periods.map((p) => ctx.store.insights.attainment(p.id)))).flat();
  const elapsed = Object.fromEntries(periods.map((p) => [p.id, elapsedDays(p, asOfDate) / periodLengthDays(p)]));
  const rowOwners = new Map((await ctx.store.records.getMany('owner', rows.filter((r) => r.scope === 'owner').map((r) => r.subjectId))).map((o) => [o.id, o]));
  const ownerTeam = Object.fromEntries([...rowOwners].map(([id, o]) => [id, teamOf(o)]));
  conditions.push(...attainmentConditions({ rows, elapsed, ownerTeam }, rules));
  for (const r of rows) subjects.add(`${r.scope === 'owner' ? 'owner' : 'team'}:${r.subjectId}`);

  // Connections.
  const health = await ctx.store.health.all();
  conditions.push(...connectionConditions(health, rules));
  for (const source of ctx.connectors.keys()) subjects.add(`connection:${source}`);

  // Reconcile with what is known. Open commit-slipped alerts belong to deals: evaluate them whenever attainment rows are.
  const existing = new Map((await ctx.store.alerts.all()).map((a) => [a.key, a]));
  if (rows.length > 0) for (const a of existing.values()) if (a.type === 'commit_slipped' && a.state === 'open') subjects.add(`deal:${a.subject.id}`);
  const types = new Set<AlertType>([...accountTypes, 'sync_health', ...(rows.length > 0 ? attainmentTypes : [])]);
  const { changed, unchanged } = reconcileAlerts(conditions, existing, { subjects, types }, now);

  // Tasks: one per newly opened red-churn alert, for the account's owner in each CRM holding it.
  const tasks: WritebackPayload['tasks'] = [];
  if (ctx.loaded.config.writeBack.tasks) {
    for (const a of changed) {
      if (a.type !== 'churn_band_rose' || a.state !== 'open' || a.openedAt !== a.updatedAt || a.reason !== 'band:red') continue;
      for (const member of groups.get(a.subject.id) ?? [a.subject.id]) {
        tasks.push({
          dedupeKey: `${a.key}|${a.openedAt}|${member}`,
          accountId: member,
          subject: `Call ${a.subject.name}: churn risk turned red`,
          body: [a.title, ...a.details.map((d) => `- ${d}`), '', 'Created by AccountPulse.'].join('\n'),
          priority: 'high',
        });
      }
    }
  }

  const deliveries: EvaluateOutcome['deliveries'] = [];
  for (const a of changed) {
    try {
      for (const route of routesFor(a, ctx.loaded.config.alerts.routes)) deliveries.push({ alertKey: a.key, version: a.version, route: route.name });
    } catch (err) {
      if (!(err instanceof RouteUrlMissing)) throw err;
      ctx.logger.error({ alert: a.key }, err.message);
    }
  }

  if (options.persist) {
    await ctx.store.alerts.put(changed);
    for (const a of changed) ctx.metrics.alertsChanged.inc({ type: a.type, state: a.state });
  }
  return { changed, unchanged, tasks, accountIds: [...accountIds], deliveries };
}

/** Write-back jobs per CRM: the members of the scored accounts, their tasks, and pending retries. */
export function writebackPayloads(cycleId: string, sources: readonly CrmSource[], memberIds: readonly string[], tasks: WritebackPayload['tasks'], dryRun: boolean, refreshTexts = false): WritebackPayload[] {
  return sources.map((source) => ({
    cycleId,
    source,
    accountIds: memberIds.filter((m) => parseRecordId(m)?.source === source),
    tasks: tasks.filter((t) => parseRecordId(t.accountId)?.source === source),
    dryRun,
    refreshTexts,
  }));
}

export async function processEvaluate(ctx: AppContext, job: Job): Promise<{ changed: number; deliveries: number }> {
  const payload = parsePayload(EvaluatePayload, job);
  const scored = Object.values(await job.getChildrenValues<{ accountIds?: string[] }>()).flatMap((v) => v?.accountIds ?? []);
  const run = await ctx.store.runs.start('alert', 'evaluate', payload.cycleId, ctx.now());
  const out = await evaluateAlerts(ctx, scored, { persist: !payload.dryRun });
  await ctx.store.runs.count(run.id, { evaluated: scored.length, changed: out.changed.length, unchanged: out.unchanged, tasks: out.tasks.length, deliveries: out.deliveries.length });
  if (out.changed.length) {
    await ctx.store.runs.add(run.id, out.changed.slice(0, 500).map((a) => ({ at: ctx.now().toISOString(), type: 'alerted', message: `${a.state === 'resolved' ? 'resolved' : a.version === 1 ? 'opened' : 'updated'}: ${a.title}`, records: [a.subject.id], data: { key: a.key, version: a.version } })));
  }
  if (!payload.dryRun) {
    for (const d of out.deliveries) {
      const alert = out.changed.find((a) => a.key === d.alertKey) as Alert;
      await ctx.queues.queues.deliver.add('deliver', d, { jobId: jobId('deliver', deliveryId(d.route, alert)), attempts: ctx.loaded.config.alerts.deliveryMaxAttempts, backoff: { type: 'exponential', delay: 2000 } });
    }
    const groups = await ctx.store.unified.membersOf(scored);
    const members = [...new Set([...groups.values()].flat())];
    for (const wb of writebackPayloads(payload.cycleId, [...ctx.connectors.keys()], members, out.tasks, false, payload.refreshTexts)) {
      await ctx.queues.queues.writeback.add('writeback', wb, { jobId: jobId('writeback', payload.cycleId, wb.source) });
    }
  }
  await ctx.store.runs.finish(run.id, 'succeeded', null, ctx.now());
  return { changed: out.changed.length, deliveries: out.deliveries.length };
}
