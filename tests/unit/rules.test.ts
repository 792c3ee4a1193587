/**
 * Association rules: support, confidence and lift (analytics.md 1.3) on a hand-counted basket set,
 * and arules' reference result on the Groceries data when the shared datasets are present.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { associationRules, mineFrequentItemsets, ruleMetrics } from '../../src/domain/rules.js';

// Counts: bread 4, milk 4, diapers 4, beer 3, cola 2, eggs 1 (N = 5).
const baskets = [
  ['bread', 'milk'],
  ['bread', 'diapers', 'beer', 'eggs'],
  ['milk', 'diapers', 'beer', 'cola'],
  ['bread', 'milk', 'diapers', 'beer'],
  ['bread', 'milk', 'diapers', 'cola'],
];

describe('ruleMetrics', () => {
  it('computes support, confidence and lift from counts', () => {
    // {beer} ⇒ {diapers}: 3 of 5 baskets hold both, beer 3, diapers 4.
    expect(ruleMetrics({ antecedent: 3, rule: 3, consequent: 4, transactions: 5 })).toEqual({
      support: 0.6,
      confidence: 1,
      lift: 1.25,
    });
    expect(ruleMetrics({ antecedent: 0, rule: 0, consequent: 0, transactions: 0 })).toEqual({
      support: 0,
      confidence: 0,
      lift: 0,
    });
  });
});

describe('mineFrequentItemsets', () => {
  it('finds every itemset with count ≥ minSupport·N, sorted by size, count, names', () => {
    const sets = mineFrequentItemsets(baskets, { minSupport: 0.6 });
    expect(sets.map((s) => [s.items.join('+'), s.count])).toEqual([
      ['bread', 4],
      ['diapers', 4],
      ['milk', 4],
      ['beer', 3],
      ['beer+diapers', 3],
      ['bread+diapers', 3],
      ['bread+milk', 3],
      ['diapers+milk', 3],
    ]);
    expect(sets[0]!.support).toBe(0.8);
  });

  it('finds triples at a lower support and stops at maxLength', () => {
    const sets = mineFrequentItemsets(baskets, { minSupport: 0.4 });
    expect(sets.filter((s) => s.items.length === 3).map((s) => [s.items.join('+'), s.count])).toEqual([
      ['beer+bread+diapers', 2],
      ['beer+diapers+milk', 2],
      ['bread+diapers+milk', 2],
      ['cola+diapers+milk', 2],
    ]);
    expect(mineFrequentItemsets(baskets, { minSupport: 0.4, maxLength: 2 }).every((s) => s.items.length <= 2)).toBe(true);
  });

  it('counts an item listed twice in a basket once', () => {
    expect(mineFrequentItemsets([['a', 'a'], ['a']], { minSupport: 1 })).toEqual([
      { items: ['a'], count: 2, support: 1 },
    ]);
  });

  it('refuses a support that is not a fraction', () => {
    expect(() => mineFrequentItemsets(baskets, { minSupport: 3 })).toThrow(/minSupport must be in \(0, 1\]/);
  });
});

describe('associationRules', () => {
  it('derives single-consequent rules above the confidence floor, by lift, confidence, support, names', () => {
    const sets = mineFrequentItemsets(baskets, { minSupport: 0.6 });
    const rules = associationRules(sets, baskets.length, { minConfidence: 0.7 });
    expect(rules.map((r) => [`${r.antecedent.join('+')} => ${r.consequent}`, r.confidence, r.lift])).toEqual([
      ['beer => diapers', 1, 1.25],
      ['diapers => beer', 0.75, 1.25],
      ['bread => diapers', 0.75, 0.9375],
      ['bread => milk', 0.75, 0.9375],
      ['diapers => bread', 0.75, 0.9375],
      ['diapers => milk', 0.75, 0.9375],
      ['milk => bread', 0.75, 0.9375],
      ['milk => diapers', 0.75, 0.9375],
    ]);
    expect(rules[0]).toMatchObject({ count: 3, support: 0.6 });
    expect(associationRules(sets, baskets.length, { minConfidence: 0.7, minLift: 1 })).toHaveLength(2);
  });

  it('says so when a subset of an itemset is missing', () => {
    const sets = mineFrequentItemsets(baskets, { minSupport: 0.6 }).filter((s) => s.items.length === 2);
    expect(() => associationRules(sets, baskets.length, { minConfidence: 0.5 })).toThrow(/is missing/);
  });
});

const datasets = process.env.ACCOUNTPULSE_DATASETS ?? fileURLToPath(new URL('../../../shared/datasets', import.meta.url));
const groceries = join(datasets, 'groceries_arules', 'groceries.csv');
const haveGroceries = existsSync(groceries);
if (!haveGroceries) console.warn(`rules.test: skipped the Groceries check: ${groceries} not found`);

describe.skipIf(!haveGroceries)('Groceries (R arules reference)', () => {
  const transactions = haveGroceries
    ? readFileSync(groceries, 'utf8')
        .split('\n')
        .filter((line) => line.trim())
        .map((line) => line.split(',').map((item) => item.trim()))
    : [];

  it('reproduces apriori(Groceries, supp = 0.001, conf = 0.8): 410 rules, top {liquor, red/blush wine} => {bottled beer}', () => {
    expect(transactions).toHaveLength(9835);
    const sets = mineFrequentItemsets(transactions, { minSupport: 0.001 });
    expect(sets).toHaveLength(13492);
    const rules = associationRules(sets, transactions.length, { minConfidence: 0.8 });
    expect(rules).toHaveLength(410);
    const top = rules[0]!;
    expect(top.antecedent).toEqual(['liquor', 'red/blush wine']);
    expect(top.consequent).toBe('bottled beer');
    expect(top.count).toBe(19);
    expect(top.support).toBeCloseTo(0.00193, 5);
    expect(top.confidence).toBeCloseTo(0.905, 3);
    expect(top.lift).toBeCloseTo(11.235, 3);
  });

  it('finds 333 frequent itemsets at supp = 0.01', () => {
    expect(mineFrequentItemsets(transactions, { minSupport: 0.01 })).toHaveLength(333);
  });
});
