/**
 * The rule-based churn score (Model A, analytics.md 1.2): each configured signal gives a risk
 * 0..100 (churnSignals.ts); the score is their weighted mean, 0..100, banded green/amber/red, with
 * the largest contributions kept as drivers that name the records behind them.
 *
 * Missing data: under 'renormalize' (default) a signal without data drops out and the remaining
 * weights are re-normalised; under 'neutral' it counts at `neutralRisk`. Either way completeness
 * is the share of the configured weight whose signals had data. An account with data for no
 * signal at all scores `neutralRisk` with completeness 0 (its band says "unknown, look at it",
 * the completeness says why).
 *
 * Deterministic: same input, config, previous and asOf give the same ChurnRisk.
 */
import type { ChurnRisk, Driver, RiskBand } from './insights.js';
import { builtInSignals, type BuiltInSignal, type ChurnConfig } from './churnConfig.js';
import {
  activityRecency,
  activityTrend,
  competitorMentions,
  contactEngagement,
  fieldSignal,
  lostDeals,
  renewalProximity,
  supportLoad,
  usageTrend,
  type ChurnInput,
  type SignalContext,
  type SignalResult,
} from './churnSignals.js';

export type { ChurnInput } from './churnSignals.js';
export { resolveChurnConfig, ChurnConfigSchema, type ChurnConfig, type ChurnConfigInput } from './churnConfig.js';

const builtInScorers: Record<BuiltInSignal, (ctx: SignalContext) => SignalResult | null> = {
  activityRecency,
  activityTrend,
  contactEngagement,
  supportLoad,
  lostDeals,
  renewalProximity,
  usageTrend,
  competitorMentions,
};

/** Readable names of the built-in signals, for "no data for …" texts. */
export const signalNames: Record<BuiltInSignal, string> = {
  activityRecency: 'activity recency',
  activityTrend: 'activity trend',
  contactEngagement: 'contact engagement',
  supportLoad: 'support load',
  lostDeals: 'lost deals',
  renewalProximity: 'renewal proximity',
  usageTrend: 'usage trend',
  competitorMentions: 'competitor mentions',
};

/** One evaluated signal: its weight and result (null: no data). */
export interface SignalOutcome {
  signal: string;
  name: string;
  weight: number;
  result: SignalResult | null;
}

/** Evaluates every signal with a positive weight, built-ins first then field signals, in config order. */
export function evaluateSignals(input: ChurnInput, config: ChurnConfig, asOf: string): SignalOutcome[] {
  const asOfMs = Date.parse(asOf);
  if (!Number.isFinite(asOfMs)) throw new Error(`scoreChurn: asOf "${asOf}" is not an ISO date-time; pass e.g. 2026-11-28T00:00:00Z`);
  const ctx: SignalContext = { input, config, asOfMs, asOf: new Date(asOfMs).toISOString() };
  const out: SignalOutcome[] = [];
  for (const signal of builtInSignals) {
    const weight = config.weights[signal];
    if (weight > 0) out.push({ signal, name: signalNames[signal], weight, result: builtInScorers[signal](ctx) });
  }
  for (const fs of config.fieldSignals) {
    if (fs.weight > 0) out.push({ signal: `field:${fs.field}`, name: fs.label ?? fs.field, weight: fs.weight, result: fieldSignal(ctx, fs) });
  }
  return out;
}

export function bandOf(score: number, bands: ChurnConfig['bands']): RiskBand {
  return score >= bands.red ? 'red' : score >= bands.amber ? 'amber' : 'green';
}

/** Risk rising by at least the threshold is 'up'; falling by at least it, 'down'. */
export function trendOf(score: number, previous: number | null, threshold: number): ChurnRisk['trend'] {
  if (previous === null) return 'new';
  const delta = score - previous;
  if (threshold === 0) return delta > 0 ? 'up' : delta < 0 ? 'down' : 'flat';
  return delta >= threshold ? 'up' : delta <= -threshold ? 'down' : 'flat';
}

const round1 = (x: number) => Math.round(x * 10) / 10;

const byId = <T extends { id: string }>(list: readonly T[]): T[] => [...list].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

/** Records in id order, so texts and record lists never depend on the order the store returned them in. */
function inIdOrder(input: ChurnInput): ChurnInput {
  return { ...input, contacts: byId(input.contacts), tickets: byId(input.tickets), deals: byId(input.deals), usage: [...input.usage].sort((a, b) => a.date.localeCompare(b.date) || a.metric.localeCompare(b.metric)) };
}

/**
 * Scores one account as of `asOf` (ISO date-time). `previous` is the account's last stored score
 * (null the first time): it gives previous, previousBand and trend.
 */
export function scoreChurn(input: ChurnInput, config: ChurnConfig, previous: ChurnRisk | null, asOf: string): ChurnRisk {
  const outcomes = evaluateSignals(inIdOrder(input), config, asOf);
  const neutral = config.missingData.neutralRisk;
  const totalWeight = outcomes.reduce((s, o) => s + o.weight, 0);
  const availableWeight = outcomes.reduce((s, o) => s + (o.result ? o.weight : 0), 0);
  const useNeutral = config.missingData.policy === 'neutral';
  const denominator = useNeutral ? totalWeight : availableWeight;

  const drivers: Driver[] = [];
  let score = neutral;
  if (denominator > 0 && availableWeight > 0) {
    score = 0;
    for (const o of outcomes) {
      const risk = o.result ? o.result.risk : useNeutral ? neutral : null;
      if (risk === null) continue;
      const points = (o.weight * risk) / denominator;
      score += points;
      drivers.push({
        signal: o.signal,
        risk: round1(risk),
        points: round1(points),
        text: o.result ? o.result.text : `No data for ${o.name}; counted as neutral risk ${neutral}`,
        records: o.result ? o.result.records : [],
      });
    }
  } else if (totalWeight > 0) {
    drivers.push({ signal: 'noData', risk: neutral, points: neutral, text: `No data for any signal; scored neutral ${neutral}`, records: [] });
  }

  score = Math.min(100, Math.max(0, round1(score)));
  const band = bandOf(score, config.bands);
  const previousScore = previous ? previous.score : null;
  return {
    accountId: input.account.id,
    score,
    band,
    previous: previousScore,
    previousBand: previous ? previous.band : null,
    trend: trendOf(score, previousScore, config.trendThreshold),
    completeness: totalWeight > 0 ? round3(availableWeight / totalWeight) : 0,
    model: 'rules',
    probability: null,
    drivers: drivers
      .filter((d) => d.points > 0)
      .sort((a, b) => b.points - a.points || a.signal.localeCompare(b.signal))
      .slice(0, config.maxDrivers),
    scoredAt: new Date(Date.parse(asOf)).toISOString(),
    configVersion: config.configVersion,
  };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** "Risk 78 (red, was 41): no activity for 63 days (…); 2 urgent tickets open (…)" — one line for tasks and alerts. */
export function summarizeChurn(risk: ChurnRisk): string {
  const was = risk.previous === null ? '' : `, was ${risk.previous}`;
  const why = risk.drivers.map((d) => d.text.charAt(0).toLowerCase() + d.text.slice(1)).join('; ');
  return `Risk ${risk.score} (${risk.band}${was})${why ? `: ${why}` : ''}`;
}
