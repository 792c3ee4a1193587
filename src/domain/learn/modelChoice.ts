/**
 * Which churn model scores an org's accounts: the learned model (churnModel.ts) only where it has
 * shown, on this org's own held-out history, that it ranks churn at least as well as the rule
 * score. Two pure steps: `judgeLearnedModel` turns a training run's backtest into a verdict (kept
 * with the model), `chooseChurnModel` combines the verdict with the `churn.model` setting at
 * scoring time. Pure: no I/O.
 */

/** passed: the gate held; failed: a model was fitted but the gate did not hold; not fitted: no model. */
export type LearnedVerdict = 'passed' | 'failed' | 'not fitted';

export type ChurnModelSetting = 'rules' | 'auto' | 'learned';

export interface GateInput {
  /** accounts with a dated churn among the labels */
  churnedAccounts: number;
  /** the held-out backtest could fit the learned model (enough labels, usable train and test parts) */
  fitted: boolean;
  testRows: number;
  testPositives: number;
  /** ROC AUC on the same held-out snapshots; null when undefined (no positives or no negatives) */
  learnedRocAuc: number | null;
  ruleRocAuc: number | null;
}

export interface GateOptions {
  minChurned: number;
  minAuc: number;
}

export interface GateVerdict {
  verdict: LearnedVerdict;
  /** why, in words an operator can act on */
  reason: string;
}

const f3 = (x: number) => x.toFixed(3);

/**
 * The gate of `churn.model: auto`: at least `minChurned` churned accounts, a held-out part with
 * churn in it, and a held-out ROC AUC of the learned model both >= the rule score's on the same
 * snapshots and >= `minAuc`. Conditions are checked in that order; the reason names the first that
 * fails.
 */
export function judgeLearnedModel(input: GateInput, options: GateOptions): GateVerdict {
  if (input.churnedAccounts < options.minChurned) {
    return { verdict: 'not fitted', reason: `${input.churnedAccounts} churned accounts found; at least ${options.minChurned} are needed to fit the learned model (churn.learnedMinChurned)` };
  }
  if (!input.fitted) return { verdict: 'not fitted', reason: 'the held-out backtest could not fit the learned model (see the messages)' };
  if (input.testPositives === 0) return { verdict: 'failed', reason: `no churn among the ${input.testRows} held-out snapshots: the ranking cannot be judged` };
  if (input.learnedRocAuc === null) return { verdict: 'failed', reason: 'the held-out ROC AUC of the learned model is undefined (every held-out snapshot churned)' };
  const rule = input.ruleRocAuc === null ? 'undefined' : f3(input.ruleRocAuc);
  if (input.ruleRocAuc !== null && input.learnedRocAuc < input.ruleRocAuc) {
    return { verdict: 'failed', reason: `held-out ROC AUC ${f3(input.learnedRocAuc)} is below the rule score's ${rule}` };
  }
  if (input.learnedRocAuc < options.minAuc) {
    return { verdict: 'failed', reason: `held-out ROC AUC ${f3(input.learnedRocAuc)} is below the minimum ${f3(options.minAuc)} (churn.learnedMinAuc)` };
  }
  return { verdict: 'passed', reason: `held-out ROC AUC ${f3(input.learnedRocAuc)} >= the rule score's ${rule} and >= ${f3(options.minAuc)}` };
}

export interface ModelChoice {
  model: 'rules' | 'learned';
  reason: string;
}

/**
 * The model for scoring, from the setting and the stored training verdict (null: never trained, or
 * the stored value was unreadable). A verdict other than 'not fitted' comes with a fitted model.
 */
export function chooseChurnModel(setting: ChurnModelSetting, verdict: LearnedVerdict | null): ModelChoice {
  if (setting === 'rules') return { model: 'rules', reason: 'churn.model is rules' };
  if (verdict === null) return { model: 'rules', reason: 'no learned model has been trained' };
  if (verdict === 'not fitted') return { model: 'rules', reason: 'the last training run could not fit the learned model' };
  if (setting === 'learned') return { model: 'learned', reason: 'churn.model is learned and a fitted model exists' };
  return verdict === 'passed'
    ? { model: 'learned', reason: 'the learned model passed the held-out gate' }
    : { model: 'rules', reason: 'the learned model did not pass the held-out gate' };
}
