/**
 * Training of the production churn model (job `churn-model` on the score queue, daily through the
 * scheduler on `churn.learnedTrainCron`, never inside a sync cycle):
 *
 * 1. the churn backtest of `accountpulse evaluate churn` (evaluation.ts): snapshots, time split,
 *    the learned model fitted on the train part and ranked against the rule score on the test part;
 * 2. the gate (domain/learn/modelChoice.ts) judges that held-out ranking: passed, failed, not fitted;
 * 3. when a model could be fitted, the production model is refitted on every snapshot whose
 *    horizon is observed (train and test: the split was only there to judge it);
 * 4. model, backtest summary and verdict go under one key (store/churnModels.ts), and the run goes
 *    to the run audit with its counts, messages and verdict, where operators look.
 *
 * Scoring (scoreJob.ts) reads the stored model once per batch through `productionChurnModel`.
 * One run at a time across all worker processes: a Redis lock, not the queue's concurrency.
 */
import type { Job } from 'bullmq';
import type { ChurnConfig } from '../domain/churnConfig.js';
import type { TrainedChurnModel } from '../domain/learn/churnModel.js';
import { chooseChurnModel, judgeLearnedModel, type GateVerdict, type ModelChoice } from '../domain/learn/modelChoice.js';
import type { ChurnTrainingSummary, StoredChurnModel } from '../store/churnModels.js';
import type { AppContext } from './context.js';
import { backtestChurnOnStore, EvaluationInputError, fitChurnModel, NoSyncedDataError, type ChurnBacktest } from './evaluation.js';
import { ChurnModelPayload, jobId, parsePayload } from './queues.js';
import { analyticsSettings } from './settings.js';

export const CHURN_MODEL_JOB = 'churn-model';

/** Longer than any training run should take; a crashed holder's lock expires after it. */
const LOCK_TTL_MS = 30 * 60_000;

export interface ChurnTrainingOutcome {
  /** what was stored; null when the run was skipped */
  stored: StoredChurnModel | null;
  runId: string | null;
  /** why nothing was done (another run holds the lock) */
  skipped: string | null;
}

function summaryOf(backtest: ChurnBacktest, productionRows: { rows: number; positives: number } | null): ChurnTrainingSummary {
  const r = backtest.report;
  return {
    asOf: r.asOf,
    from: r.from,
    split: r.split,
    horizonDays: r.horizonDays,
    accounts: r.accounts,
    churnedAccounts: r.labels.churnedAccounts,
    undatedChurned: r.labels.undatedChurned,
    snapshots: r.snapshots,
    learnedRocAuc: r.learned.evaluation?.rocAuc ?? null,
    ruleRocAuc: r.rule.rocAuc,
    learnedPrAuc: r.learned.evaluation?.prAuc ?? null,
    rulePrAuc: r.rule.prAuc,
    production: productionRows,
    messages: r.messages,
  };
}

/** Backtest, gate, production fit: what to store. Throws NoSyncedDataError / EvaluationInputError when there is nothing to train on. */
async function train(ctx: AppContext, churn: ChurnConfig, trainedAt: string): Promise<StoredChurnModel> {
  const backtest = await backtestChurnOnStore(ctx, {});
  const r = backtest.report;
  const gate = judgeLearnedModel(
    {
      churnedAccounts: r.labels.churnedAccounts,
      fitted: backtest.heldOutModel !== null,
      testRows: r.snapshots.test.rows,
      testPositives: r.snapshots.test.positives,
      learnedRocAuc: r.learned.evaluation?.rocAuc ?? null,
      ruleRocAuc: r.rule.rocAuc,
    },
    { minChurned: churn.learnedMinChurned, minAuc: churn.learnedMinAuc },
  );
  let model: TrainedChurnModel | null = null;
  if (gate.verdict !== 'not fitted') model = fitChurnModel(backtest.snapshots, r.learned.lambda);
  const production = model ? { rows: backtest.snapshots.length, positives: r.snapshots.positives } : null;
  return { schema: 1, trainedAt, verdict: gate.verdict, reason: gate.reason, summary: summaryOf(backtest, production), model };
}

/**
 * Trains, judges and stores the production churn model, recording the run in the audit. No synced
 * data, or settings that leave no snapshot, store the verdict 'not fitted' with the reason.
 */
export async function trainProductionChurnModel(ctx: AppContext, trigger = 'manual'): Promise<ChurnTrainingOutcome> {
  const token = await ctx.store.churnModels.lock(LOCK_TTL_MS);
  if (token === null) {
    const skipped = 'another churn-model training run is in progress; this one was skipped';
    ctx.logger.info({ trigger }, skipped);
    return { stored: null, runId: null, skipped };
  }
  const churn = analyticsSettings(ctx.loaded.config).churn;
  const run = await ctx.store.runs.start('score', CHURN_MODEL_JOB, null, ctx.now());
  try {
    const trainedAt = ctx.now().toISOString();
    let stored: StoredChurnModel;
    try {
      stored = await train(ctx, churn, trainedAt);
    } catch (err) {
      if (!(err instanceof NoSyncedDataError) && !(err instanceof EvaluationInputError)) throw err;
      stored = { schema: 1, trainedAt, verdict: 'not fitted', reason: err.message, summary: null, model: null };
    }
    await ctx.store.churnModels.put(stored);
    await recordRun(ctx, run.id, stored, trigger);
    ctx.logger.info({ verdict: stored.verdict, reason: stored.reason, trigger }, 'churn model trained');
    return { stored, runId: run.id, skipped: null };
  } catch (err) {
    await ctx.store.runs.finish(run.id, 'failed', `churn-model training failed: ${(err as Error).message}`, ctx.now());
    throw err;
  } finally {
    await ctx.store.churnModels.unlock(token);
  }
}

async function recordRun(ctx: AppContext, runId: string, stored: StoredChurnModel, trigger: string): Promise<void> {
  const s = stored.summary;
  if (s) {
    await ctx.store.runs.count(runId, {
      accounts: s.accounts,
      churnedAccounts: s.churnedAccounts,
      snapshots: s.snapshots.total,
      positives: s.snapshots.positives,
      trainRows: s.snapshots.train.rows,
      testRows: s.snapshots.test.rows,
      testPositives: s.snapshots.test.positives,
      productionRows: s.production?.rows ?? 0,
    });
  }
  const at = ctx.now().toISOString();
  await ctx.store.runs.add(runId, [
    ...(s?.messages ?? []).map((message) => ({ at, type: 'note', message })),
    { at, type: 'note', message: `verdict ${stored.verdict}: ${stored.reason}`, data: { verdict: stored.verdict, learnedRocAuc: s?.learnedRocAuc ?? null, ruleRocAuc: s?.ruleRocAuc ?? null, trigger } },
  ]);
  await ctx.store.runs.finish(runId, 'succeeded', `verdict ${stored.verdict}: ${stored.reason}`, ctx.now());
}

/** Enqueues a training run on the score queue; the same trigger enqueues it once. */
export async function enqueueChurnModelTraining(ctx: AppContext, trigger: string): Promise<string> {
  const id = jobId(CHURN_MODEL_JOB, trigger);
  await ctx.queues.queues.score.add(CHURN_MODEL_JOB, { trigger } satisfies ChurnModelPayload, { jobId: id });
  return id;
}

export async function processChurnModel(ctx: AppContext, job: Job): Promise<{ verdict: GateVerdict['verdict'] | null; skipped: string | null }> {
  const payload = parsePayload(ChurnModelPayload, job);
  const out = await trainProductionChurnModel(ctx, payload.trigger);
  return { verdict: out.stored?.verdict ?? null, skipped: out.skipped };
}

export interface ProductionChurnModel {
  /** the model to score with; null: the rule score */
  model: TrainedChurnModel | null;
  choice: ModelChoice;
}

/**
 * The model scoring should use under `churn.model`: reads the stored training result (not at all
 * under 'rules'); an unreadable value is logged and means the rule score.
 */
export async function productionChurnModel(ctx: AppContext, churn: Pick<ChurnConfig, 'model'>): Promise<ProductionChurnModel> {
  if (churn.model === 'rules') return { model: null, choice: chooseChurnModel('rules', null) };
  const read = await ctx.store.churnModels.get();
  if (read.problem) ctx.logger.warn({ problem: read.problem }, 'stored churn model unreadable: scoring with the rule score');
  const choice = chooseChurnModel(churn.model, read.stored?.verdict ?? null);
  return { model: choice.model === 'learned' ? (read.stored?.model ?? null) : null, choice };
}
