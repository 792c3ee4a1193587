/**
 * L2-regularised logistic regression, fitted exactly by Newton-Raphson (IRLS), with an
 * unpenalised intercept, plus the two encoding helpers it needs (standardisation and one-hot
 * with a dropped reference level). Pure, deterministic, no dependencies.
 *
 * Objective (minimised):  -Σ [y log p + (1-y) log(1-p)] + λ/2 Σ_j w_j²   (intercept not penalised)
 * Newton step:            (XᵀSX + λĨ) Δ = Xᵀ(p − y) + λw̃,  w ← w − Δ,   S = diag(p(1−p))
 * where Ĩ and w̃ zero the intercept's entry. The system is solved by Cholesky; a step that would
 * raise the objective is halved (guards near-separable data).
 */

/** Rows × cols, row-major. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

export function matrixFromRows(rows: readonly (readonly number[])[]): Matrix {
  const cols = rows[0]?.length ?? 0;
  const data = new Float64Array(rows.length * cols);
  rows.forEach((r, i) => {
    if (r.length !== cols) throw new Error(`matrixFromRows: row ${i} has ${r.length} values, expected ${cols}; every row needs the same features`);
    data.set(r, i * cols);
  });
  return { rows: rows.length, cols, data };
}

export interface LogisticOptions {
  /** L2 strength λ on the (standardised) coefficients; 0 is plain maximum likelihood. */
  lambda: number;
  maxIterations?: number;
  /** converged when the largest |Δ| of a Newton step is below this */
  tolerance?: number;
}

export interface LogisticModel {
  intercept: number;
  coefficients: number[];
  lambda: number;
  iterations: number;
  converged: boolean;
  /** the penalised objective at the solution */
  objective: number;
}

export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** log(1 + e^z) without overflow */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

function objective(x: Matrix, y: ArrayLike<number>, w: Float64Array, lambda: number): number {
  const d = x.cols;
  let loss = 0;
  for (let i = 0; i < x.rows; i++) {
    let z = w[0] as number;
    const off = i * d;
    for (let j = 0; j < d; j++) z += (w[j + 1] as number) * (x.data[off + j] as number);
    // -[y log σ(z) + (1-y) log(1-σ(z))] = softplus(z) - y z
    loss += softplus(z) - (y[i] as number) * z;
  }
  let pen = 0;
  for (let j = 1; j <= d; j++) pen += (w[j] as number) ** 2;
  return loss + (lambda / 2) * pen;
}

/**
 * Fits the model. `x` holds the features only (the intercept is added here); `y` is 0/1.
 * Throws on mismatched sizes, non-binary labels or a system that cannot be solved.
 */
export function fitLogistic(x: Matrix, y: ArrayLike<number>, options: LogisticOptions): LogisticModel {
  const { lambda, maxIterations = 50, tolerance = 1e-8 } = options;
  if (y.length !== x.rows) throw new Error(`fitLogistic: ${x.rows} rows but ${y.length} labels; pass one label per row`);
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 0 && y[i] !== 1) throw new Error(`fitLogistic: label ${i} is ${y[i]}; labels must be 0 or 1`);
  }
  if (!(lambda >= 0)) throw new Error(`fitLogistic: lambda ${lambda} must be >= 0`);
  const d = x.cols;
  const k = d + 1; // parameters: intercept, then coefficients
  const w = new Float64Array(k);
  // Start the intercept at the log-odds of the base rate: one Newton step less, and exact when there are no features.
  let positives = 0;
  for (let i = 0; i < y.length; i++) positives += y[i] as number;
  const rate = Math.min(1 - 1e-6, Math.max(1e-6, positives / Math.max(1, y.length)));
  w[0] = Math.log(rate / (1 - rate));

  const hessian = new Float64Array(k * k);
  const gradient = new Float64Array(k);
  const row = new Float64Array(k);
  let current = objective(x, y, w, lambda);
  let iterations = 0;
  let converged = false;

  while (iterations < maxIterations) {
    iterations++;
    hessian.fill(0);
    gradient.fill(0);
    row[0] = 1;
    for (let i = 0; i < x.rows; i++) {
      const off = i * d;
      let z = w[0] as number;
      for (let j = 0; j < d; j++) {
        const v = x.data[off + j] as number;
        row[j + 1] = v;
        z += (w[j + 1] as number) * v;
      }
      const p = sigmoid(z);
      const s = p * (1 - p);
      const r = p - (y[i] as number);
      for (let a = 0; a < k; a++) {
        const ra = row[a] as number;
        gradient[a] = (gradient[a] as number) + ra * r;
        const sa = s * ra;
        if (sa === 0) continue;
        const base = a * k;
        // lower triangle only; mirrored in the solve
        for (let b = 0; b <= a; b++) hessian[base + b] = (hessian[base + b] as number) + sa * (row[b] as number);
      }
    }
    for (let j = 1; j < k; j++) {
      gradient[j] = (gradient[j] as number) + lambda * (w[j] as number);
      hessian[j * k + j] = (hessian[j * k + j] as number) + lambda;
    }
    const step = choleskySolve(hessian, gradient, k);

    // Halve the step while it raises the objective (rare; only far from the optimum).
    let scale = 1;
    let next = new Float64Array(k);
    let nextObjective = Number.POSITIVE_INFINITY;
    for (let halvings = 0; halvings < 30; halvings++) {
      for (let j = 0; j < k; j++) next[j] = (w[j] as number) - scale * (step[j] as number);
      nextObjective = objective(x, y, next, lambda);
      if (nextObjective <= current + 1e-12 * Math.abs(current)) break;
      scale /= 2;
    }
    let largest = 0;
    for (let j = 0; j < k; j++) largest = Math.max(largest, Math.abs(scale * (step[j] as number)));
    if (nextObjective <= current + 1e-12 * Math.abs(current)) {
      w.set(next);
      current = nextObjective;
    }
    next = new Float64Array(0);
    if (largest < tolerance) {
      converged = true;
      break;
    }
  }
  return { intercept: w[0] as number, coefficients: Array.from(w.subarray(1)), lambda, iterations, converged, objective: current };
}

/**
 * Solves A z = b for symmetric positive-definite A given by its lower triangle (row-major k×k).
 * A tiny ridge is added if rounding makes a pivot non-positive (e.g. a constant column with λ=0).
 */
export function choleskySolve(lower: Float64Array, b: Float64Array, k: number): Float64Array {
  for (let jitter = 0; jitter < 6; jitter++) {
    const ridge = jitter === 0 ? 0 : 1e-10 * 100 ** (jitter - 1);
    const l = new Float64Array(k * k);
    let ok = true;
    for (let i = 0; i < k && ok; i++) {
      for (let j = 0; j <= i; j++) {
        let sum = (lower[i * k + j] as number) + (i === j ? ridge : 0);
        for (let m = 0; m < j; m++) sum -= (l[i * k + m] as number) * (l[j * k + m] as number);
        if (i === j) {
          if (!(sum > 0)) {
            ok = false;
            break;
          }
          l[i * k + i] = Math.sqrt(sum);
        } else {
          l[i * k + j] = sum / (l[j * k + j] as number);
        }
      }
    }
    if (!ok) continue;
    const z = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      let sum = b[i] as number;
      for (let m = 0; m < i; m++) sum -= (l[i * k + m] as number) * (z[m] as number);
      z[i] = sum / (l[i * k + i] as number);
    }
    for (let i = k - 1; i >= 0; i--) {
      let sum = z[i] as number;
      for (let m = i + 1; m < k; m++) sum -= (l[m * k + i] as number) * (z[m] as number);
      z[i] = sum / (l[i * k + i] as number);
    }
    return z;
  }
  throw new Error('choleskySolve: the Newton system is not positive definite even with a ridge; check for NaN features or use lambda > 0');
}

/** Linear predictor (log-odds) of one row. */
export function logOdds(model: Pick<LogisticModel, 'intercept' | 'coefficients'>, row: ArrayLike<number>): number {
  let z = model.intercept;
  for (let j = 0; j < model.coefficients.length; j++) z += (model.coefficients[j] as number) * (row[j] as number);
  return z;
}

export function predictProbability(model: Pick<LogisticModel, 'intercept' | 'coefficients'>, row: ArrayLike<number>): number {
  return sigmoid(logOdds(model, row));
}

/** Probabilities for every row of a matrix. */
export function predictAll(model: Pick<LogisticModel, 'intercept' | 'coefficients'>, x: Matrix): number[] {
  const out = new Array<number>(x.rows);
  for (let i = 0; i < x.rows; i++) out[i] = predictProbability(model, x.data.subarray(i * x.cols, (i + 1) * x.cols));
  return out;
}

export interface Contribution {
  feature: string;
  /** coefficient × standardised value: log-odds this feature adds against an average row */
  contribution: number;
}

/** Per-feature contributions of one standardised row, largest |contribution| first. */
export function contributions(
  model: Pick<LogisticModel, 'coefficients'>,
  row: ArrayLike<number>,
  names: readonly string[],
): Contribution[] {
  return model.coefficients
    .map((c, j) => ({ feature: names[j] ?? `x${j}`, contribution: c * (row[j] as number) }))
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution) || a.feature.localeCompare(b.feature));
}

/** Column means and (population) standard deviations, learned on training rows only. */
export interface Standardizer {
  means: number[];
  sds: number[];
}

/** A constant column gets sd 1, so it standardises to 0 instead of NaN. */
export function fitStandardizer(x: Matrix): Standardizer {
  const means = new Array<number>(x.cols).fill(0);
  const sds = new Array<number>(x.cols).fill(0);
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < x.cols; j++) means[j] = (means[j] as number) + (x.data[i * x.cols + j] as number);
  for (let j = 0; j < x.cols; j++) means[j] = (means[j] as number) / Math.max(1, x.rows);
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < x.cols; j++) sds[j] = (sds[j] as number) + ((x.data[i * x.cols + j] as number) - (means[j] as number)) ** 2;
  }
  for (let j = 0; j < x.cols; j++) {
    const sd = Math.sqrt((sds[j] as number) / Math.max(1, x.rows));
    sds[j] = sd > 1e-12 ? sd : 1;
  }
  return { means, sds };
}

export function standardize(x: Matrix, s: Standardizer): Matrix {
  if (s.means.length !== x.cols) throw new Error(`standardize: matrix has ${x.cols} columns, standardizer ${s.means.length}`);
  const data = new Float64Array(x.data.length);
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < x.cols; j++) data[i * x.cols + j] = ((x.data[i * x.cols + j] as number) - (s.means[j] as number)) / (s.sds[j] as number);
  }
  return { rows: x.rows, cols: x.cols, data };
}

export function standardizeRow(row: ArrayLike<number>, s: Standardizer): number[] {
  return s.means.map((m, j) => ((row[j] as number) - m) / (s.sds[j] as number));
}

/**
 * One-hot levels for a categorical column: the sorted distinct values, the first of which is the
 * dropped reference level (encoded as all zeros, as is any value not seen in training).
 */
export function oneHotLevels(values: Iterable<string>): { reference: string; levels: string[] } {
  const distinct = [...new Set(values)].sort();
  if (distinct.length === 0) throw new Error('oneHotLevels: no values to learn levels from');
  return { reference: distinct[0] as string, levels: distinct.slice(1) };
}

export function oneHot(value: string, levels: readonly string[]): number[] {
  return levels.map((l) => (l === value ? 1 : 0));
}
