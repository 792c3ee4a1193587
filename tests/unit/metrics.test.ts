import { describe, expect, it } from 'vitest';
import {
  brierScore,
  calibrationTable,
  constantBrier,
  liftAtFraction,
  prAuc,
  precisionAtK,
  rocAuc,
  topK,
} from '../../src/domain/learn/metrics.js';

describe('rocAuc', () => {
  it('is the share of positive-negative pairs ranked right', () => {
    // pairs: 0.35 beats 0.1 but not 0.4; 0.8 beats both -> 3/4
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
    expect(rocAuc([1, 2, 3, 4], [0, 0, 1, 1])).toBe(1);
    expect(rocAuc([4, 3, 2, 1], [0, 0, 1, 1])).toBe(0);
  });

  it('counts ties as one half (tie-averaged ranks)', () => {
    // positives 2 and 3 against negatives 1 and 2: 1 + 0.5 + 1 + 1 = 3.5 of 4
    expect(rocAuc([1, 2, 2, 3], [0, 0, 1, 1])).toBe(0.875);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
  });

  it('is null, not NaN, with one class only or no rows', () => {
    expect(rocAuc([0.2, 0.9], [1, 1])).toBeNull();
    expect(rocAuc([0.2, 0.9], [0, 0])).toBeNull();
    expect(rocAuc([], [])).toBeNull();
  });

  it('rejects bad input with a message saying what to fix', () => {
    expect(() => rocAuc([0.1], [0, 1])).toThrow('rocAuc: 1 scores but 2 labels; pass one label per score');
    expect(() => rocAuc([Number.NaN, 1], [0, 1])).toThrow('rocAuc: score 0 is NaN; scores must be finite numbers');
    expect(() => rocAuc([0, 1], [0, 2])).toThrow('rocAuc: label 1 is 2; labels must be 0 or 1');
  });
});

describe('prAuc (average precision)', () => {
  it('sums recall gained × precision at each threshold', () => {
    // 0.8 (+): P 1, R 0.5; 0.4 (-); 0.35 (+): P 2/3, R 1 -> 0.5 + 1/3
    expect(prAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(5 / 6, 12);
  });

  it('treats tied scores as one threshold', () => {
    // {0.5, 0.5}: 1 of 2 positive, R 0.5, P 0.5; then 0.2 (+): R 1, P 2/3 -> 0.25 + 1/3
    expect(prAuc([0.5, 0.5, 0.2], [1, 0, 1])).toBeCloseTo(7 / 12, 12);
    expect(prAuc([0.5, 0.5, 0.2], [0, 1, 1])).toBeCloseTo(7 / 12, 12);
  });

  it('is 1 when every row is positive and null with no positives', () => {
    expect(prAuc([0.3, 0.1], [1, 1])).toBe(1);
    expect(prAuc([0.3, 0.1], [0, 0])).toBeNull();
  });
});

describe('precision@k and lift', () => {
  const scores = [0.9, 0.8, 0.8, 0.8, 0.1];
  const labels = [1, 1, 0, 0, 1];

  it('takes the k highest scores; a tie at the cut counts in proportion', () => {
    expect(precisionAtK(scores, labels, 1)).toBe(1);
    // 0.9 (+) then one of three tied 0.8 rows holding 1 positive: (1 + 1/3) / 2
    expect(precisionAtK(scores, labels, 2)).toBeCloseTo(2 / 3, 12);
    expect(precisionAtK(scores, labels, 4)).toBe(0.5);
    expect(precisionAtK(scores, labels, 10)).toBe(0.6);
    expect(precisionAtK([], [], 3)).toBeNull();
    expect(() => precisionAtK(scores, labels, 0)).toThrow('precisionAtK: k is 0; pass a whole number >= 1');
  });

  it('does not depend on the input order of ties', () => {
    expect(precisionAtK([0.8, 0.8, 0.9, 0.8, 0.1], [0, 0, 1, 1, 1], 2)).toBeCloseTo(2 / 3, 12);
  });

  it('lift in the top decile is its precision over the base rate', () => {
    const s = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
    const y = [1, 0, 1, 0, 0, 0, 0, 1, 0, 0];
    expect(liftAtFraction(s, y, 0.1)).toEqual({ k: 1, precision: 1, lift: 1 / 0.3 });
    expect(liftAtFraction(s, y, 0.2)).toEqual({ k: 2, precision: 0.5, lift: 0.5 / 0.3 });
    expect(liftAtFraction(s, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 0.1)).toBeNull();
    expect(topK(1409, 0.1)).toBe(141);
    expect(topK(3, 0.1)).toBe(1);
  });
});

describe('Brier score', () => {
  it('is the mean squared error of the probabilities', () => {
    expect(brierScore([0.1, 0.9, 0.5], [0, 1, 1])).toBeCloseTo(0.27 / 3, 12);
    expect(constantBrier(0.5, [0, 1])).toBe(0.25);
    // constant 0.25 on a 1-in-4 set: 0.25 × 0.75
    expect(constantBrier(0.25, [1, 0, 0, 0])).toBe(0.1875);
    expect(brierScore([], [])).toBeNull();
  });
});

describe('calibrationTable', () => {
  it('uses 10 equal-width bins, edges belonging to the upper bin, 1.0 to the last; empty bins kept', () => {
    const table = calibrationTable([0, 0.05, 0.1, 0.3, 0.95, 1.0], [0, 0, 1, 1, 1, 0]);
    expect(table).toHaveLength(10);
    expect(table[0]).toEqual({ lower: 0, upper: 0.1, count: 2, meanPredicted: 0.025, observedRate: 0 });
    expect(table[1]).toEqual({ lower: 0.1, upper: 0.2, count: 1, meanPredicted: 0.1, observedRate: 1 });
    expect(table[2]).toEqual({ lower: 0.2, upper: 0.3, count: 0, meanPredicted: null, observedRate: null });
    expect(table[3]).toMatchObject({ count: 1, meanPredicted: 0.3, observedRate: 1 });
    expect(table[9]).toMatchObject({ count: 2, meanPredicted: 0.975, observedRate: 0.5 });
    expect(table.reduce((s, b) => s + b.count, 0)).toBe(6);
  });

  it('rejects probabilities outside [0, 1]', () => {
    expect(() => calibrationTable([1.2], [1])).toThrow('calibrationTable: probability 0 is 1.2; it must be in [0, 1]');
  });
});
