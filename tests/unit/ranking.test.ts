/**
 * Ranking metrics, pinned by hand.
 *
 * ranked = [a, b, c, d, e], relevant = {b, d}:
 *   HR@1 = 0, HR@3 = 1; P@1 = 0, P@3 = 1/3, P@5 = 2/5
 *   AP@5 = (1/2 + 2/4) / min(5, 2) = 0.5;  AP@3 = (1/2) / 2 = 0.25
 *   NDCG@5 = (1/log2 3 + 1/log2 5) / (1 + 1/log2 3)
 */
import { describe, expect, it } from 'vitest';
import {
  RankingEvaluator,
  averagePrecisionAtK,
  hitRateAtK,
  ndcgAtK,
  precisionAtK,
} from '../../src/domain/learn/ranking.js';

const ranked = ['a', 'b', 'c', 'd', 'e'];
const relevant = new Set(['b', 'd']);

describe('ranking metrics', () => {
  it('hit rate', () => {
    expect(hitRateAtK(ranked, relevant, 1)).toBe(0);
    expect(hitRateAtK(ranked, relevant, 2)).toBe(1);
    expect(hitRateAtK(ranked, relevant, 10)).toBe(1);
    expect(hitRateAtK(ranked, new Set(['z']), 10)).toBe(0);
  });

  it('precision divides by k even when the list is shorter', () => {
    expect(precisionAtK(ranked, relevant, 1)).toBe(0);
    expect(precisionAtK(ranked, relevant, 3)).toBeCloseTo(1 / 3, 12);
    expect(precisionAtK(ranked, relevant, 5)).toBe(0.4);
    expect(precisionAtK(ranked, relevant, 10)).toBe(0.2);
  });

  it('average precision divides by min(k, relevant)', () => {
    expect(averagePrecisionAtK(ranked, relevant, 5)).toBe(0.5);
    expect(averagePrecisionAtK(ranked, relevant, 3)).toBe(0.25);
    expect(averagePrecisionAtK(['x', 'y'], new Set(['y']), 10)).toBe(0.5);
    expect(averagePrecisionAtK(ranked, new Set(), 10)).toBe(0);
  });

  it('NDCG', () => {
    const expected = (1 / Math.log2(3) + 1 / Math.log2(5)) / (1 + 1 / Math.log2(3));
    expect(ndcgAtK(ranked, relevant, 5)).toBeCloseTo(expected, 12);
    expect(ndcgAtK(['b', 'd'], relevant, 5)).toBe(1);
  });
});

describe('RankingEvaluator', () => {
  it('averages over users with a relevant item and skips the others', () => {
    const evaluator = new RankingEvaluator({ ks: [1, 3], mapK: 5 });
    evaluator.add(ranked, relevant); // HR@1 0, HR@3 1, P@3 1/3, AP@5 0.5
    evaluator.add(['d', 'a'], new Set(['d'])); // HR@1 1, HR@3 1, P@3 1/3, AP@5 1
    evaluator.add(ranked, new Set()); // skipped
    const summary = evaluator.summary();
    expect(summary.users).toBe(2);
    expect(summary.hitRate).toEqual({ 1: 0.5, 3: 1 });
    expect(summary.precision[1]).toBe(0.5);
    expect(summary.precision[3]).toBeCloseTo(1 / 3, 12);
    expect(summary.map).toBe(0.75);
    expect(summary.mapK).toBe(5);
  });

  it('reports zeros with no users and refuses bad cut-offs', () => {
    expect(new RankingEvaluator({ ks: [10] }).summary()).toEqual({
      users: 0,
      hitRate: { 10: 0 },
      precision: { 10: 0 },
      map: 0,
      ndcg: 0,
      mapK: 10,
    });
    expect(() => new RankingEvaluator({ ks: [0] })).toThrow(/positive integers/);
  });
});
