/**
 * The learned churn model in production, on a real Redis and a real score-queue worker. An org is
 * written to the store directly: 160 accounts, a quarter of them churned (date in the `churnedOn`
 * field) after their weekly activity fell to zero 60 days before, plus 6 current accounts that
 * went quiet 5 to 7 weeks ago. The training job stores a model that passes the gate; scoring then
 * uses it under `churn.model: auto` and not under `rules`; too few churned accounts or a corrupt
 * stored value leave scoring on the rule score.
 */
import { runTrainCommand } from '../../src/commands/train.js';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/logger.js';
import { createContext, type AppContext } from '../../src/jobs/context.js';
import { WorkerSet } from '../../src/jobs/workers.js';
import { enqueueChurnModelTraining, trainProductionChurnModel } from '../../src/jobs/churnModelJob.js';
import { churnFeaturesAsOf, evaluateChurnOnStore } from '../../src/jobs/evaluation.js';
import { scoreAccounts } from '../../src/jobs/scoreJob.js';
import { loadScoringUnits } from '../../src/jobs/accountData.js';
import { analyticsSettings } from '../../src/jobs/settings.js';
import { scoreChurn } from '../../src/domain/churn.js';
import { scoreChurnLearned } from '../../src/domain/learn/churnModel.js';
import type { Account, Activity } from '../../src/domain/model.js';

const NOW = new Date('2026-11-28T12:00:00.000Z');
const DAY = 86_400_000;
const UPDATED = '2026-11-01T00:00:00.000Z';
const FIRST_MONDAY = Date.parse('2024-11-04T00:00:00Z');

interface Org {
  accounts: Account[];
  activities: Activity[];
  churned: string[];
  /** current accounts whose activity stopped 5 to 7 weeks ago */
  quiet: string[];
}

/**
 * Accounts C000..C{n-1}, created 2024-01-01. Every `churnEvery`-th churns on a date spread over
 * 2025-06-01..2026-10-13 (marked churned, date in field churnedOn); its activity stops 60 days
 * before. The last 6 accounts are current but quiet since 5 to 7 weeks. Others: 1 or 2 calls a week.
 */
function buildOrg(n: number, churnEvery: number): Org {
  const org: Org = { accounts: [], activities: [], churned: [], quiet: [] };
  for (let i = 0; i < n; i++) {
    const ext = `C${String(i).padStart(3, '0')}`;
    const id = `salesforce:${ext}`;
    const churnMs = i % churnEvery === 0 ? Date.parse('2025-06-01T00:00:00Z') + ((i * 37) % 500) * DAY : null;
    const quietMs = churnMs === null && i >= n - 6 ? NOW.getTime() - (35 + (i % 3) * 7) * DAY : null;
    const account: Account = {
      id,
      source: 'salesforce',
      externalId: ext,
      updatedAt: UPDATED,
      name: `Customer ${ext}`,
      domain: null,
      industry: 'Software',
      employees: 100,
      annualRevenue: null,
      ownerId: 'salesforce:U1',
      parentId: null,
      renewalDate: null,
      churned: churnMs !== null ? true : null,
      createdAt: '2024-01-01T00:00:00.000Z',
      fields: churnMs !== null ? { churnedOn: new Date(churnMs).toISOString().slice(0, 10) } : {},
    };
    org.accounts.push(account);
    if (churnMs !== null) org.churned.push(id);
    if (quietMs !== null) org.quiet.push(id);
    const stop = churnMs !== null ? churnMs - 60 * DAY : (quietMs ?? NOW.getTime() - 7 * DAY);
    for (let w = FIRST_MONDAY, k = 0; w < stop; w += 7 * DAY, k++) {
      const calls = 1 + ((i + k) % 2);
      for (let c = 0; c < calls; c++) {
        org.activities.push({
          id: `salesforce:T${ext}-${k}-${c}`,
          source: 'salesforce',
          externalId: `T${ext}-${k}-${c}`,
          updatedAt: UPDATED,
          type: 'call',
          accountId: id,
          dealId: null,
          contactId: null,
          ownerId: 'salesforce:U1',
          occurredAt: new Date(w + (1 + c) * DAY + 10 * 3_600_000).toISOString(),
          direction: 'outbound',
          subject: 'Check-in',
          bodyExcerpt: null,
          completed: null,
        });
      }
    }
  }
  return org;
}

const configDir = mkdtempSync(join(tmpdir(), 'churn-model-'));
function configFile(name: string, churn: Record<string, unknown>): string {
  const path = join(configDir, `${name}.yaml`);
  writeFileSync(path, `churn:\n${Object.entries(churn).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`).join('\n')}\n`);
  return path;
}

interface Captured {
  ctx: AppContext;
  warnings: string[];
}

function contextOn(prefix: string, redis: Redis, churn: Record<string, unknown>): Captured {
  const warnings: string[] = [];
  const loaded = loadConfig({ environ: { REDIS_URL: process.env.REDIS_URL, ACCOUNTPULSE_PREFIX: prefix, ACCOUNTPULSE_CONFIG: configFile(`${prefix}-${Object.values(churn).join('-')}`, churn) } });
  const logger = createLogger({ level: 'warn', destination: { write: (line: string) => void warnings.push(line) } });
  return { ctx: createContext({ loaded, logger, redis, connectors: new Map(), now: () => NOW }), warnings };
}

async function seed(ctx: AppContext, org: Org): Promise<void> {
  await ctx.store.records.upsert('account', org.accounts);
  for (let i = 0; i < org.activities.length; i += 2000) await ctx.store.activities.fold(org.activities.slice(i, i + 2000));
}

const labels = { learnedLabelField: 'churnedOn', learnedLostRenewals: false };
const org = buildOrg(160, 4);
const fewOrg = buildOrg(60, 12);
let redis: Redis;
let auto: Captured;
let rules: Captured;
let few: Captured;
let workers: WorkerSet;
let ids: string[];

beforeAll(async () => {
  redis = new Redis(process.env.REDIS_URL as string, { maxRetriesPerRequest: 3 });
  const id = randomUUID().slice(0, 8);
  auto = contextOn(`cm-${id}`, redis, { ...labels, model: 'auto' });
  rules = contextOn(`cm-${id}`, redis, { ...labels, model: 'rules' });
  few = contextOn(`cm0-${id}`, redis, { ...labels, model: 'auto' });
  await seed(auto.ctx, org);
  await seed(few.ctx, fewOrg);
  workers = new WorkerSet(auto.ctx, { queues: ['score'] });
  await workers.waitUntilReady();
}, 60_000);

afterAll(async () => {
  await workers.close(2_000);
  for (const { ctx } of [auto, few]) await ctx.store.wipe();
  for (const { ctx } of [auto, rules, few]) {
    await ctx.queues.close();
    await ctx.store.close();
  }
  redis.disconnect();
});

describe('churn-model training job', () => {
  it('runs on the score queue, stores a model that passed the gate, and records the run', async () => {
    const { ctx } = auto;
    expect(org.churned).toHaveLength(40);
    const events = new QueueEvents('score', { connection: ctx.connection, prefix: ctx.queues.bullPrefix });
    await events.waitUntilReady();
    const jobId = await enqueueChurnModelTraining(ctx, 'test-tick');
    expect(jobId).toBe('churn-model.test-tick');
    const job = await ctx.queues.queues.score.getJob(jobId);
    await expect(job!.waitUntilFinished(events, 30_000)).resolves.toEqual({ verdict: 'passed', skipped: null });
    await events.close();

    const { stored, problem } = await ctx.store.churnModels.get();
    expect(problem).toBeNull();
    const report = await evaluateChurnOnStore(ctx, {});
    const s = stored!.summary!;
    expect(stored).toMatchObject({ schema: 1, trainedAt: NOW.toISOString(), verdict: 'passed' });
    expect(s).toMatchObject({ asOf: '2026-11-28', from: '2025-05-28', split: '2026-03-30', horizonDays: 90, accounts: 160, churnedAccounts: 40, undatedChurned: 0 });
    // The gate was judged on the same held-out backtest `evaluate churn` prints.
    expect(s.snapshots).toEqual(report.snapshots);
    expect(s.learnedRocAuc).toBe(report.learned.evaluation!.rocAuc);
    expect(s.ruleRocAuc).toBe(report.rule.rocAuc);
    expect(s.learnedRocAuc!).toBeGreaterThanOrEqual(s.ruleRocAuc!);
    expect(s.learnedRocAuc!).toBeGreaterThanOrEqual(0.65);
    expect(stored!.reason).toBe(`held-out ROC AUC ${s.learnedRocAuc!.toFixed(3)} >= the rule score's ${s.ruleRocAuc!.toFixed(3)} and >= 0.650`);
    // The production model is refitted on every observed snapshot, not only the train part.
    expect(s.production).toEqual({ rows: s.snapshots.total, positives: s.snapshots.positives });
    expect(stored!.model!.trainedRows).toBe(s.snapshots.total);
    expect(s.snapshots.total).toBeGreaterThan(s.snapshots.train.rows + s.snapshots.test.rows);

    const run = (await ctx.store.runs.list(0, 10)).find((r) => r.scope === 'churn-model')!;
    expect(run).toMatchObject({ kind: 'score', status: 'succeeded', message: `verdict passed: ${stored!.reason}` });
    expect(run.counts).toEqual({
      accounts: 160,
      churnedAccounts: 40,
      snapshots: s.snapshots.total,
      positives: s.snapshots.positives,
      trainRows: s.snapshots.train.rows,
      testRows: s.snapshots.test.rows,
      testPositives: s.snapshots.test.positives,
      productionRows: s.snapshots.total,
    });
    const events2 = await ctx.store.runs.events(run.id);
    expect(events2.at(-1)).toMatchObject({ type: 'note', message: `verdict passed: ${stored!.reason}`, data: { verdict: 'passed', trigger: 'test-tick' } });
  });

  it('skips a second run while one holds the lock', async () => {
    const { ctx } = auto;
    const token = await ctx.store.churnModels.lock(10_000);
    expect(token).not.toBeNull();
    const before = await redis.get(`${ctx.store.keys.prefix}:model:churn`);
    const out = await trainProductionChurnModel(ctx, 'second');
    expect(out).toEqual({ stored: null, runId: null, skipped: 'another churn-model training run is in progress; this one was skipped' });
    expect(await redis.get(`${ctx.store.keys.prefix}:model:churn`)).toBe(before);
    await ctx.store.churnModels.unlock(token!);
  });
});

describe('accountpulse train churn', () => {
  it('trains now and prints the verdict with the held-out figures; --json leaves the coefficients out; bad arguments exit 2', async () => {
    let out = '';
    expect(await runTrainCommand(['churn'], { context: auto.ctx, write: (t) => (out += t) })).toBe(0);
    const { stored } = await auto.ctx.store.churnModels.get();
    const s = stored!.summary!;
    expect(out).toBe(
      [
        `churn model: passed (${stored!.reason})`,
        `trained at ${NOW.toISOString()}; churn.model is auto`,
        `accounts 160, churned 40; snapshots ${s.snapshots.total} (train ${s.snapshots.train.rows} / ${s.snapshots.train.positives} churned, test ${s.snapshots.test.rows} / ${s.snapshots.test.positives})`,
        `held-out ROC AUC: learned ${s.learnedRocAuc!.toFixed(3)}, rule score ${s.ruleRocAuc!.toFixed(3)}; PR AUC: learned ${s.learnedPrAuc!.toFixed(3)}, rule score ${s.rulePrAuc!.toFixed(3)}`,
        `production model fitted on ${s.production!.rows} snapshots (${s.production!.positives} churned)`,
        ...s.messages.map((m) => `note: ${m}`),
        'scoring now uses the learned model',
        '',
      ].join('\n'),
    );
    let json = '';
    expect(await runTrainCommand(['churn', '--json'], { context: rules.ctx, write: (t) => (json += t) })).toBe(0);
    const parsed = JSON.parse(json) as { verdict: string; setting: string; model: Record<string, unknown> };
    expect(parsed).toMatchObject({ verdict: 'passed', setting: 'rules', model: { version: stored!.model!.version } });
    expect(Object.keys(parsed.model)).toEqual(['version']);
    await expect(runTrainCommand(['churn', '--bogus'], { context: auto.ctx })).rejects.toMatchObject({ code: 2 });
    await expect(runTrainCommand(['forecast'], { context: auto.ctx })).rejects.toMatchObject({ code: 2 });
  });
});

describe('scoring with the stored model', () => {
  beforeAll(async () => {
    ids = (await auto.ctx.store.unified.allUnifiedIds()).sort();
  });

  it('auto: every account of the batch is scored by the learned model, exactly as from the stored model', async () => {
    const { ctx } = auto;
    const out = await scoreAccounts(ctx, 'cycle-auto', ids, { persist: false });
    expect(out.risks).toHaveLength(160);
    expect(new Set(out.risks.map((r) => r.model))).toEqual(new Set(['learned']));
    const { stored } = await ctx.store.churnModels.get();
    const model = stored!.model!;
    const churn = analyticsSettings(ctx.loaded.config).churn;
    const units = await loadScoringUnits(ctx.store, ids);
    for (const [i, unit] of units.entries()) {
      const expected = scoreChurnLearned(model, unit.id, churnFeaturesAsOf(unit.input, NOW.toISOString()), churn, null, NOW.toISOString());
      expect(out.risks[i]).toEqual(expected);
      expect(out.risks[i]!.probability).toBeGreaterThan(0);
      expect(out.risks[i]!.configVersion).toBe(`${churn.configVersion}/${model.version}`);
    }
    // The accounts that went quiet are the riskiest of the current ones.
    const current = out.risks.filter((r) => !org.churned.includes(r.accountId)).sort((a, b) => b.probability! - a.probability!);
    expect(current.slice(0, org.quiet.length).map((r) => r.accountId).sort()).toEqual([...org.quiet].sort());
    expect(auto.warnings).toEqual([]);
  });

  it('rules: the same batch is scored by the rule score', async () => {
    const { ctx } = rules;
    const out = await scoreAccounts(ctx, 'cycle-rules', ids, { persist: false });
    expect(out.risks).toHaveLength(160);
    const churn = analyticsSettings(ctx.loaded.config).churn;
    const units = await loadScoringUnits(ctx.store, ids);
    expect(out.risks).toEqual(units.map((u) => scoreChurn(u.input, churn, null, NOW.toISOString())));
    expect(out.risks.every((r) => r.model === 'rules' && r.probability === null)).toBe(true);
  });

  it('too few churned accounts: the verdict is "not fitted" with the reason, and scoring stays on rules', async () => {
    const { ctx } = few;
    expect(fewOrg.churned).toHaveLength(5);
    const out = await trainProductionChurnModel(ctx, 'few');
    expect(out.stored).toMatchObject({ verdict: 'not fitted', reason: '5 churned accounts found; at least 20 are needed to fit the learned model (churn.learnedMinChurned)', model: null });
    expect(out.stored!.summary!.messages).toContain('5 churned accounts found; at least 20 are needed to fit the learned model; the rule-score backtest follows');
    expect((await ctx.store.churnModels.get()).stored?.verdict).toBe('not fitted');
    expect((await ctx.store.runs.get(out.runId!))?.message).toBe(`verdict not fitted: ${out.stored!.reason}`);
    const fewIds = (await ctx.store.unified.allUnifiedIds()).sort();
    const scored = await scoreAccounts(ctx, 'cycle-few', fewIds, { persist: false });
    expect(scored.risks).toHaveLength(60);
    expect(scored.risks.every((r) => r.model === 'rules')).toBe(true);
  });

  it('a corrupt or old-shaped stored value: rules and a warning naming the key, no throw', async () => {
    const { ctx } = auto;
    const key = `${ctx.store.keys.prefix}:model:churn`;
    for (const [value, says] of [
      ['{"schema":1,"verdict":"pass', 'is not JSON'],
      [JSON.stringify({ schema: 0, verdict: 'passed', model: {} }), 'has an unknown shape (schema: '],
    ] as const) {
      auto.warnings.length = 0;
      await redis.set(key, value);
      const out = await scoreAccounts(ctx, 'cycle-corrupt', ids.slice(0, 10), { persist: false });
      expect(out.risks.map((r) => r.model)).toEqual(Array(10).fill('rules'));
      expect(auto.warnings).toHaveLength(1);
      const line = JSON.parse(auto.warnings[0]!) as { level: number; msg: string; problem: string };
      expect(line).toMatchObject({ level: 40, msg: 'stored churn model unreadable: scoring with the rule score' });
      expect(line.problem).toContain(`the stored churn model at ${key} ${says}`);
    }
  });
});
