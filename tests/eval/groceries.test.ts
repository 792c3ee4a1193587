/**
 * Cross-sell hold-out evaluation on real data (scripts/eval/groceries-crosssell.ts), when the
 * shared datasets are present: the popularity baseline must match analytics.md's figures, and the
 * production scorer must be within 2 points of popularity on HR@10 or better.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  findDatasetsDir,
  runGroceriesEvaluation,
  runTelcoEvaluation,
} from '../../scripts/eval/groceries-crosssell.js';

const datasets = findDatasetsDir();
const haveGroceries = datasets !== null && existsSync(join(datasets, 'groceries_members', 'Groceries_dataset.csv'));
const haveTelco = datasets !== null && existsSync(join(datasets, 'ibm_telco_churn', 'Telco-Customer-Churn.csv'));
if (!haveGroceries) console.warn('groceries.test: skipped the Groceries evaluation: datasets not found');

describe.skipIf(!haveGroceries)('Groceries members: newest items of the last visit held out', () => {
  const result = haveGroceries ? runGroceriesEvaluation(datasets!) : null;

  it('evaluates 3,477 members over 167 items, popularity HR@10 0.655 and MAP@10 0.167', () => {
    expect(result!.users).toBe(3477);
    expect(result!.items).toBe(167);
    const popularity = result!.scorers.popularity;
    expect(popularity.hitRate[10]).toBeCloseTo(0.655, 3);
    expect(popularity.map).toBeCloseTo(0.167, 3);
  });

  it('matches analytics.md for cosine, confidence-sum and lift-sum', () => {
    const { cosine, confidence_sum, lift_sum } = result!.scorers;
    expect([cosine.hitRate[10], cosine.map].map((x) => x!.toFixed(3))).toEqual(['0.646', '0.166']);
    expect([confidence_sum.hitRate[10], confidence_sum.map].map((x) => x!.toFixed(3))).toEqual(['0.648', '0.166']);
    expect([lift_sum.hitRate[10], lift_sum.map].map((x) => x!.toFixed(3))).toEqual(['0.021', '0.002']);
  });

  it('keeps the production scorer within 2 points of popularity on HR@10', () => {
    const { production, popularity } = result!.scorers;
    expect(production.users).toBe(3477);
    expect(production.hitRate[10]!).toBeGreaterThanOrEqual(popularity.hitRate[10]! - 0.02);
  });
});

describe.skipIf(!haveTelco)('Telco add-on services: one of ≥ 3 owned hidden', () => {
  it('evaluates 4,920 customers; confidence-sum and production beat popularity on HR@1', () => {
    const result = runTelcoEvaluation(datasets!);
    expect(result.users).toBe(4920);
    expect(result.items).toBe(9);
    const { popularity, confidence_sum, production, lift_sum } = result.scorers;
    expect(popularity.hitRate[1]!).toBeCloseTo(0.593, 1);
    expect(confidence_sum.hitRate[1]!).toBeGreaterThan(popularity.hitRate[1]!);
    expect(production.hitRate[1]!).toBeGreaterThan(popularity.hitRate[1]!);
    expect(lift_sum.hitRate[1]!).toBeLessThan(0.3);
  });
});

describe('datasets location', () => {
  it('prints "skipped: datasets not found" and exits 0 when the folder is absent', () => {
    expect(findDatasetsDir({ ACCOUNTPULSE_DATASETS: '/nonexistent/datasets' })).toBeNull();
    const script = fileURLToPath(new URL('../../scripts/eval/groceries-crosssell.ts', import.meta.url));
    const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
    const out = execFileSync(tsx, [script], {
      env: { ...process.env, ACCOUNTPULSE_DATASETS: '/nonexistent/datasets' },
      encoding: 'utf8',
    });
    expect(out.trim()).toBe('skipped: datasets not found');
  });
});
