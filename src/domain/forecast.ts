/**
 * What the org's own history says about the future: stage probabilities learned from closed deals,
 * the seasonal bookings curve F used for pacing, the creation run-rate (deals created and won inside
 * one period), and the backtest that replays a past period's forecast as of its first day.
 *
 * Everything here takes a cut-off day and only looks at what was known before it (deals closed
 * before the day, history changes stamped before the day), so a backtest cannot see the future.
 * Pure: no I/O.
 */
import type { Deal, DealHistory } from './model.js';
import type { Period } from './insights.js';
import {
  fieldValueBeforeDay,
  indexHistory,
  prepareDeals,
  toCorporate,
  type HistoryIndex,
  type PreparedDeal,
} from './deal-inputs.js';
import { dateOfDay, dayNumber, periodLengthDays, previousPeriods } from './periods.js';
import { QuotaConfigSchema, type QuotaConfig, type QuotaConfigInput } from './quota-config.js';

export interface StageProbability {
  stageId: string;
  /** won / closed among deals that passed through the stage */
  p: number;
  closed: number;
  won: number;
}

/**
 * p(stage) = share won among the closed deals that passed through the stage (its current stage or
 * any stage named in its stage history), counting deals closed before `beforeDay`. Only stages with
 * at least `minDeals` such deals are returned; callers fall back to the CRM's probability otherwise.
 */
export function learnStageProbabilities(
  deals: readonly PreparedDeal[],
  history: HistoryIndex,
  beforeDay: number,
  minDeals: number,
): Map<string, StageProbability> {
  const tallies = new Map<string, { closed: number; won: number }>();
  for (const { deal, closeDay } of deals) {
    if (deal.status === 'open' || closeDay === null || closeDay >= beforeDay) continue;
    const stages = new Set<string>([deal.stageId]);
    for (const row of history.get(deal.id) ?? []) {
      if (row.field !== 'stage' || dayNumber(row.changedAt) >= beforeDay) continue;
      if (row.from !== null) stages.add(row.from);
      if (row.to !== null) stages.add(row.to);
    }
    for (const stageId of stages) {
      const tally = tallies.get(stageId) ?? { closed: 0, won: 0 };
      tally.closed += 1;
      if (deal.status === 'won') tally.won += 1;
      tallies.set(stageId, tally);
    }
  }
  const learned = new Map<string, StageProbability>();
  for (const [stageId, { closed, won }] of tallies) {
    if (closed >= minDeals) learned.set(stageId, { stageId, p: won / closed, closed, won });
  }
  return learned;
}

export interface Seasonality {
  /** past periods that had bookings and so shaped the curve, oldest first */
  periods: Period[];
  /** F(x): mean cumulative share of a period's bookings by fraction x (0..1) of its days */
  shareAt(x: number): number;
}

/**
 * F(x) = mean over the given past periods of (won amount closed by day ⌊x·L⌋ / period total), where a
 * deal closed on day i of the period (1-based) counts from x = i/L. Periods with no positive bookings
 * are skipped. Returns null when fewer than `minPeriods` periods remain (callers then pace linearly).
 */
export function learnSeasonality(deals: readonly PreparedDeal[], periods: readonly Period[], minPeriods: number): Seasonality | null {
  const curves: { period: Period; length: number; days: number[]; cumulative: number[]; total: number }[] = [];
  for (const period of periods) {
    const start = dayNumber(period.start);
    const length = periodLengthDays(period);
    const byDay = new Map<number, number>();
    for (const { deal, amount, closeDay } of deals) {
      if (deal.status !== 'won' || amount === null || closeDay === null) continue;
      const dayIndex = closeDay - start + 1;
      if (dayIndex < 1 || dayIndex > length) continue;
      byDay.set(dayIndex, (byDay.get(dayIndex) ?? 0) + amount);
    }
    const days = [...byDay.keys()].sort((a, b) => a - b);
    const cumulative: number[] = [];
    let running = 0;
    for (const day of days) {
      running += byDay.get(day) ?? 0;
      cumulative.push(running);
    }
    if (running > 0) curves.push({ period, length, days, cumulative, total: running });
  }
  if (curves.length < minPeriods || curves.length === 0) return null;
  return {
    periods: curves.map((c) => c.period),
    shareAt(x: number): number {
      const clamped = Math.min(Math.max(x, 0), 1);
      let sum = 0;
      for (const curve of curves) {
        // A tiny epsilon so x = 30/91 on a 91-day period includes day 30 despite float rounding.
        const lastDay = Math.floor(clamped * curve.length + 1e-9);
        let booked = 0;
        for (let i = 0; i < curve.days.length && (curve.days[i] ?? Infinity) <= lastDay; i++) booked = curve.cumulative[i] ?? booked;
        sum += booked / curve.total;
      }
      return sum / curves.length;
    },
  };
}

/**
 * The past periods the creation run-rate averages over: the `n` periods before `period`, minus those
 * that ended before the first deal in the data was created (no history is not zero bookings).
 */
export function runRatePeriods(deals: readonly PreparedDeal[], period: Period, n: number, config: QuotaConfig): Period[] {
  let firstCreated = Infinity;
  for (const { createdDay } of deals) if (createdDay !== null && createdDay < firstCreated) firstCreated = createdDay;
  return previousPeriods(period, n, config).filter((p) => dayNumber(p.end) >= firstCreated);
}

/** Won amount of deals created and closed inside `period` (the bookings no open pipeline foresees). */
export function createdAndWonIn(deal: PreparedDeal, period: Period): number {
  const { amount, createdDay, closeDay } = deal;
  if (deal.deal.status !== 'won' || amount === null || createdDay === null || closeDay === null) return 0;
  const start = dayNumber(period.start);
  const end = dayNumber(period.end);
  return createdDay >= start && createdDay <= end && closeDay >= start && closeDay <= end ? amount : 0;
}

/** A deal as it stood at the start of a day, rebuilt from its history. */
export interface DealAsOf {
  deal: Deal;
  stageId: string;
  closeDate: string | null;
  /** corporate currency; null when unknown */
  amount: number | null;
}

/**
 * The deals open at the start of `day`: created before it, and either still open or closed on or
 * after it. Stage, close date and amount are rolled back through the history; a deal without
 * `createdAt` cannot be placed in time and is left out (counted by the caller).
 */
export function openDealsAtStartOf(
  deals: readonly PreparedDeal[],
  history: HistoryIndex,
  day: number,
  config: QuotaConfig,
): DealAsOf[] {
  const open: DealAsOf[] = [];
  for (const prepared of deals) {
    const { deal, createdDay, closeDay } = prepared;
    if (createdDay === null || createdDay >= day) continue;
    if (deal.status !== 'open' && (closeDay === null || closeDay < day)) continue;
    const rows = history.get(deal.id);
    const stageId = fieldValueBeforeDay(rows, 'stage', day, deal.stageId) ?? deal.stageId;
    const closeDateRaw = fieldValueBeforeDay(rows, 'closeDate', day, deal.closeDate);
    const amountRaw = fieldValueBeforeDay(rows, 'amount', day, deal.amount === null ? null : String(deal.amount));
    const amountNumber = amountRaw === null || amountRaw.trim() === '' ? null : Number(amountRaw);
    const amount = toCorporate(amountNumber, deal.currency, config).amount;
    open.push({ deal, stageId, closeDate: closeDateRaw === null ? null : closeDateRaw.slice(0, 10), amount });
  }
  return open;
}

export interface BacktestResult {
  period: Period;
  /** the day the forecast is replayed at: the period's first day, before anything closed in it */
  asOf: string;
  openDeals: number;
  /** Σ amount of every deal open at the start, whatever its close date */
  openGross: number;
  /** Σ amount × p over every deal open at the start, whatever its close date */
  openWeighted: number;
  openInPeriod: number;
  /** Σ amount × p over open deals whose close date (as of the start) fell in the period */
  weightedInPeriod: number;
  /** mean created-and-won bookings of past periods: the deals not yet created at the start */
  runRate: number;
  runRatePeriods: string[];
  forecast: number;
  actual: number;
  actualFromOpenAtStart: number;
  actualFromCreatedInPeriod: number;
  /** (forecast − actual) / actual; null when nothing was won */
  errorPct: number | null;
  /** learned stage probabilities used, by stage id */
  stageProbabilities: Record<string, number>;
  /** open deals weighted with the CRM probability (stage not learned) or 0 (none at all) */
  crmProbabilityDeals: number;
  noProbabilityDeals: number;
  /** deals that could not be placed in time (no createdAt) or had no amount as of the start */
  skipped: { noCreatedAt: number; noAmount: number };
}

export interface BacktestInput {
  deals: readonly Deal[];
  history: readonly DealHistory[];
  period: Period;
  config?: QuotaConfigInput;
}

/**
 * Replays the forecast of `period` as of its first day and compares it with what was won in it:
 * forecast = Σ over deals open at the start with close date in the period of amount × p(stage)
 * + creation run-rate (whole period remains). Won-to-date is 0 at the start by construction.
 * The close date "as of the start" comes from closeDate history; without history it is the current
 * close date, which for a closed deal is its real close date, so the in-period filter then knows the
 * future (the open gross and weighted figures, which ignore close dates, do not).
 */
export function backtestForecast(input: BacktestInput): BacktestResult {
  const config = QuotaConfigSchema.parse(input.config ?? {});
  const { period } = input;
  const { deals } = prepareDeals(input.deals, config);
  const { index: history } = indexHistory(input.history);
  const startDay = dayNumber(period.start);
  const endDay = dayNumber(period.end);
  const learned = learnStageProbabilities(deals, history, startDay, config.stageProbabilityMinDeals);

  let openGross = 0;
  let openWeighted = 0;
  let openInPeriod = 0;
  let weightedInPeriod = 0;
  let crmProbabilityDeals = 0;
  let noProbabilityDeals = 0;
  let noAmount = 0;
  const open = openDealsAtStartOf(deals, history, startDay, config);
  const openIds = new Set<string>();
  for (const state of open) {
    openIds.add(state.deal.id);
    if (state.amount === null) {
      noAmount += 1;
      continue;
    }
    const learnedP = learned.get(state.stageId)?.p;
    let p = learnedP ?? state.deal.probability;
    if (learnedP === undefined) {
      if (p === null) noProbabilityDeals += 1;
      else crmProbabilityDeals += 1;
    }
    p ??= 0;
    openGross += state.amount;
    openWeighted += state.amount * p;
    if (state.closeDate !== null) {
      const closeDay = dayNumber(state.closeDate);
      if (closeDay >= startDay && closeDay <= endDay) {
        openInPeriod += 1;
        weightedInPeriod += state.amount * p;
      }
    }
  }

  const lookback = runRatePeriods(deals, period, config.runRateLookbackPeriods, config);
  let runRateSum = 0;
  for (const past of lookback) for (const deal of deals) runRateSum += createdAndWonIn(deal, past);
  const runRate = lookback.length === 0 ? 0 : runRateSum / lookback.length;

  let actual = 0;
  let actualFromOpenAtStart = 0;
  let actualFromCreatedInPeriod = 0;
  for (const { deal, amount, closeDay, createdDay } of deals) {
    if (deal.status !== 'won' || amount === null || closeDay === null || closeDay < startDay || closeDay > endDay) continue;
    actual += amount;
    if (openIds.has(deal.id)) actualFromOpenAtStart += amount;
    if (createdDay !== null && createdDay >= startDay && createdDay <= endDay) actualFromCreatedInPeriod += amount;
  }
  const forecast = weightedInPeriod + runRate;
  let noCreatedAt = 0;
  for (const { createdDay, deal, closeDay } of deals) {
    if (createdDay === null && (deal.status === 'open' || (closeDay !== null && closeDay >= startDay))) noCreatedAt += 1;
  }
  return {
    period,
    asOf: dateOfDay(startDay),
    openDeals: open.length,
    openGross,
    openWeighted,
    openInPeriod,
    weightedInPeriod,
    runRate,
    runRatePeriods: lookback.map((p) => p.id),
    forecast,
    actual,
    actualFromOpenAtStart,
    actualFromCreatedInPeriod,
    errorPct: actual === 0 ? null : (forecast - actual) / actual,
    stageProbabilities: Object.fromEntries([...learned.values()].map((s) => [s.stageId, s.p])),
    crmProbabilityDeals,
    noProbabilityDeals,
    skipped: { noCreatedAt, noAmount },
  };
}
