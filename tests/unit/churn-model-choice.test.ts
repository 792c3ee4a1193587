/**
 * The choice between the rule score and the learned churn model: the gate of `churn.model: auto`
 * (each condition flips the verdict), the choice per setting, the stored model's JSON round trip
 * (identical predictions) and the production features (identical to a training snapshot's).
 */
import { describe, expect, it } from 'vitest';
import { chooseChurnModel, judgeLearnedModel, type GateInput, type LearnedVerdict } from '../../src/domain/learn/modelChoice.js';
import { buildSnapshots, predictChurn, scoreChurnLearned, snapshotNumericFeatures, trainChurnModel, type FeatureRecord } from '../../src/domain/learn/churnModel.js';
import { mulberry32 } from '../../src/domain/learn/random.js';
import { resolveChurnConfig } from '../../src/domain/churnConfig.js';
import { emptyAggregate } from '../../src/domain/activity.js';
import type { ChurnInput } from '../../src/domain/churnSignals.js';
import type { Account, Ticket } from '../../src/domain/model.js';
import { accountRecord } from '../helpers/records.js';
import { StoredChurnModelSchema, type StoredChurnModel } from '../../src/store/churnModels.js';
import { buildSnapshotsInChunks, churnFeaturesAsOf, churnSnapshotOptions } from '../../src/jobs/evaluation.js';

const passing: GateInput = { churnedAccounts: 25, fitted: true, testRows: 400, testPositives: 12, learnedRocAuc: 0.8, ruleRocAuc: 0.7 };
const options = { minChurned: 20, minAuc: 0.65 };

describe('judgeLearnedModel (the auto gate)', () => {
  it('passes when every condition holds, with the figures in the reason', () => {
    expect(judgeLearnedModel(passing, options)).toEqual({ verdict: 'passed', reason: "held-out ROC AUC 0.800 >= the rule score's 0.700 and >= 0.650" });
  });

  it.each<[string, Partial<GateInput>, Partial<typeof options>, LearnedVerdict, string]>([
    ['too few churned accounts', { churnedAccounts: 19 }, {}, 'not fitted', '19 churned accounts found; at least 20 are needed to fit the learned model (churn.learnedMinChurned)'],
    ['a higher learnedMinChurned', {}, { minChurned: 26 }, 'not fitted', '25 churned accounts found; at least 26 are needed to fit the learned model (churn.learnedMinChurned)'],
    ['no fit in the backtest', { fitted: false, learnedRocAuc: null }, {}, 'not fitted', 'the held-out backtest could not fit the learned model (see the messages)'],
    ['no churn in the test part', { testPositives: 0, learnedRocAuc: null, ruleRocAuc: null }, {}, 'failed', 'no churn among the 400 held-out snapshots: the ranking cannot be judged'],
    ['learned below the rule score', { learnedRocAuc: 0.69 }, {}, 'failed', "held-out ROC AUC 0.690 is below the rule score's 0.700"],
    ['learned below the minimum', { learnedRocAuc: 0.64, ruleRocAuc: 0.6 }, {}, 'failed', 'held-out ROC AUC 0.640 is below the minimum 0.650 (churn.learnedMinAuc)'],
    ['a higher learnedMinAuc', {}, { minAuc: 0.81 }, 'failed', 'held-out ROC AUC 0.800 is below the minimum 0.810 (churn.learnedMinAuc)'],
  ])('%s flips the verdict', (_name, input, opts, verdict, reason) => {
    expect(judgeLearnedModel({ ...passing, ...input }, { ...options, ...opts })).toEqual({ verdict, reason });
  });

  it('counts ties as passing: AUC equal to the rule score and to the minimum', () => {
    expect(judgeLearnedModel({ ...passing, learnedRocAuc: 0.7, ruleRocAuc: 0.7 }, options).verdict).toBe('passed');
    expect(judgeLearnedModel({ ...passing, learnedRocAuc: 0.65, ruleRocAuc: 0.6 }, options).verdict).toBe('passed');
    expect(judgeLearnedModel({ ...passing, churnedAccounts: 20 }, options).verdict).toBe('passed');
  });
});

describe('chooseChurnModel', () => {
  it.each<['rules' | 'auto' | 'learned', LearnedVerdict | null, 'rules' | 'learned']>([
    ['rules', 'passed', 'rules'],
    ['rules', null, 'rules'],
    ['auto', 'passed', 'learned'],
    ['auto', 'failed', 'rules'],
    ['auto', 'not fitted', 'rules'],
    ['auto', null, 'rules'],
    ['learned', 'passed', 'learned'],
    ['learned', 'failed', 'learned'],
    ['learned', 'not fitted', 'rules'],
    ['learned', null, 'rules'],
  ])('churn.model %s with verdict %s scores with %s', (setting, verdict, model) => {
    expect(chooseChurnModel(setting, verdict).model).toBe(model);
  });
});

// A model with missing values (so `:missing` columns) and a categorical feature (one-hot levels).
function trainedModel() {
  const rand = mulberry32(11);
  const records: FeatureRecord[] = [];
  const labels: number[] = [];
  for (let i = 0; i < 300; i++) {
    const quiet = rand() < 0.3;
    const r: FeatureRecord = {};
    for (const f of snapshotNumericFeatures) r[f] = rand() < 0.1 ? null : Math.round(rand() * 100) / 10;
    r.daysSinceActivity = quiet ? 40 + Math.floor(rand() * 60) : Math.floor(rand() * 20);
    r.plan = ['basic', 'pro', 'enterprise'][i % 3] as string;
    records.push(r);
    labels.push(quiet && rand() < 0.7 ? 1 : rand() < 0.05 ? 1 : 0);
  }
  return { records, labels, model: trainChurnModel(records, labels, { numeric: [...snapshotNumericFeatures], categorical: ['plan'] }, { lambda: 1 }) };
}

describe('stored model JSON round trip', () => {
  const { records, model } = trainedModel();
  const stored: StoredChurnModel = { schema: 1, trainedAt: '2026-11-28T04:30:00.000Z', verdict: 'passed', reason: 'ok', summary: null, model };

  it('gives identical predictions, explanations and version after JSON and the store schema', () => {
    const back = StoredChurnModelSchema.parse(JSON.parse(JSON.stringify(stored)));
    expect(back.model).toEqual(model);
    const fromJson = back.model!;
    expect(predictChurn(fromJson, records)).toEqual(predictChurn(model, records));
    const config = resolveChurnConfig({});
    const record = { ...records[5], plan: 'unseen-level', tenureDays: null } as FeatureRecord;
    expect(scoreChurnLearned(fromJson, 'hubspot:1', record, config, null, '2026-11-28T12:00:00.000Z')).toEqual(scoreChurnLearned(model, 'hubspot:1', record, config, null, '2026-11-28T12:00:00.000Z'));
  });

  it('rejects values that would not score: mismatched lengths, a model without verdict, a verdict without model, an older shape', () => {
    const json = JSON.parse(JSON.stringify(stored)) as { model: { fit: { coefficients: number[] } } };
    json.model.fit.coefficients.pop();
    expect(StoredChurnModelSchema.safeParse(json).success).toBe(false);
    expect(StoredChurnModelSchema.safeParse({ ...stored, verdict: 'not fitted' }).success).toBe(false);
    expect(StoredChurnModelSchema.safeParse({ ...stored, model: null }).success).toBe(false);
    expect(StoredChurnModelSchema.safeParse({ ...stored, schema: 0 }).success).toBe(false);
    expect(StoredChurnModelSchema.safeParse({ ...stored, verdict: 'not fitted', reason: 'few labels', model: null }).success).toBe(true);
  });
});

describe('production features', () => {
  // created at noon: a feature computed at 08:15 instead of the day's end would say 364 days
  const account = accountRecord('salesforce:A', { name: 'A', createdAt: '2025-06-30T12:00:00.000Z' });
  const ticket: Ticket = { id: 'salesforce:t1', source: 'salesforce', externalId: 't1', updatedAt: '2026-06-01T00:00:00.000Z', accountId: 'salesforce:A', subject: 't', priority: 'urgent', status: 'open', escalated: false, createdAt: '2026-06-01T00:00:00.000Z', closedAt: null };
  const input: ChurnInput = {
    account,
    contacts: [],
    activity: { ...emptyAggregate('salesforce:A'), weeks: { '2026-06-29': { 'call:outbound': 5 }, '2026-06-22': { 'call:outbound': 2 }, '2026-03-23': { 'call:outbound': 4 } } },
    tickets: [ticket],
    deals: [],
    usage: [],
  };

  it('are those of a training snapshot of the same day, whatever the time of day scoring runs', () => {
    const built = buildSnapshots([input], { ...churnSnapshotOptions, from: '2026-06-01', to: '2026-06-30', dataEnd: '2026-12-31', horizonDays: 90, labels: { lostRenewals: true } });
    expect(built.snapshots.map((s) => s.t)).toEqual(['2026-06-30']);
    const snapshot = built.snapshots[0]!.features;
    expect(churnFeaturesAsOf(input, '2026-06-30T08:15:00.000Z')).toEqual(snapshot);
    expect(churnFeaturesAsOf(input, '2026-06-30T23:00:00.000Z')).toEqual(snapshot);
    // the partial week of 2026-06-29 is left out, as in training; 2026-03-23 falls in the previous 13 weeks
    expect(snapshot).toMatchObject({ activityCurrent: 2, activityPrevious: 4, tenureDays: 365, ticketLoadOpen: 3 });
  });

  it('built in chunks of accounts (yielding between them) are the snapshots of one call, in the same order', async () => {
    // 1,203 accounts in reverse id order: three chunks, every fifth churned (some without a date).
    const inputs: ChurnInput[] = [];
    for (let i = 1202; i >= 0; i--) {
      const id = `hubspot:${i}`;
      const churned = i % 5 === 0;
      const fields: Account['fields'] = churned && i % 3 !== 0 ? { churnedOn: `2026-0${1 + (i % 9)}-15` } : {};
      inputs.push({ ...input, account: { ...account, id, externalId: String(i), churned: churned ? true : null, createdAt: `2025-0${1 + (i % 9)}-01T00:00:00.000Z`, fields }, tickets: [] });
    }
    const options = { ...churnSnapshotOptions, from: '2025-06-01', to: '2026-11-28', dataEnd: '2026-11-28', horizonDays: 90, labels: { churnDateField: 'churnedOn', lostRenewals: false } };
    const whole = buildSnapshots(inputs, options);
    const chunked = await buildSnapshotsInChunks(inputs, options);
    expect(whole.snapshots.length).toBeGreaterThan(10_000);
    expect(whole.undatedChurned.length).toBe(81);
    expect(chunked).toEqual(whole);
  });
});
