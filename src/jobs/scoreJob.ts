/**
 * Score stage: churn risk (rule score, or the learned model where `churn.model` and its stored
 * training verdict allow, see churnModelJob.ts; previous value and trend from the store) and cross-sell
 * opportunities for a batch of unified accounts, stored with history. Returns the ids scored so the
 * cycle's evaluate job (its parent) knows which accounts to evaluate alerts for.
 */
import type { Job } from 'bullmq';
import { scoreChurn } from '../domain/churn.js';
import { scoreChurnLearned } from '../domain/learn/churnModel.js';
import { recommendCrossSell } from '../domain/crosssell.js';
import type { ChurnRisk, CrossSellOpportunity } from '../domain/insights.js';
import type { AppContext } from './context.js';
import { loadScoringUnits } from './accountData.js';
import { cycleModel } from './crossSellModel.js';
import { productionChurnModel } from './churnModelJob.js';
import { churnFeaturesAsOf } from './evaluation.js';
import { parsePayload, ScorePayload } from './queues.js';
import { analyticsSettings } from './settings.js';

export interface ScoreOutcome {
  accountIds: string[];
  risks: ChurnRisk[];
  crossSell: Map<string, CrossSellOpportunity[]>;
}

export async function scoreAccounts(ctx: AppContext, cycleId: string, unifiedIds: readonly string[], options: { persist: boolean }): Promise<ScoreOutcome> {
  const settings = analyticsSettings(ctx.loaded.config);
  const now = ctx.now();
  const asOf = now.toISOString();
  const units = await loadScoringUnits(ctx.store, unifiedIds);
  const previous = await ctx.store.insights.churn(units.map((u) => u.id));
  const { model, owned, feedback } = await cycleModel(ctx.store, settings, cycleId, asOf.slice(0, 10), options.persist);
  const churnModel = (await productionChurnModel(ctx, settings.churn)).model;

  const risks: ChurnRisk[] = [];
  const crossSell = new Map<string, CrossSellOpportunity[]>();
  for (const unit of units) {
    const before = previous.get(unit.id) ?? null;
    let risk = churnModel
      ? scoreChurnLearned(churnModel, unit.id, churnFeaturesAsOf(unit.input, asOf), settings.churn, before, asOf)
      : scoreChurn(unit.input, settings.churn, before, asOf);
    // A rescore that changes nothing keeps the previous reference, so the trend means "since the
    // score last moved" rather than "since the last run" (which would flip it to flat every cycle).
    if (before && Math.abs(before.score - risk.score) < 1e-9 && before.band === risk.band) {
      risk = { ...risk, previous: before.previous, previousBand: before.previousBand, trend: before.trend };
    }
    risks.push(risk);
    crossSell.set(unit.id, recommendCrossSell(model, unit.id, owned.get(unit.id) ?? [], unit.input.account, feedback, settings.crossSell));
  }
  if (options.persist) {
    await ctx.store.insights.putChurn(risks);
    await ctx.store.insights.putCrossSell(crossSell);
  }
  return { accountIds: units.map((u) => u.id), risks, crossSell };
}

export async function processScore(ctx: AppContext, job: Job): Promise<{ accountIds: string[] }> {
  const payload = parsePayload(ScorePayload, job);
  const run = await ctx.store.runs.start('score', `batch of ${payload.accountIds.length}`, payload.cycleId, ctx.now());
  const out = await scoreAccounts(ctx, payload.cycleId, payload.accountIds, { persist: !payload.dryRun });
  const bands = out.risks.reduce<Record<string, number>>((m, r) => ({ ...m, [r.band]: (m[r.band] ?? 0) + 1 }), {});
  const learned = out.risks.filter((r) => r.model === 'learned').length;
  await ctx.store.runs.count(run.id, { scored: out.risks.length, ...(learned ? { learned } : {}), ...Object.fromEntries(Object.entries(bands).map(([b, n]) => [`band_${b}`, n])) });
  await ctx.store.runs.finish(run.id, 'succeeded', null, ctx.now());
  return { accountIds: out.accountIds };
}
