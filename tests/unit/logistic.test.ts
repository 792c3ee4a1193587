import { describe, expect, it } from 'vitest';
import {
  contributions,
  fitLogistic,
  fitStandardizer,
  matrixFromRows,
  oneHot,
  oneHotLevels,
  predictAll,
  predictProbability,
  sigmoid,
  standardize,
} from '../../src/domain/learn/logistic.js';

const LN3 = Math.log(3);

describe('fitLogistic (Newton/IRLS)', () => {
  it('without features the intercept is the log-odds of the base rate', () => {
    const fit = fitLogistic({ rows: 4, cols: 0, data: new Float64Array(0) }, [1, 0, 0, 0], { lambda: 1 });
    expect(fit.intercept).toBeCloseTo(-LN3, 10);
    expect(fit.coefficients).toEqual([]);
    expect(fit.converged).toBe(true);
  });

  it('one binary feature, no penalty: the closed form logit(rate | x=1) − logit(rate | x=0)', () => {
    // x=0: 1 of 4 churned; x=1: 3 of 4 churned
    const x = matrixFromRows([[0], [0], [0], [0], [1], [1], [1], [1]]);
    const fit = fitLogistic(x, [1, 0, 0, 0, 1, 1, 1, 0], { lambda: 0 });
    expect(fit.intercept).toBeCloseTo(-LN3, 9);
    expect(fit.coefficients[0]).toBeCloseTo(2 * LN3, 9);
    expect(fit.converged).toBe(true);
    expect(fit.iterations).toBeLessThan(10);
  });

  it('symmetric data with L2: intercept 0 and w solving 8σ(w) − 6 + λw = 0 (λ=1: w = 0.683624 by bisection)', () => {
    const x = matrixFromRows([[-1], [-1], [-1], [-1], [1], [1], [1], [1]]);
    const y = [1, 0, 0, 0, 1, 1, 1, 0];
    expect(fitLogistic(x, y, { lambda: 0 }).coefficients[0]).toBeCloseTo(LN3, 9);
    const fit = fitLogistic(x, y, { lambda: 1 });
    expect(fit.intercept).toBeCloseTo(0, 10);
    expect(fit.coefficients[0]).toBeCloseTo(0.6836238387577511, 9);
  });

  it('separable data stays finite under L2: w solves 2σ(w) − 2 + w = 0 (w = 0.674832)', () => {
    const fit = fitLogistic(matrixFromRows([[-1], [1]]), [0, 1], { lambda: 1 });
    expect(fit.intercept).toBeCloseTo(0, 10);
    expect(fit.coefficients[0]).toBeCloseTo(0.6748316143423994, 9);
    expect(fit.converged).toBe(true);
  });

  it('does not penalise the intercept: a huge λ zeroes the slopes but keeps the base rate', () => {
    const x = matrixFromRows([[1, 5], [2, 3], [3, 1], [4, 0], [5, 2], [6, 9], [7, 4], [8, 8]]);
    const fit = fitLogistic(x, [1, 0, 0, 0, 1, 0, 0, 0], { lambda: 1e9 });
    expect(Math.abs(fit.coefficients[0] as number)).toBeLessThan(1e-7);
    expect(Math.abs(fit.coefficients[1] as number)).toBeLessThan(1e-7);
    expect(fit.intercept).toBeCloseTo(-LN3, 6);
  });

  it('matches plain gradient descent on the same penalised objective (two correlated features)', () => {
    const rows = [
      [0.5, 1.2], [-1.1, -0.3], [0.3, 0.8], [1.7, 1.1], [-0.4, -1.5], [0.9, -0.2], [-1.6, -0.9], [1.2, 2.0],
      [0.0, 0.4], [-0.7, 0.1], [2.1, 1.4], [-0.2, -0.6], [0.8, 0.3], [-1.3, -1.8], [0.6, 0.9], [1.4, 0.2],
    ];
    const y = [1, 0, 1, 1, 0, 0, 0, 1, 0, 1, 1, 0, 1, 0, 0, 1];
    const lambda = 0.5;
    const fit = fitLogistic(matrixFromRows(rows), y, { lambda });
    // Independent optimiser: fixed-step gradient descent, run to a gradient of ~0.
    let w = [0, 0, 0];
    for (let it = 0; it < 20000; it++) {
      const g = [0, lambda * (w[1] as number), lambda * (w[2] as number)];
      rows.forEach((r, i) => {
        const p = sigmoid((w[0] as number) + (w[1] as number) * (r[0] as number) + (w[2] as number) * (r[1] as number));
        const e = p - (y[i] as number);
        g[0] = (g[0] as number) + e;
        g[1] = (g[1] as number) + e * (r[0] as number);
        g[2] = (g[2] as number) + e * (r[1] as number);
      });
      w = w.map((v, j) => v - 0.05 * (g[j] as number));
    }
    expect(fit.intercept).toBeCloseTo(w[0] as number, 6);
    expect(fit.coefficients[0]).toBeCloseTo(w[1] as number, 6);
    expect(fit.coefficients[1]).toBeCloseTo(w[2] as number, 6);
    expect(predictAll(fit, matrixFromRows(rows))[0]).toBeCloseTo(predictProbability(fit, rows[0] as number[]), 15);
  });

  it('rejects labels that are not 0/1 and mismatched sizes', () => {
    expect(() => fitLogistic(matrixFromRows([[1], [2]]), [0, 2], { lambda: 1 })).toThrow('fitLogistic: label 1 is 2; labels must be 0 or 1');
    expect(() => fitLogistic(matrixFromRows([[1], [2]]), [0], { lambda: 1 })).toThrow('fitLogistic: 2 rows but 1 labels; pass one label per row');
    expect(() => matrixFromRows([[1, 2], [3]])).toThrow('matrixFromRows: row 1 has 1 values, expected 2');
  });
});

describe('standardisation and one-hot', () => {
  it('learns population mean and sd per column; a constant column gets sd 1', () => {
    const x = matrixFromRows([[1, 7], [3, 7], [5, 7]]);
    const s = fitStandardizer(x);
    expect(s.means).toEqual([3, 7]);
    expect(s.sds[0]).toBeCloseTo(Math.sqrt(8 / 3), 12);
    expect(s.sds[1]).toBe(1);
    expect(Array.from(standardize(x, s).data).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([-1.224745, 0, 0, 0, 1.224745, 0]);
  });

  it('drops the first sorted level; unknown values encode as the reference (all zeros)', () => {
    const { reference, levels } = oneHotLevels(['Two year', 'Month-to-month', 'One year', 'Month-to-month']);
    expect(reference).toBe('Month-to-month');
    expect(levels).toEqual(['One year', 'Two year']);
    expect(oneHot('Two year', levels)).toEqual([0, 1]);
    expect(oneHot('Month-to-month', levels)).toEqual([0, 0]);
    expect(oneHot('Three year', levels)).toEqual([0, 0]);
  });

  it('contributions are coefficient × value, largest magnitude first', () => {
    expect(contributions({ coefficients: [0.5, -2, 1] }, [2, 1, 0.5], ['a', 'b', 'c'])).toEqual([
      { feature: 'b', contribution: -2 },
      { feature: 'a', contribution: 1 },
      { feature: 'c', contribution: 0.5 },
    ]);
  });
});
