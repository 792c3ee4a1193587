/**
 * Evaluation metrics for churn scores (analytics.md 1.2, "Evaluation"). Scores may be
 * probabilities or any ranking (the rule score); labels are 0/1 (1 = churned). A metric that is
 * undefined for the data (one class only, empty input) is null, never NaN. Pure.
 */

function check(scores: ArrayLike<number>, labels: ArrayLike<number>, what: string): void {
  if (scores.length !== labels.length) throw new Error(`${what}: ${scores.length} scores but ${labels.length} labels; pass one label per score`);
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i])) throw new Error(`${what}: score ${i} is ${scores[i]}; scores must be finite numbers`);
    if (labels[i] !== 0 && labels[i] !== 1) throw new Error(`${what}: label ${i} is ${labels[i]}; labels must be 0 or 1`);
  }
}

function positivesOf(labels: ArrayLike<number>): number {
  let p = 0;
  for (let i = 0; i < labels.length; i++) p += labels[i] as number;
  return p;
}

/** Indices by score, highest first (stable: equal scores keep input order). */
function byScoreDescending(scores: ArrayLike<number>): number[] {
  return Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
}

/**
 * ROC AUC as the Mann-Whitney statistic with tie-averaged ranks: the probability that a random
 * positive scores above a random negative, ties counting one half.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  check(scores, labels, 'rocAuc');
  const n = scores.length;
  const pos = positivesOf(labels);
  const neg = n - pos;
  if (pos === 0 || neg === 0) return null;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let rankSumPositives = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1] as number] === scores[order[i] as number]) j++;
    const averageRank = (i + j + 2) / 2; // ranks are 1-based
    for (let m = i; m <= j; m++) if (labels[order[m] as number] === 1) rankSumPositives += averageRank;
    i = j + 1;
  }
  return (rankSumPositives - (pos * (pos + 1)) / 2) / (pos * neg);
}

/**
 * PR AUC as average precision (sklearn's definition): Σ over distinct score thresholds, highest
 * first, of (recall gained) × (precision at that threshold). Tied scores form one threshold.
 */
export function prAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  check(scores, labels, 'prAuc');
  const pos = positivesOf(labels);
  if (pos === 0) return null;
  const order = byScoreDescending(scores);
  let tp = 0;
  let seen = 0;
  let ap = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    let groupTp = 0;
    while (j < order.length && scores[order[j] as number] === scores[order[i] as number]) {
      groupTp += labels[order[j] as number] as number;
      j++;
    }
    tp += groupTp;
    seen += j - i;
    if (groupTp > 0) ap += (groupTp / pos) * (tp / seen);
    i = j;
  }
  return ap;
}

/**
 * Precision among the k highest scores. When the k-th place falls inside a group of tied scores,
 * the group counts in proportion (the expected precision over every order of the ties), so the
 * figure does not depend on input order.
 */
export function precisionAtK(scores: ArrayLike<number>, labels: ArrayLike<number>, k: number): number | null {
  check(scores, labels, 'precisionAtK');
  if (!Number.isInteger(k) || k < 1) throw new Error(`precisionAtK: k is ${k}; pass a whole number >= 1`);
  if (scores.length === 0) return null;
  const take = Math.min(k, scores.length);
  const order = byScoreDescending(scores);
  let hits = 0;
  let taken = 0;
  for (let i = 0; i < order.length && taken < take; ) {
    let j = i;
    let groupPos = 0;
    while (j < order.length && scores[order[j] as number] === scores[order[i] as number]) {
      groupPos += labels[order[j] as number] as number;
      j++;
    }
    const size = j - i;
    const used = Math.min(size, take - taken);
    hits += (groupPos * used) / size;
    taken += used;
    i = j;
  }
  return hits / take;
}

/** k for the top fraction of n rows: round(n × fraction), at least 1. */
export function topK(n: number, fraction: number): number {
  if (!(fraction > 0 && fraction <= 1)) throw new Error(`topK: fraction ${fraction} must be in (0, 1]`);
  return Math.max(1, Math.round(n * fraction));
}

/** Precision and lift (precision ÷ base rate) in the top fraction (default the top decile). */
export function liftAtFraction(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  fraction = 0.1,
): { k: number; precision: number; lift: number } | null {
  check(scores, labels, 'liftAtFraction');
  const pos = positivesOf(labels);
  if (scores.length === 0 || pos === 0) return null;
  const k = topK(scores.length, fraction);
  const precision = precisionAtK(scores, labels, k) as number;
  return { k, precision, lift: precision / (pos / scores.length) };
}

/** Mean squared error of probabilities against 0/1 outcomes. */
export function brierScore(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  check(probabilities, labels, 'brierScore');
  if (probabilities.length === 0) return null;
  let sum = 0;
  for (let i = 0; i < probabilities.length; i++) sum += ((probabilities[i] as number) - (labels[i] as number)) ** 2;
  return sum / probabilities.length;
}

/** Brier score of predicting the same probability for everyone (e.g. the training base rate). */
export function constantBrier(probability: number, labels: ArrayLike<number>): number | null {
  return brierScore(Array.from({ length: labels.length }, () => probability), labels);
}

export interface CalibrationBin {
  lower: number;
  upper: number;
  count: number;
  /** null for an empty bin */
  meanPredicted: number | null;
  observedRate: number | null;
}

/**
 * Equal-width calibration table (sklearn calibration_curve's binning): bin i holds
 * probabilities in [i/bins, (i+1)/bins), the last bin also holds 1. Empty bins are kept, with nulls.
 */
export function calibrationTable(probabilities: ArrayLike<number>, labels: ArrayLike<number>, bins = 10): CalibrationBin[] {
  check(probabilities, labels, 'calibrationTable');
  const sums = Array.from({ length: bins }, () => ({ count: 0, predicted: 0, positives: 0 }));
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i] as number;
    if (p < 0 || p > 1) throw new Error(`calibrationTable: probability ${i} is ${p}; it must be in [0, 1]`);
    // Count the inner edges at or below p (as sklearn's searchsorted does), not floor(p × bins), which rounds 0.3 × 10 wrongly.
    let b = 0;
    while (b < bins - 1 && p >= (b + 1) / bins) b++;
    const s = sums[b] as (typeof sums)[number];
    s.count++;
    s.predicted += p;
    s.positives += labels[i] as number;
  }
  return sums.map((s, i) => ({
    lower: i / bins,
    upper: (i + 1) / bins,
    count: s.count,
    meanPredicted: s.count ? s.predicted / s.count : null,
    observedRate: s.count ? s.positives / s.count : null,
  }));
}
