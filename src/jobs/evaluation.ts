/**
 * Backtests on what was synced into the store, whatever CRM it came from (issue 6, "Backtesting"):
 * churn (rule score and learned model on month-end snapshots split by time), cross-sell (hide each
 * account's newest items, rank with the production scorer and with popularity) and forecast (the
 * forecast made at a period's start against what closed in it). Each returns a JSON-serialisable
 * report; `accountpulse evaluate` formats them. The maths is the domain's; this file only reads.
 */
import type { AppContext } from './context.js';
import type { Account, Deal, DealHistory, LineItem, Product, RecordKind, RecordOf } from '../domain/model.js';
import { scoreChurn } from '../domain/churn.js';
import type { ChurnInput } from '../domain/churnSignals.js';
import { crossSellFactsFromDeals } from '../domain/crosssell.js';
import { backtestForecast, type BacktestResult } from '../domain/forecast.js';
import { periodById } from '../domain/periods.js';
import type { Period } from '../domain/insights.js';
import {
  buildSnapshots,
  churnDateOf,
  evaluateChurnModel,
  evaluateProbabilities,
  snapshotFeatures,
  snapshotNumericFeatures,
  splitByTime,
  trainChurnModel,
  type ChurnEvaluation,
  type ChurnLabelOptions,
  type FeatureRecord,
  type Snapshot,
  type SnapshotBuild,
  type SnapshotBuildOptions,
  type SnapshotOptions,
  type TrainedChurnModel,
} from '../domain/learn/churnModel.js';
import { fitLogistic, matrixFromRows, predictProbability } from '../domain/learn/logistic.js';
import { liftAtFraction, prAuc, rocAuc } from '../domain/learn/metrics.js';
import { evaluateHoldOut, holdOutNewest } from '../domain/learn/holdout.js';
import type { RankingSummary } from '../domain/learn/ranking.js';
import { loadScoringUnits } from './accountData.js';
import { refreshUnification } from './planJob.js';
import { analyticsSettings } from './settings.js';

const DAY_MS = 86_400_000;

/** Nothing was synced: the caller should say "run sync first" (exit 1). */
export class NoSyncedDataError extends Error {
  constructor() {
    super('no accounts in the store: run `accountpulse sync --once` first');
    this.name = 'NoSyncedDataError';
  }
}

/** The options do not fit the data (e.g. a period that has not started): a usage error (exit 2). */
export class EvaluationInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvaluationInputError';
  }
}

// ---------------------------------------------------------------------------------------------
// Reading the store

async function collect<K extends RecordKind>(ctx: AppContext, kind: K): Promise<RecordOf<K>[]> {
  const out: RecordOf<K>[] = [];
  for await (const page of ctx.store.records.scan(kind, 2000)) out.push(...page);
  return out;
}

async function requireAccounts(ctx: AppContext): Promise<void> {
  if ((await ctx.store.records.count('account')) === 0) throw new NoSyncedDataError();
}

/** Unified account ids; computes unification when no plan has run yet. */
async function unifiedIds(ctx: AppContext): Promise<string[]> {
  let ids = await ctx.store.unified.allUnifiedIds();
  if (ids.length === 0) {
    await refreshUnification(ctx);
    ids = await ctx.store.unified.allUnifiedIds();
  }
  return ids.sort();
}

const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const dayMs = (date: string): number => Date.parse(`${date.slice(0, 10)}T00:00:00Z`);

function monthsBefore(date: string, months: number): string {
  const d = new Date(dayMs(date));
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  return isoDate(Date.UTC(target.getUTCFullYear(), target.getUTCMonth(), Math.min(d.getUTCDate(), lastDay)));
}

// ---------------------------------------------------------------------------------------------
// Churn

export interface ChurnBacktestOptions {
  /** YYYY-MM-DD; outcomes are known up to this date (default: today) */
  asOf?: string;
  /** first snapshot date (default: 18 months before asOf) */
  from?: string;
  /** time split T0 (default: 2/3 of the way from `from` to the last snapshot whose horizon is observed) */
  split?: string;
  /** default: churn.learnedHorizonDays */
  horizonDays?: number;
  /** account field holding the churn date, read for accounts marked churned (default: churn.learnedLabelField) */
  labelField?: string;
  /** default: churn.learnedLostRenewals */
  lostRenewals?: boolean;
  /** fewer churned accounts than this: the learned model is not fitted (default: churn.learnedMinChurned) */
  minChurnedAccounts?: number;
  /** L2 strength of the learned model */
  lambda?: number;
}

export interface RuleScoreEvaluation {
  rows: number;
  positives: number;
  /** ranking metrics on the raw score (0-100) */
  rocAuc: number | null;
  prAuc: number | null;
  topDecile: { k: number; precision: number; lift: number } | null;
  /** Brier and calibration after Platt scaling fitted on the train part; null when it cannot be fitted */
  platt: { a: number; b: number; brier: number | null; brierBaseline: number | null; calibration: ChurnEvaluation['calibration'] } | null;
}

export interface ChurnBacktestReport {
  kind: 'churn';
  asOf: string;
  from: string;
  split: string;
  horizonDays: number;
  labels: { field: string | null; lostRenewals: boolean; churnedAccounts: number; undatedChurned: number };
  accounts: number;
  snapshots: { total: number; positives: number; train: { rows: number; positives: number }; test: { rows: number; positives: number } };
  learned: { fitted: boolean; features: string[]; lambda: number; evaluation: ChurnEvaluation | null };
  rule: RuleScoreEvaluation;
  /** plain-language notes: too few labels, undated churn flags, caveats */
  messages: string[];
}

/**
 * Lets timers and I/O run between chunks of CPU work: on a large org the backtest computes for a
 * minute, and a worker whose event loop is blocked that long loses its BullMQ job locks.
 */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
const ACCOUNTS_PER_CHUNK = 500;
const SCORES_PER_CHUNK = 5_000;

/** buildSnapshots over chunks of accounts, in the same order (by t, then account id) as one call. */
export async function buildSnapshotsInChunks(inputs: readonly ChurnInput[], options: SnapshotBuildOptions): Promise<SnapshotBuild> {
  const snapshots: Snapshot[] = [];
  const undatedChurned: string[] = [];
  for (let i = 0; i < inputs.length; i += ACCOUNTS_PER_CHUNK) {
    const part = buildSnapshots(inputs.slice(i, i + ACCOUNTS_PER_CHUNK), options);
    for (const s of part.snapshots) snapshots.push(s);
    undatedChurned.push(...part.undatedChurned);
    await yieldToEventLoop();
  }
  snapshots.sort((a, b) => a.t.localeCompare(b.t) || a.accountId.localeCompare(b.accountId));
  return { snapshots, undatedChurned: undatedChurned.sort() };
}

/** Rule scores of snapshots, as the rule score would have said at each month end. */
async function ruleScores(snapshots: readonly Snapshot[], inputs: ReadonlyMap<string, ChurnInput>, ctx: AppContext): Promise<number[]> {
  const config = analyticsSettings(ctx.loaded.config).churn;
  const scores: number[] = [];
  for (const [i, s] of snapshots.entries()) {
    scores.push(scoreChurn(inputs.get(s.accountId) as ChurnInput, config, null, `${s.t}T23:59:59.999Z`).score);
    if ((i + 1) % SCORES_PER_CHUNK === 0) await yieldToEventLoop();
  }
  return scores;
}

/** Platt scaling: p = σ(a + b·score/100), fitted on the train part (a little L2 so separable data stays finite). */
function plattScale(trainScores: readonly number[], trainLabels: readonly number[]): { a: number; b: number } | null {
  const positives = trainLabels.reduce((s, y) => s + y, 0);
  if (positives === 0 || positives === trainLabels.length) return null;
  const fit = fitLogistic(matrixFromRows(trainScores.map((s) => [s / 100])), trainLabels, { lambda: 1e-3 });
  return { a: fit.intercept, b: fit.coefficients[0] as number };
}

function evaluateRuleScore(trainScores: number[], trainLabels: number[], testScores: number[], testLabels: number[]): RuleScoreEvaluation {
  const positives = testLabels.reduce((s, y) => s + y, 0);
  const platt = plattScale(trainScores, trainLabels);
  let calibrated: RuleScoreEvaluation['platt'] = null;
  if (platt && testLabels.length > 0) {
    const probabilities = testScores.map((s) => predictProbability({ intercept: platt.a, coefficients: [platt.b] }, [s / 100]));
    const trainRate = trainLabels.reduce((s, y) => s + y, 0) / trainLabels.length;
    const metrics = evaluateProbabilities(probabilities, testLabels, trainRate);
    calibrated = { a: platt.a, b: platt.b, brier: metrics.brier, brierBaseline: metrics.brierBaseline, calibration: metrics.calibration };
  }
  return {
    rows: testLabels.length,
    positives,
    rocAuc: rocAuc(testScores, testLabels),
    prAuc: prAuc(testScores, testLabels),
    topDecile: liftAtFraction(testScores, testLabels, 0.1),
    platt: calibrated,
  };
}

/**
 * How snapshot features are computed, in training and in production scoring alike: the same
 * options, and a snapshot day's features are as of its last millisecond (as buildSnapshots does).
 */
export const churnSnapshotOptions: SnapshotOptions = {};

/** Features of an account for the learned model as of the day of `asOf`, exactly as a snapshot of that day in training. */
export function churnFeaturesAsOf(input: ChurnInput, asOf: string): FeatureRecord {
  return snapshotFeatures(input, `${asOf.slice(0, 10)}T23:59:59.999Z`, churnSnapshotOptions);
}

/** The learned model's specification and fit, shared by the held-out and the production fit. */
export function fitChurnModel(snapshots: readonly Snapshot[], lambda: number): TrainedChurnModel {
  return trainChurnModel(snapshots.map((s) => s.features), snapshots.map((s) => s.label), { numeric: [...snapshotNumericFeatures], categorical: [] }, { lambda });
}

export interface ChurnBacktest {
  report: ChurnBacktestReport;
  /** fitted on the train part and judged on the test part; null when it could not be fitted */
  heldOutModel: TrainedChurnModel | null;
  /** every snapshot whose horizon is observed (train, test and the gap between) */
  snapshots: Snapshot[];
}

/**
 * The churn backtest: snapshots, time split, the learned model fitted on the train part, both
 * models ranked on the test part. Defaults come from the `churn:` settings (learnedLabelField,
 * learnedLostRenewals, learnedHorizonDays, learnedMinChurned), so `evaluate churn` shows what the
 * training job (churnModelJob.ts) sees.
 */
export async function backtestChurnOnStore(ctx: AppContext, options: ChurnBacktestOptions = {}): Promise<ChurnBacktest> {
  await requireAccounts(ctx);
  const churn = analyticsSettings(ctx.loaded.config).churn;
  const asOf = options.asOf ?? isoDate(ctx.now().getTime());
  const horizonDays = options.horizonDays ?? churn.learnedHorizonDays;
  const from = options.from ?? monthsBefore(asOf, 18);
  const lastSnapshot = isoDate(dayMs(asOf) - horizonDays * DAY_MS);
  if (from >= lastSnapshot) {
    throw new EvaluationInputError(`--from ${from} leaves no snapshot whose ${horizonDays}-day horizon ends by --as-of ${asOf}; start earlier or shorten --horizon-days`);
  }
  const split = options.split ?? isoDate(dayMs(from) + Math.round(((dayMs(lastSnapshot) - dayMs(from)) * 2) / 3 / DAY_MS) * DAY_MS);
  if (split <= from || split > asOf) throw new EvaluationInputError(`--split ${split} must fall after --from ${from} and by --as-of ${asOf}`);
  const lambda = options.lambda ?? 1;
  const minChurned = options.minChurnedAccounts ?? churn.learnedMinChurned;
  const labelField = options.labelField ?? churn.learnedLabelField ?? undefined;
  const labels: ChurnLabelOptions = { lostRenewals: options.lostRenewals ?? churn.learnedLostRenewals, ...(labelField ? { churnDateField: labelField } : {}) };

  const units = await loadScoringUnits(ctx.store, await unifiedIds(ctx));
  const inputs = units.map((u) => u.input);
  const inputById = new Map(units.map((u) => [u.input.account.id, u.input]));
  let churnedAccounts = 0;
  for (const input of inputs) if (churnDateOf(input, labels).date !== null) churnedAccounts++;

  const built = await buildSnapshotsInChunks(inputs, { ...churnSnapshotOptions, from, to: asOf, dataEnd: asOf, horizonDays, labels });
  const { train, test } = splitByTime(built.snapshots, split, horizonDays);
  const count = (list: readonly Snapshot[]) => ({ rows: list.length, positives: list.reduce((s, x) => s + x.label, 0) });
  const trainCount = count(train);
  const testCount = count(test);
  const messages: string[] = [];
  if (built.undatedChurned.length > 0) {
    messages.push(
      `${built.undatedChurned.length} account(s) are marked churned without a churn date${labelField ? ` in field ${labelField}` : ''}; they are left out${labelField ? '' : ' (name the date field with --label-field)'}`,
    );
  }

  const features = [...snapshotNumericFeatures];
  let heldOutModel: TrainedChurnModel | null = null;
  let evaluation: ChurnEvaluation | null = null;
  if (churnedAccounts < minChurned) {
    messages.push(`${churnedAccounts} churned accounts found; at least ${minChurned} are needed to fit the learned model; the rule-score backtest follows`);
  } else if (trainCount.positives === 0 || trainCount.positives === trainCount.rows) {
    messages.push(`the train part (snapshots before ${split}) has ${trainCount.positives} churn(s) in ${trainCount.rows} rows: the learned model cannot be fitted; move --split or --from`);
  } else if (testCount.rows === 0) {
    messages.push(`the test part (snapshots from ${split}) is empty: move --split earlier`);
  } else {
    heldOutModel = fitChurnModel(train, lambda);
    evaluation = evaluateChurnModel(heldOutModel, test.map((s) => s.features), test.map((s) => s.label));
  }
  if (testCount.positives === 0) messages.push(`no churn in the test part (snapshots from ${split}): ranking metrics are undefined`);

  const rule = evaluateRuleScore(await ruleScores(train, inputById, ctx), train.map((s) => s.label), await ruleScores(test, inputById, ctx), test.map((s) => s.label));
  messages.push('the rule score reads some current-state data (renewal date, contact activity, open tickets), so its backtest is somewhat optimistic');

  const report: ChurnBacktestReport = {
    kind: 'churn',
    asOf,
    from,
    split,
    horizonDays,
    labels: { field: labelField ?? null, lostRenewals: labels.lostRenewals, churnedAccounts, undatedChurned: built.undatedChurned.length },
    accounts: units.length,
    snapshots: { total: built.snapshots.length, positives: count(built.snapshots).positives, train: trainCount, test: testCount },
    learned: { fitted: evaluation !== null, features, lambda, evaluation },
    rule,
    messages,
  };
  return { report, heldOutModel, snapshots: built.snapshots };
}

export async function evaluateChurnOnStore(ctx: AppContext, options: ChurnBacktestOptions = {}): Promise<ChurnBacktestReport> {
  return (await backtestChurnOnStore(ctx, options)).report;
}

// ---------------------------------------------------------------------------------------------
// Cross-sell

export interface CrossSellBacktestOptions {
  asOf?: string;
}

export interface CrossSellBacktestReport {
  kind: 'cross-sell';
  asOf: string;
  level: 'family' | 'product';
  /** unified accounts owning at least one item */
  accountsWithItems: number;
  evaluatedAccounts: number;
  heldOutItems: number;
  items: number;
  production: RankingSummary;
  popularity: RankingSummary;
  messages: string[];
}

/** account id → item → first-won date, per unified account (the earliest date among its members). */
function unifiedOwnership(ownership: ReadonlyMap<string, ReadonlyMap<string, string>>, unifiedOf: ReadonlyMap<string, string>): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const [member, items] of ownership) {
    const id = unifiedOf.get(member) ?? member;
    const into = out.get(id) ?? new Map<string, string>();
    for (const [item, first] of items) {
      const current = into.get(item);
      if (current === undefined || first < current) into.set(item, first);
    }
    out.set(id, into);
  }
  return out;
}

export async function evaluateCrossSellOnStore(ctx: AppContext, options: CrossSellBacktestOptions = {}): Promise<CrossSellBacktestReport> {
  await requireAccounts(ctx);
  const asOf = options.asOf ?? isoDate(ctx.now().getTime());
  const settings = analyticsSettings(ctx.loaded.config).crossSell;
  await unifiedIds(ctx);
  const [deals, lineItems, products, accounts] = await Promise.all([
    collect(ctx, 'deal') as Promise<Deal[]>,
    collect(ctx, 'lineItem') as Promise<LineItem[]>,
    collect(ctx, 'product') as Promise<Product[]>,
    collect(ctx, 'account') as Promise<Account[]>,
  ]);
  const facts = crossSellFactsFromDeals(deals, lineItems, products, settings.level);
  const unifiedOf = await ctx.store.unified.unifiedOf([...new Set([...facts.ownership.keys(), ...accounts.map((a) => a.id)])]);
  const ownership = unifiedOwnership(facts.ownership, unifiedOf);
  const unifiedAccounts = accounts.filter((a) => (unifiedOf.get(a.id) ?? a.id) === a.id);
  const split = holdOutNewest(ownership);
  const result = evaluateHoldOut(split, { accounts: unifiedAccounts, config: settings, asOf });
  const messages: string[] = [];
  if (ownership.size === 0) messages.push('no won deal has line items: there is no ownership to evaluate (sync line items and products)');
  else if (result.evaluatedAccounts === 0) messages.push('no account bought items on two different dates: nothing can be hidden and found again');
  return { kind: 'cross-sell', asOf, level: settings.level, accountsWithItems: ownership.size, ...result, messages };
}

// ---------------------------------------------------------------------------------------------
// Forecast

export interface ForecastBacktestOptions {
  /** fiscal period id, e.g. FY2026-Q3 */
  period: string;
  asOf?: string;
}

export interface ForecastBacktestReport extends Omit<BacktestResult, 'period' | 'asOf'> {
  kind: 'forecast';
  period: Period;
  /** the day the forecast is replayed at (the period's first day) */
  forecastAsOf: string;
  /** today: when the period is not over, `actual` is won to date */
  asOf: string;
  complete: boolean;
  deals: number;
  historyRows: number;
  messages: string[];
}

export async function evaluateForecastOnStore(ctx: AppContext, options: ForecastBacktestOptions): Promise<ForecastBacktestReport> {
  await requireAccounts(ctx);
  const quota = analyticsSettings(ctx.loaded.config).quota;
  const asOf = options.asOf ?? isoDate(ctx.now().getTime());
  let period: Period;
  try {
    period = periodById(options.period, { fiscalYearStartMonth: quota.fiscalYearStartMonth });
  } catch {
    throw new EvaluationInputError(`--period "${options.period}" is not a period id; use FY2026, FY2026-Q3 or FY2026-M08`);
  }
  if (period.start > asOf) throw new EvaluationInputError(`--period ${period.id} starts on ${period.start}, after ${asOf}: there is nothing to backtest yet`);
  const [deals, history] = await Promise.all([collect(ctx, 'deal') as Promise<Deal[]>, collect(ctx, 'dealHistory') as Promise<DealHistory[]>]);
  const result = backtestForecast({ deals, history, period, config: quota });
  const complete = period.end < asOf;
  const messages: string[] = [];
  if (!complete) messages.push(`${period.id} is not over (it ends on ${period.end}): "actual" is what was won by ${asOf}, not the final figure`);
  if (!history.some((h) => h.field === 'closeDate')) {
    messages.push('no close-date history was synced: "open with close date in the period" uses current close dates, which know the outcome and flatter the forecast');
  }
  if (result.skipped.noCreatedAt > 0) messages.push(`${result.skipped.noCreatedAt} deal(s) without a created date could not be placed in time and were left out`);
  if (result.skipped.noAmount > 0) messages.push(`${result.skipped.noAmount} deal(s) open at the start had no amount and were left out`);
  return { ...result, kind: 'forecast', period, forecastAsOf: result.asOf, asOf, complete, deals: deals.length, historyRows: history.length, messages };
}
