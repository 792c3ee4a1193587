/**
 * The learned churn model (Model B, analytics.md 1.2): account snapshots at month ends, features
 * computed only from data at or before the snapshot, label "churned within H days after it",
 * split by time, L2 logistic regression (logistic.ts), and per-account explanations in the same
 * Driver shape as the rule score.
 *
 * Leakage rules kept here (each one a way the future would otherwise leak into a snapshot):
 * - activity is read from the weekly counts only, never from `lastTouch` or contact dates, which
 *   hold the latest activity ever and so reveal whether the account was touched after t; and only
 *   from whole weeks ended by t (the week holding t also holds days after it);
 * - current-state flags (contact active, ticket escalated, account renewal date) are not used;
 * - a deal counts only if created by t; its close date is the current one (the store has no close
 *   date history here), so a renewal moved after t shows where it ended up, not where it stood;
 * - training snapshots end H days before T0, so no training label looks past T0;
 * - encoder levels, imputation means and standardisation are fitted on training rows only.
 * Pure: the lead's jobs read the store and pass ChurnInputs in.
 */
import { configHash, type ChurnConfig } from '../churnConfig.js';
import { weekStart } from '../activity.js';
import { bandOf, scoreChurn, trendOf } from '../churn.js';
import type { ChurnInput } from '../churnSignals.js';
import type { ChurnRisk, Driver } from '../insights.js';
import {
  fitLogistic,
  fitStandardizer,
  oneHotLevels,
  predictProbability,
  sigmoid,
  standardize,
  standardizeRow,
  type LogisticModel,
  type Matrix,
  type Standardizer,
} from './logistic.js';
import { brierScore, calibrationTable, constantBrier, liftAtFraction, prAuc, rocAuc, type CalibrationBin } from './metrics.js';

const DAY_MS = 86_400_000;

/** One snapshot's features: numbers, categories (strings/booleans) or null for missing. */
export type FeatureRecord = Record<string, number | string | boolean | null | undefined>;

/** Which features the model uses and how. */
export interface FeatureSpec {
  numeric: string[];
  categorical: string[];
}

// ---------------------------------------------------------------------------------------------
// Encoding: feature records → design matrix

interface NumericEncoding {
  name: string;
  /** training mean of the present values, used for missing ones */
  impute: number;
  /** a 0/1 `${name}:missing` column follows when training rows had missing values */
  missingColumn: boolean;
}

interface CategoricalEncoding {
  name: string;
  /** dropped level: encoded as all zeros, as are levels unseen in training */
  reference: string;
  levels: string[];
}

/** JSON-serialisable: store it beside the model. */
export interface FeatureEncoder {
  numeric: NumericEncoding[];
  categorical: CategoricalEncoding[];
  /** design-matrix column names, in order */
  columns: string[];
  /** the feature each column came from */
  sources: string[];
}

const MISSING_LEVEL = '(missing)';

function asNumber(v: FeatureRecord[string]): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && v.trim() !== '') {
    const x = Number(v);
    return Number.isFinite(x) ? x : null;
  }
  return null;
}

function asLevel(v: FeatureRecord[string]): string {
  return v === null || v === undefined || v === '' ? MISSING_LEVEL : String(v);
}

/** Learns imputation values and one-hot levels from training records only. */
export function fitEncoder(records: readonly FeatureRecord[], spec: FeatureSpec): FeatureEncoder {
  if (records.length === 0) throw new Error('fitEncoder: no training records; build snapshots first');
  const columns: string[] = [];
  const sources: string[] = [];
  const numeric = spec.numeric.map((name) => {
    let sum = 0;
    let n = 0;
    for (const r of records) {
      const x = asNumber(r[name]);
      if (x !== null) {
        sum += x;
        n++;
      }
    }
    const enc: NumericEncoding = { name, impute: n ? sum / n : 0, missingColumn: n < records.length };
    columns.push(name);
    sources.push(name);
    if (enc.missingColumn) {
      columns.push(`${name}:missing`);
      sources.push(name);
    }
    return enc;
  });
  const categorical = spec.categorical.map((name) => {
    const { reference, levels } = oneHotLevels(records.map((r) => asLevel(r[name])));
    for (const l of levels) {
      columns.push(`${name}=${l}`);
      sources.push(name);
    }
    return { name, reference, levels };
  });
  return { numeric, categorical, columns, sources };
}

/** The unstandardised design row of one record. */
export function encodeRow(encoder: FeatureEncoder, record: FeatureRecord): number[] {
  const row: number[] = [];
  for (const n of encoder.numeric) {
    const x = asNumber(record[n.name]);
    row.push(x ?? n.impute);
    if (n.missingColumn) row.push(x === null ? 1 : 0);
  }
  for (const c of encoder.categorical) {
    const v = asLevel(record[c.name]);
    for (const l of c.levels) row.push(l === v ? 1 : 0);
  }
  return row;
}

export function encodeMatrix(encoder: FeatureEncoder, records: readonly FeatureRecord[]): Matrix {
  const cols = encoder.columns.length;
  const data = new Float64Array(records.length * cols);
  records.forEach((r, i) => data.set(encodeRow(encoder, r), i * cols));
  return { rows: records.length, cols, data };
}

// ---------------------------------------------------------------------------------------------
// Training, prediction, evaluation, explanation

/** Everything needed to score new records; JSON-serialisable. */
export interface TrainedChurnModel {
  spec: FeatureSpec;
  encoder: FeatureEncoder;
  standardizer: Standardizer;
  fit: LogisticModel;
  /** training base rate (the constant-prediction baseline) */
  baseRate: number;
  trainedRows: number;
  /** short hash of the fitted parameters, for ChurnRisk.configVersion */
  version: string;
}

export interface TrainOptions {
  /** L2 strength on standardised coefficients (1 is a sound default for a few thousand rows) */
  lambda: number;
  maxIterations?: number;
}

/** Fits encoder, standardisation and the regression on the training rows only. */
export function trainChurnModel(
  records: readonly FeatureRecord[],
  labels: readonly number[],
  spec: FeatureSpec,
  options: TrainOptions,
): TrainedChurnModel {
  if (records.length !== labels.length) throw new Error(`trainChurnModel: ${records.length} records but ${labels.length} labels`);
  const encoder = fitEncoder(records, spec);
  const raw = encodeMatrix(encoder, records);
  const standardizer = fitStandardizer(raw);
  const fit = fitLogistic(standardize(raw, standardizer), labels, {
    lambda: options.lambda,
    ...(options.maxIterations ? { maxIterations: options.maxIterations } : {}),
  });
  const baseRate = labels.reduce((s, y) => s + y, 0) / labels.length;
  const version = configHash({ c: fit.coefficients, i: fit.intercept, m: standardizer.means, s: standardizer.sds, cols: encoder.columns });
  return { spec, encoder, standardizer, fit, baseRate, trainedRows: records.length, version };
}

/** The standardised design row of one record. */
export function standardizedRow(model: TrainedChurnModel, record: FeatureRecord): number[] {
  return standardizeRow(encodeRow(model.encoder, record), model.standardizer);
}

export function predictChurn(model: TrainedChurnModel, records: readonly FeatureRecord[]): number[] {
  return records.map((r) => predictProbability(model.fit, standardizedRow(model, r)));
}

export interface ChurnEvaluation {
  rows: number;
  positives: number;
  rocAuc: number | null;
  prAuc: number | null;
  topDecile: { k: number; precision: number; lift: number } | null;
  brier: number | null;
  /** Brier of always predicting the training base rate */
  brierBaseline: number | null;
  calibration: CalibrationBin[];
}

/** Scores held-out records and computes the standard metrics (ROC/PR AUC, top-decile lift, Brier, calibration). */
export function evaluateChurnModel(model: TrainedChurnModel, records: readonly FeatureRecord[], labels: readonly number[]): ChurnEvaluation {
  return evaluateProbabilities(predictChurn(model, records), labels, model.baseRate);
}

export function evaluateProbabilities(probabilities: readonly number[], labels: readonly number[], baseRate: number): ChurnEvaluation {
  return {
    rows: labels.length,
    positives: labels.reduce((s, y) => s + y, 0),
    rocAuc: rocAuc(probabilities, labels),
    prAuc: prAuc(probabilities, labels),
    topDecile: liftAtFraction(probabilities, labels, 0.1),
    brier: brierScore(probabilities, labels),
    brierBaseline: constantBrier(baseRate, labels),
    calibration: calibrationTable(probabilities, labels, 10),
  };
}

export interface FeatureContribution {
  feature: string;
  /** the record's value, as given */
  value: FeatureRecord[string];
  /** log-odds this feature adds against the average training row (sum over its columns) */
  contribution: number;
}

/** Contributions per source feature (one-hot columns and missing indicators summed), largest |contribution| first. */
export function featureContributions(model: TrainedChurnModel, record: FeatureRecord): FeatureContribution[] {
  const row = standardizedRow(model, record);
  const sums = new Map<string, number>();
  model.encoder.sources.forEach((source, j) => {
    sums.set(source, (sums.get(source) ?? 0) + (model.fit.coefficients[j] as number) * (row[j] as number));
  });
  return [...sums.entries()]
    .map(([feature, contribution]) => ({ feature, value: record[feature], contribution }))
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution) || a.feature.localeCompare(b.feature));
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * Drivers for the features that raise this account's risk, largest first. For the learned model
 * `points` is the contribution in log-odds and `risk` is 100·σ(contribution): 50 is neutral.
 */
export function explainChurn(model: TrainedChurnModel, record: FeatureRecord, max: number): Driver[] {
  return featureContributions(model, record)
    .filter((c) => c.contribution > 0)
    .slice(0, max)
    .map((c) => ({
      signal: c.feature,
      risk: Math.round(sigmoid(c.contribution) * 1000) / 10,
      points: round2(c.contribution),
      text: `${c.feature}: ${c.value === null || c.value === undefined || c.value === '' ? 'missing' : String(c.value)} raises risk (+${round2(c.contribution).toFixed(2)} log-odds vs the average account)`,
      records: [],
    }));
}

/**
 * A ChurnRisk from the learned model: score = 100 × probability, banded and trended like the rule
 * score; completeness = share of the model's features present in the record.
 */
export function scoreChurnLearned(
  model: TrainedChurnModel,
  accountId: string,
  record: FeatureRecord,
  config: Pick<ChurnConfig, 'bands' | 'trendThreshold' | 'maxDrivers' | 'configVersion'>,
  previous: ChurnRisk | null,
  asOf: string,
): ChurnRisk {
  const p = predictProbability(model.fit, standardizedRow(model, record));
  const features = [...model.spec.numeric, ...model.spec.categorical];
  const present = features.filter((f) => record[f] !== null && record[f] !== undefined && record[f] !== '').length;
  const score = Math.round(p * 1000) / 10;
  return {
    accountId,
    score,
    band: bandOf(score, config.bands),
    previous: previous ? previous.score : null,
    previousBand: previous ? previous.band : null,
    trend: trendOf(score, previous ? previous.score : null, config.trendThreshold),
    completeness: features.length ? Math.round((present / features.length) * 1000) / 1000 : 1,
    model: 'learned',
    probability: p,
    drivers: explainChurn(model, record, config.maxDrivers),
    scoredAt: new Date(Date.parse(asOf)).toISOString(),
    configVersion: `${config.configVersion}/${model.version}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Snapshots and labels

/** Where churn labels (with their dates) come from. */
export interface ChurnLabelOptions {
  /** account field holding the churn date (ISO date), read when Account.churned is true */
  churnDateField?: string;
  /** a lost renewal deal counts as churn on its close date */
  lostRenewals: boolean;
}

/**
 * The account's churn date, or null when it has not churned. `undated` marks an account the CRM
 * flags as churned without any date: it cannot be placed in time and must be left out.
 */
export function churnDateOf(input: ChurnInput, options: ChurnLabelOptions): { date: string | null; undated: boolean } {
  const dates: string[] = [];
  if (input.account.churned === true && options.churnDateField) {
    const v = input.account.fields[options.churnDateField];
    if (typeof v === 'string' && Number.isFinite(Date.parse(v))) dates.push(v.slice(0, 10));
  }
  if (options.lostRenewals) {
    for (const d of input.deals) if (d.type === 'renewal' && d.status === 'lost' && d.closeDate) dates.push(d.closeDate);
  }
  dates.sort();
  const date = dates[0] ?? null;
  return { date, undated: date === null && input.account.churned === true };
}

/** Last days of the months from `from`'s month to `to`'s month (ISO dates), inclusive, that fall in [from, to]. */
export function monthEnds(from: string, to: string): string[] {
  const out: string[] = [];
  const start = new Date(`${from.slice(0, 7)}-01T00:00:00Z`);
  for (let y = start.getUTCFullYear(), m = start.getUTCMonth(); ; m++) {
    const end = new Date(Date.UTC(y, m + 1, 0)).toISOString().slice(0, 10);
    if (end > to.slice(0, 10)) break;
    if (end >= from.slice(0, 10)) out.push(end);
  }
  return out;
}

export interface SnapshotOptions {
  /** account fields copied as features (`field:<name>`); only fields whose value at t is known, never label-derived */
  staticFields?: string[];
  /** trend and count windows, days (activity windows are rounded up to whole weeks) */
  windowDays?: number;
  lostDealsDays?: number;
  ticketPriorityWeights?: Record<'urgent' | 'high' | 'medium' | 'low', number>;
}

/** The numeric feature names `snapshotFeatures` produces (account fields come as `field:<name>`). */
export const snapshotNumericFeatures = [
  'tenureDays',
  'activityCurrent',
  'activityPrevious',
  'activityLogRatio',
  'daysSinceActivity',
  'contacts',
  'ticketLoadOpen',
  'ticketsRaised',
  'lostDeals',
  'daysToRenewal',
  'usageChangePct',
  'competitorMentions',
] as const;

/**
 * Features of one account as of `t` (ISO date-time), from data at or before t only (see the
 * leakage rules at the top of this file).
 */
export function snapshotFeatures(input: ChurnInput, t: string, options: SnapshotOptions = {}): FeatureRecord {
  const tMs = Date.parse(t);
  const windowDays = options.windowDays ?? 90;
  const weeks = Math.ceil(windowDays / 7);
  const priority = options.ticketPriorityWeights ?? { urgent: 3, high: 2, medium: 1, low: 0.5 };
  const since = tMs - windowDays * DAY_MS;

  // Whole weeks only: the week holding t also counts days after t, so it is left out unless t ends it.
  const cutoff = weekStart(new Date(tMs + 1).toISOString());
  const cutoffMs = Date.parse(`${cutoff}T00:00:00Z`);
  const currentFrom = new Date(cutoffMs - 7 * weeks * DAY_MS).toISOString().slice(0, 10);
  const previousFrom = new Date(cutoffMs - 14 * weeks * DAY_MS).toISOString().slice(0, 10);
  let current = 0;
  let previous = 0;
  let lastWeek: string | null = null;
  for (const [week, counts] of Object.entries(input.activity.weeks)) {
    if (week >= cutoff) continue;
    let n = 0;
    for (const c of Object.values(counts)) n += c;
    if (n > 0 && (!lastWeek || week > lastWeek)) lastWeek = week;
    if (week >= currentFrom) current += n;
    else if (week >= previousFrom) previous += n;
  }
  const created = input.account.createdAt ? Date.parse(input.account.createdAt) : null;
  const daysSinceActivity = lastWeek
    ? Math.max(0, Math.floor((tMs - Math.min(Date.parse(`${lastWeek}T00:00:00Z`) + 6 * DAY_MS, tMs)) / DAY_MS))
    : created !== null
      ? Math.floor((tMs - created) / DAY_MS)
      : null;

  let ticketLoadOpen = 0;
  let ticketsRaised = 0;
  for (const tk of input.tickets) {
    const c = Date.parse(tk.createdAt);
    if (c > tMs) continue;
    const closed = tk.closedAt ? Date.parse(tk.closedAt) : tk.status === 'closed' ? c : Number.POSITIVE_INFINITY;
    if (closed > tMs) ticketLoadOpen += priority[tk.priority];
    if (c >= since) ticketsRaised++;
  }

  const lostFrom = new Date(tMs - (options.lostDealsDays ?? 180) * DAY_MS).toISOString().slice(0, 10);
  const tDate = new Date(tMs).toISOString().slice(0, 10);
  let lostDeals = 0;
  let daysToRenewal: number | null = null;
  for (const d of input.deals) {
    if (d.status === 'lost' && (d.type === 'renewal' || d.type === 'expansion') && d.closeDate && d.closeDate >= lostFrom && d.closeDate <= tDate) lostDeals++;
    // A renewal deal already created at t tells when the renewal was due; the account's current renewal date may have moved since.
    if (d.type === 'renewal' && d.closeDate && d.closeDate > tDate && d.createdAt && Date.parse(d.createdAt) <= tMs) {
      const days = Math.floor((Date.parse(`${d.closeDate}T00:00:00Z`) - Date.parse(`${tDate}T00:00:00Z`)) / DAY_MS);
      if (daysToRenewal === null || days < daysToRenewal) daysToRenewal = days;
    }
  }

  const usage = new Map<string, { cur: number; curN: number; prev: number; prevN: number }>();
  for (const u of input.usage) {
    const at = Date.parse(`${u.date}T00:00:00Z`);
    if (at > tMs || at <= tMs - 2 * windowDays * DAY_MS) continue;
    const s = usage.get(u.metric) ?? { cur: 0, curN: 0, prev: 0, prevN: 0 };
    if (at > since) {
      s.cur += u.value;
      s.curN++;
    } else {
      s.prev += u.value;
      s.prevN++;
    }
    usage.set(u.metric, s);
  }
  let usageChangePct: number | null = null;
  for (const s of usage.values()) {
    if (!s.curN || !s.prevN || s.prev === 0) continue;
    const change = ((s.cur / s.curN - s.prev / s.prevN) / Math.abs(s.prev / s.prevN)) * 100;
    if (usageChangePct === null || change < usageChangePct) usageChangePct = change;
  }

  let competitorMentions = 0;
  for (const m of input.activity.competitorMentions) {
    const at = Date.parse(m.at);
    if (at <= tMs && at >= since) competitorMentions++;
  }

  const record: FeatureRecord = {
    tenureDays: created !== null ? Math.floor((tMs - created) / DAY_MS) : null,
    activityCurrent: current,
    activityPrevious: previous,
    activityLogRatio: Math.log((current + 1) / (previous + 1)),
    daysSinceActivity,
    contacts: input.contacts.filter((c) => c.createdAt !== null && Date.parse(c.createdAt) <= tMs).length,
    ticketLoadOpen,
    ticketsRaised,
    lostDeals,
    daysToRenewal,
    usageChangePct,
    competitorMentions,
  };
  for (const f of options.staticFields ?? []) record[`field:${f}`] = input.account.fields[f] ?? null;
  return record;
}

export interface Snapshot {
  accountId: string;
  /** month end, ISO date */
  t: string;
  features: FeatureRecord;
  /** 1 when the account churned in (t, t + horizon] */
  label: 0 | 1;
}

export interface SnapshotBuildOptions extends SnapshotOptions {
  /** first and last candidate month ends (ISO dates) */
  from: string;
  to: string;
  /** the date up to which outcomes are known; snapshots whose horizon passes it are dropped (label not observed) */
  dataEnd: string;
  horizonDays: number;
  labels: ChurnLabelOptions;
}

export interface SnapshotBuild {
  snapshots: Snapshot[];
  /** accounts flagged churned with no date: left out */
  undatedChurned: string[];
}

/** The (account, month end, label) points of a backtest, before any feature is computed. */
interface SnapshotPoint {
  input: ChurnInput;
  t: string;
  label: 0 | 1;
}

function snapshotPoints(inputs: readonly ChurnInput[], options: Omit<SnapshotBuildOptions, keyof SnapshotOptions>): { points: SnapshotPoint[]; undatedChurned: string[] } {
  const ends = monthEnds(options.from, options.to);
  const dataEndMs = Date.parse(`${options.dataEnd.slice(0, 10)}T00:00:00Z`);
  const points: SnapshotPoint[] = [];
  const undatedChurned: string[] = [];
  for (const input of inputs) {
    const churn = churnDateOf(input, options.labels);
    if (churn.undated) {
      undatedChurned.push(input.account.id);
      continue;
    }
    for (const end of ends) {
      const tMs = Date.parse(`${end}T00:00:00Z`);
      if (tMs + options.horizonDays * DAY_MS > dataEndMs) continue;
      if (input.account.createdAt && Date.parse(input.account.createdAt) > tMs + DAY_MS - 1) continue;
      if (churn.date && churn.date <= end) continue;
      const horizonEnd = new Date(tMs + options.horizonDays * DAY_MS).toISOString().slice(0, 10);
      points.push({ input, t: end, label: churn.date !== null && churn.date > end && churn.date <= horizonEnd ? 1 : 0 });
    }
  }
  points.sort((a, b) => a.t.localeCompare(b.t) || a.input.account.id.localeCompare(b.input.account.id));
  return { points, undatedChurned: undatedChurned.sort() };
}

/**
 * One snapshot per account per month end t: only accounts existing at t and not yet churned, and
 * only when t + horizon is within dataEnd. Deterministic order: by t, then account id.
 */
export function buildSnapshots(inputs: readonly ChurnInput[], options: SnapshotBuildOptions): SnapshotBuild {
  const { points, undatedChurned } = snapshotPoints(inputs, options);
  return {
    snapshots: points.map((p) => ({ accountId: p.input.account.id, t: p.t, features: snapshotFeatures(p.input, `${p.t}T23:59:59.999Z`, options), label: p.label })),
    undatedChurned,
  };
}

export interface RuleBacktest {
  rows: number;
  positives: number;
  rocAuc: number | null;
  topDecile: { k: number; precision: number; lift: number } | null;
}

/**
 * Backtests the rule score (analytics.md: "validate it against churn outcomes once labels exist"):
 * scores every account at every month end of the snapshot set and ranks against the labels. The
 * rule score reads some current-state data (renewal date, contact activity dates, active flags),
 * so a backtest is somewhat optimistic; the learned model's snapshots avoid those.
 */
export function backtestRuleScore(inputs: readonly ChurnInput[], config: ChurnConfig, options: Omit<SnapshotBuildOptions, keyof SnapshotOptions>): RuleBacktest {
  const { points } = snapshotPoints(inputs, options);
  const scores = points.map((p) => scoreChurn(p.input, config, null, `${p.t}T23:59:59.999Z`).score);
  const labels = points.map((p) => p.label);
  return {
    rows: points.length,
    positives: labels.reduce((s: number, y) => s + y, 0),
    rocAuc: rocAuc(scores, labels),
    topDecile: liftAtFraction(scores, labels, 0.1),
  };
}

/**
 * Time split: test = snapshots at t >= T0; train = snapshots whose whole horizon ends by T0
 * (t + horizon <= T0), so no training label is observed after T0.
 */
export function splitByTime(snapshots: readonly Snapshot[], t0: string, horizonDays: number): { train: Snapshot[]; test: Snapshot[] } {
  const t0Ms = Date.parse(`${t0.slice(0, 10)}T00:00:00Z`);
  const train: Snapshot[] = [];
  const test: Snapshot[] = [];
  for (const s of snapshots) {
    const tMs = Date.parse(`${s.t}T00:00:00Z`);
    if (tMs >= t0Ms) test.push(s);
    else if (tMs + horizonDays * DAY_MS <= t0Ms) train.push(s);
  }
  return { train, test };
}
