/**
 * `accountpulse train churn [--json]`: runs the daily churn-model training now (src/jobs/
 * churnModelJob.ts: backtest, gate, production fit, stored with its verdict and in the run audit)
 * and prints the verdict, so an operator can decide on `churn.model: auto` without waiting for
 * `churn.learnedTrainCron`. Exit 0 whatever the verdict (it is information); 1 when another
 * training run holds the lock; 2 for bad arguments.
 */
import type { AppContext } from '../jobs/context.js';
import { trainProductionChurnModel } from '../jobs/churnModelJob.js';
import { analyticsSettings } from '../jobs/settings.js';
import type { StoredChurnModel } from '../store/churnModels.js';
import { boot, ExitError, shutdown } from './runtime.js';

const usage = `accountpulse train churn [--json]

  churn   fits the learned churn model on the synced data as the daily job does, judges it against
          the rule score on held-out months, stores it with its verdict and prints the verdict
          (scoring uses it only under churn.model: auto or learned)

  --json  print what was stored, without the model's coefficients
`;

export interface TrainCommandOptions {
  /** an already booted context (tests); it is not shut down here */
  context?: AppContext;
  write?: (text: string) => void;
  writeError?: (text: string) => void;
}

const auc = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : v.toFixed(3));

export function formatTraining(stored: StoredChurnModel, setting: string): string {
  const s = stored.summary;
  const lines = [`churn model: ${stored.verdict} (${stored.reason})`, `trained at ${stored.trainedAt}; churn.model is ${setting}`];
  if (s) {
    lines.push(
      `accounts ${s.accounts}, churned ${s.churnedAccounts}${s.undatedChurned ? ` (+${s.undatedChurned} without a date, left out)` : ''}; snapshots ${s.snapshots.total} (train ${s.snapshots.train.rows} / ${s.snapshots.train.positives} churned, test ${s.snapshots.test.rows} / ${s.snapshots.test.positives})`,
      `held-out ROC AUC: learned ${auc(s.learnedRocAuc)}, rule score ${auc(s.ruleRocAuc)}; PR AUC: learned ${auc(s.learnedPrAuc)}, rule score ${auc(s.rulePrAuc)}`,
    );
    if (s.production) lines.push(`production model fitted on ${s.production.rows} snapshots (${s.production.positives} churned)`);
    for (const m of s.messages) lines.push(`note: ${m}`);
  }
  const uses = setting === 'rules' ? 'scoring stays on the rule score (churn.model: rules)' : stored.model && (setting === 'learned' || stored.verdict === 'passed') ? 'scoring now uses the learned model' : 'scoring stays on the rule score';
  lines.push(uses);
  return `${lines.join('\n')}\n`;
}

export async function runTrainCommand(argv: string[], options: TrainCommandOptions = {}): Promise<number> {
  const write = options.write ?? ((t: string) => void process.stdout.write(t));
  const writeError = options.writeError ?? ((t: string) => void process.stderr.write(t));
  const [what, ...rest] = argv;
  if (what === '--help' || what === '-h' || what === 'help') {
    write(usage);
    return 0;
  }
  if (what !== 'churn') throw new ExitError(`${what === undefined ? 'say what to train' : `unknown model "${what}"`}: use churn\n\n${usage}`, 2);
  const unknown = rest.filter((a) => a !== '--json');
  if (unknown.length) throw new ExitError(`unknown option ${unknown[0]}\n\n${usage}`, 2);

  const ctx = options.context ?? (await boot());
  try {
    const out = await trainProductionChurnModel(ctx, 'cli');
    if (!out.stored) {
      writeError(`${out.skipped ?? 'nothing was trained'}\n`);
      return 1;
    }
    const setting = analyticsSettings(ctx.loaded.config).churn.model;
    if (rest.includes('--json')) write(`${JSON.stringify({ ...out.stored, model: out.stored.model ? { version: out.stored.model.version } : null, runId: out.runId, setting }, null, 2)}\n`);
    else write(formatTraining(out.stored, setting));
    return 0;
  } finally {
    if (!options.context) await shutdown(ctx);
  }
}
