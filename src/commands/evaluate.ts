/**
 * `accountpulse evaluate churn|cross-sell|forecast`: backtests on the synced store (issue 6,
 * "Backtesting"). Flags are checked before anything connects (exit 2 naming the flag); no synced
 * accounts exits 1; `--json` prints the report object of src/jobs/evaluation.ts.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import type { AppContext } from '../jobs/context.js';
import {
  evaluateChurnOnStore,
  evaluateCrossSellOnStore,
  evaluateForecastOnStore,
  EvaluationInputError,
  NoSyncedDataError,
  type ChurnBacktestReport,
  type CrossSellBacktestReport,
  type ForecastBacktestReport,
} from '../jobs/evaluation.js';
import type { ChurnEvaluation } from '../domain/learn/churnModel.js';
import type { RankingSummary } from '../domain/learn/ranking.js';
import { boot, ExitError, shutdown } from './runtime.js';

const usage = `accountpulse evaluate <churn|cross-sell|forecast> [options] [--json]

  churn       [--label-field F] [--no-lost-renewals] [--as-of DATE] [--from DATE] [--split DATE] [--horizon-days N]
              rule score and learned model on month-end snapshots split by time: ROC AUC, PR AUC,
              precision and lift in the top 10%, Brier score, calibration table
  cross-sell  [--as-of DATE]
              hides each account's newest item(s), ranks with the production scorer and with
              popularity: HR@1/3/10, P@1/3/10, MAP@10
  forecast    --period FY2026-Q3 [--as-of DATE]
              the forecast made at the period's start against what was won in it

  --json      print the report as JSON
`;

const isoDate = z.iso.date({ message: 'must be a date such as 2026-11-28' });

const commonFlags = { json: { type: 'boolean', default: false }, 'as-of': { type: 'string' } } as const;

const ChurnFlags = z.object({
  'as-of': isoDate.optional(),
  from: isoDate.optional(),
  split: isoDate.optional(),
  'horizon-days': z
    .string()
    .regex(/^\d+$/, { message: 'must be a whole number of days, e.g. 90' })
    .transform(Number)
    .pipe(z.number().int().min(1, { message: 'must be at least 1' }).max(730, { message: 'must be at most 730' }))
    .optional(),
  'label-field': z.string().trim().min(1, { message: 'must name an account field' }).optional(),
  'no-lost-renewals': z.boolean().default(false),
});

const CrossSellFlags = z.object({ 'as-of': isoDate.optional() });

const ForecastFlags = z.object({
  'as-of': isoDate.optional(),
  period: z.string({ message: 'is required, e.g. --period FY2026-Q3' }).regex(/^FY\d{4}(-Q[1-4]|-M(0[1-9]|1[0-2]))?$/, { message: 'must be a period id such as FY2026, FY2026-Q3 or FY2026-M08' }),
});

/** Parses flags with zod; the first problem becomes a usage error naming the flag. */
function validate<T extends z.ZodType>(schema: T, values: Record<string, unknown>): z.output<T> {
  const parsed = schema.safeParse(values);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0] as z.core.$ZodIssue;
  throw new ExitError(`--${String(issue.path[0] ?? '?')}: ${issue.message}\n\n${usage}`, 2);
}

function parseFlags(argv: string[], options: NonNullable<ParseArgsConfig['options']>): Record<string, unknown> {
  try {
    return parseArgs({ args: argv, options: { ...commonFlags, ...options }, allowPositionals: false, strict: true }).values as Record<string, unknown>;
  } catch (err) {
    throw new ExitError(`${(err as Error).message}\n\n${usage}`, 2);
  }
}

export interface EvaluateCommandOptions {
  /** an already booted context (tests); it is not shut down here */
  context?: AppContext;
  write?: (text: string) => void;
  writeError?: (text: string) => void;
}

export async function runEvaluateCommand(argv: string[], options: EvaluateCommandOptions = {}): Promise<number> {
  const write = options.write ?? ((t: string) => void process.stdout.write(t));
  const writeError = options.writeError ?? ((t: string) => void process.stderr.write(t));
  const [what, ...rest] = argv;
  if (what === undefined) {
    writeError(usage);
    return 2;
  }
  if (what === '--help' || what === '-h' || what === 'help' || rest.includes('--help') || rest.includes('-h')) {
    write(usage);
    return 0;
  }
  let run: (ctx: AppContext) => Promise<ChurnBacktestReport | CrossSellBacktestReport | ForecastBacktestReport>;
  let values: Record<string, unknown>;
  if (what === 'churn') {
    values = parseFlags(rest, { from: { type: 'string' }, split: { type: 'string' }, 'horizon-days': { type: 'string' }, 'label-field': { type: 'string' }, 'no-lost-renewals': { type: 'boolean' } });
    const flags = validate(ChurnFlags, strip(values));
    run = (ctx) =>
      evaluateChurnOnStore(ctx, {
        asOf: flags['as-of'],
        from: flags.from,
        split: flags.split,
        horizonDays: flags['horizon-days'],
        labelField: flags['label-field'],
        lostRenewals: !flags['no-lost-renewals'],
      });
  } else if (what === 'cross-sell') {
    values = parseFlags(rest, {});
    const flags = validate(CrossSellFlags, strip(values));
    run = (ctx) => evaluateCrossSellOnStore(ctx, { asOf: flags['as-of'] });
  } else if (what === 'forecast') {
    values = parseFlags(rest, { period: { type: 'string' } });
    const flags = validate(ForecastFlags, strip(values));
    run = (ctx) => evaluateForecastOnStore(ctx, { period: flags.period, asOf: flags['as-of'] });
  } else {
    throw new ExitError(`unknown evaluation "${what}": use churn, cross-sell or forecast\n\n${usage}`, 2);
  }

  const ctx = options.context ?? (await boot());
  try {
    const report = await run(ctx);
    write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return 0;
  } catch (err) {
    if (err instanceof NoSyncedDataError) {
      writeError(`${err.message}\n`);
      return 1;
    }
    if (err instanceof EvaluationInputError) throw new ExitError(err.message, 2);
    throw err;
  } finally {
    if (!options.context) await shutdown(ctx);
  }
}

/** Drops the common flags the schemas do not know about. */
function strip(values: Record<string, unknown>): Record<string, unknown> {
  const { json: _json, ...rest } = values;
  return rest;
}

// ---------------------------------------------------------------------------------------------
// Formatting

const f3 = (x: number | null | undefined): string => (x === null || x === undefined ? '–' : x.toFixed(3));
const money = (x: number): string => x.toLocaleString('en-US', { maximumFractionDigits: 0 });
const pct = (x: number | null): string => (x === null ? '–' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`);

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function calibrationLines(bins: ChurnEvaluation['calibration']): string {
  return table(
    ['predicted', 'rows', 'mean predicted', 'observed'],
    bins.map((b) => [`${b.lower.toFixed(1)}-${b.upper.toFixed(1)}`, String(b.count), f3(b.meanPredicted), f3(b.observedRate)]),
  );
}

export function formatReport(report: ChurnBacktestReport | CrossSellBacktestReport | ForecastBacktestReport): string {
  if (report.kind === 'churn') return formatChurn(report);
  if (report.kind === 'cross-sell') return formatCrossSell(report);
  return formatForecast(report);
}

function formatChurn(r: ChurnBacktestReport): string {
  const learned = r.learned.evaluation;
  const out = [
    `churn backtest as of ${r.asOf}: snapshots at month ends from ${r.from}, horizon ${r.horizonDays} days, split at ${r.split}`,
    `labels: ${[r.labels.field ? `field ${r.labels.field}` : null, r.labels.lostRenewals ? 'lost renewals' : null].filter(Boolean).join(' and ') || 'none'}; ${r.labels.churnedAccounts} churned of ${r.accounts} accounts`,
    `snapshots: ${r.snapshots.total} (${r.snapshots.positives} churned within the horizon); train ${r.snapshots.train.rows} (${r.snapshots.train.positives}), test ${r.snapshots.test.rows} (${r.snapshots.test.positives})`,
    '',
    table(
      ['model (test part)', 'ROC AUC', 'PR AUC', 'top-10% precision', 'top-10% lift', 'Brier', 'Brier baseline'],
      [
        ['rule score', f3(r.rule.rocAuc), f3(r.rule.prAuc), f3(r.rule.topDecile?.precision), f3(r.rule.topDecile?.lift), f3(r.rule.platt?.brier), f3(r.rule.platt?.brierBaseline)],
        learned
          ? ['learned model', f3(learned.rocAuc), f3(learned.prAuc), f3(learned.topDecile?.precision), f3(learned.topDecile?.lift), f3(learned.brier), f3(learned.brierBaseline)]
          : ['learned model', 'not fitted', '', '', '', '', ''],
      ],
    ),
  ];
  if (r.rule.platt) out.push('', 'rule score, Platt-calibrated on the train part:', calibrationLines(r.rule.platt.calibration));
  if (learned) out.push('', 'learned model:', calibrationLines(learned.calibration));
  if (r.messages.length) out.push('', ...r.messages.map((m) => `note: ${m}`));
  return `${out.join('\n')}\n`;
}

function rankingRow(name: string, s: RankingSummary): string[] {
  return [name, f3(s.hitRate[1]), f3(s.hitRate[3]), f3(s.hitRate[10]), f3(s.precision[1]), f3(s.precision[3]), f3(s.precision[10]), f3(s.map)];
}

function formatCrossSell(r: CrossSellBacktestReport): string {
  const out = [
    `cross-sell backtest as of ${r.asOf} (items are product ${r.level === 'family' ? 'families' : 'names'}): ${r.evaluatedAccounts} of ${r.accountsWithItems} accounts evaluated, ${r.heldOutItems} newest item(s) hidden, ${r.items} items`,
    '',
    table(['scorer', 'HR@1', 'HR@3', 'HR@10', 'P@1', 'P@3', 'P@10', 'MAP@10'], [rankingRow('production', r.production), rankingRow('popularity', r.popularity)]),
  ];
  if (r.messages.length) out.push('', ...r.messages.map((m) => `note: ${m}`));
  return `${out.join('\n')}\n`;
}

function formatForecast(r: ForecastBacktestReport): string {
  const out = [
    `forecast backtest of ${r.period.id} (${r.period.start} to ${r.period.end}), forecast as of ${r.forecastAsOf}${r.complete ? '' : ` — not over; won to ${r.asOf}`}`,
    '',
    table(
      ['', 'amount'],
      [
        ['forecast at period start', money(r.forecast)],
        [`  open deals closing in the period, weighted (${r.openInPeriod} deals)`, money(r.weightedInPeriod)],
        [`  run-rate of deals created and won in a period (${r.runRatePeriods.join(', ') || 'no history'})`, money(r.runRate)],
        [r.complete ? 'actual won' : 'won to date', money(r.actual)],
        ['  from deals open at the start', money(r.actualFromOpenAtStart)],
        ['  from deals created inside the period', money(r.actualFromCreatedInPeriod)],
        ['error (forecast - actual) / actual', pct(r.errorPct)],
      ],
    ),
  ];
  if (r.messages.length) out.push('', ...r.messages.map((m) => `note: ${m}`));
  return `${out.join('\n')}\n`;
}
