import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { datasetsDir, readTelco, runTelcoEvaluation } from '../../scripts/eval/telco-churn.js';

const dir = datasetsDir();
if (!dir) console.warn('tests/eval/telco.test.ts skipped: IBM Telco dataset not found (set ACCOUNTPULSE_DATASETS or add ../shared/datasets)');

describe.skipIf(!dir)('IBM Telco churn, real data', () => {
  const report = dir ? runTelcoEvaluation(dir) : null;

  it('reads all 7,043 customers; blank TotalCharges (tenure 0) become 0; tri-state columns collapse', () => {
    const rows = readTelco(dir as string);
    expect(rows).toHaveLength(7043);
    expect(rows.filter((r) => r.label === 1)).toHaveLength(1869);
    const blank = rows.filter((r) => r.fields.TotalCharges === '');
    expect(blank).toHaveLength(11);
    expect(blank.every((r) => r.features.TotalCharges === 0 && r.features.tenure === 0)).toBe(true);
    expect(new Set(rows.map((r) => r.features.OnlineSecurity))).toEqual(new Set(['No', 'Yes']));
  });

  it('logistic regression reaches the published ROC AUC without leakage, and beats the base rate on Brier', () => {
    const r = report as NonNullable<typeof report>;
    expect(r.cv.meanRocAuc).toBeGreaterThanOrEqual(0.83);
    expect(r.cv.meanRocAuc).toBeLessThanOrEqual(0.86);
    const e = r.holdout.evaluation;
    expect(e.rocAuc as number).toBeGreaterThanOrEqual(0.83);
    expect(e.rocAuc as number).toBeLessThanOrEqual(0.86);
    expect(e.brier as number).toBeLessThan(0.16);
    expect(e.brier as number).toBeLessThan(e.brierBaseline as number);
    expect(e.topDecile?.lift as number).toBeGreaterThan(2.3);
    expect(r.holdout.converged).toBe(true);
    expect(r.holdout.testRows).toBe(1409);
  });

  it('the 6-rule field-signal score reproduces the reference figures (AUC 0.836, top-decile precision 0.713)', () => {
    const r = report as NonNullable<typeof report>;
    expect(r.rules.all.rocAuc as number).toBeCloseTo(0.836, 3);
    expect(r.rules.all.topDecile?.precision as number).toBeCloseTo(0.713, 3);
  });
});

describe('telco-churn script', () => {
  it('prints "skipped: datasets not found" and exits 0 when the data is absent', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', resolve('scripts/eval/telco-churn.ts')], {
      env: { ...process.env, ACCOUNTPULSE_DATASETS: '/nonexistent/accountpulse-datasets' },
      encoding: 'utf8',
    });
    expect(out.trim()).toBe('skipped: datasets not found');
  });
});
