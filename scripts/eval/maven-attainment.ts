/**
 * Real-data check of the quota maths on the Maven Analytics CRM data set (datasets/maven_crm).
 *
 * Maps sales_pipeline.csv to Deals (agent = owner, manager from sales_teams.csv), computes attainment
 * per agent, per manager and for the org for each 2017 quarter with src/domain/quota.ts, and checks it
 * against an independent SQL computation (maven_attainment_oracle.py, Python stdlib sqlite3) to the
 * cent. Also prints win rate, deal size, cycle time, the seasonal curve F and a forecast backtest per
 * quarter, and checks them against the figures published in analytics.md.
 *
 * Quota rule (Maven has no quota table): every agent in sales_teams.csv has a quota of 100,000 USD per
 * calendar quarter of 2017; managers have none of their own, so a manager's team quota is 100,000 × the
 * number of agents under them.
 *
 * Mapping choices, all forced by what Maven records:
 * - amount: close_value for won and lost deals (0 for lost: Maven books nothing); open deals have no
 *   close_value, so their amount is the product's list price (GTXPro in the pipeline is "GTX Pro" in
 *   products.csv);
 * - createdAt = engage_date (Prospecting deals have none); open deals have no close date;
 * - history is synthesized: each closed deal sat in stage Engaging from engage_date until close_date,
 *   when it moved to Won/Lost and its amount changed from list price to close_value. That is what the
 *   backtest uses to see deals as they stood on a quarter's first day.
 *
 * Usage: tsx scripts/eval/maven-attainment.ts [--json]
 * Datasets folder: $ACCOUNTPULSE_DATASETS, else ../shared/datasets relative to the repository.
 * Exit code: 0 when every check passes or the data set is absent, 1 when a check fails.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Deal, DealHistory, Owner, Quota, recordId } from '../../src/domain/model.js';
import type { Attainment } from '../../src/domain/insights.js';
import { computeAttainment, type QuotaConfigInput } from '../../src/domain/quota.js';
import { backtestForecast, learnSeasonality, type BacktestResult } from '../../src/domain/forecast.js';
import { prepareDeals } from '../../src/domain/deal-inputs.js';
import { periodById } from '../../src/domain/periods.js';
import { QuotaConfigSchema } from '../../src/domain/quota-config.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
export const QUOTA_PER_AGENT_QUARTER = 100_000;
const QUARTERS = ['FY2017-Q1', 'FY2017-Q2', 'FY2017-Q3', 'FY2017-Q4'] as const;
const STAMP = '2018-01-01T00:00:00.000Z';

/** Figures published in analytics.md §1.1 for this data set. */
export const published = {
  winRate: 0.6315,
  avgDealSize: 2360.91,
  cycleMeanDays: 51.8,
  cycleMedianDays: 57,
  seasonalF30: 0.237,
  seasonalF60: 0.574,
  backtest: {
    'FY2017-Q2': { openDeals: 1330, openGross: 3_280_185, openWeighted: 2_692_084, actual: 3_086_111, fromOpen: 1_559_305 },
    'FY2017-Q3': { openDeals: 1686, openGross: 4_216_807, openWeighted: 2_809_631, actual: 2_982_255, fromOpen: 1_441_450 },
    'FY2017-Q4': { openDeals: 2409, openGross: 5_763_490, openWeighted: 3_709_805, actual: 2_802_496, fromOpen: 1_251_928 },
  } as Record<string, { openDeals: number; openGross: number; openWeighted: number; actual: number; fromOpen: number }>,
};

export function datasetsDir(): string {
  return process.env.ACCOUNTPULSE_DATASETS ?? resolve(repoRoot, '..', 'shared', 'datasets');
}

/** Minimal CSV reader for these files: comma-separated, no quoted fields, CRLF or LF endings. */
function readCsv(path: string): Record<string, string>[] {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/).filter((line) => line.length > 0);
  const header = (lines[0] ?? '').split(',');
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    if (cells.length !== header.length) throw new Error(`${path}: a line has ${cells.length} cells, the header ${header.length}: "${line}"`);
    return Object.fromEntries(header.map((name, i) => [name, cells[i] ?? '']));
  });
}

const ownerId = (name: string) => recordId('salesforce', `maven-${name.toLowerCase().replace(/\s+/g, '-')}`);

export interface MavenData {
  deals: Deal[];
  history: DealHistory[];
  owners: Owner[];
  quotas: Quota[];
  agents: string[];
  managers: string[];
}

export function loadMaven(folder: string): MavenData {
  const pipeline = readCsv(join(folder, 'sales_pipeline.csv'));
  const teams = readCsv(join(folder, 'sales_teams.csv'));
  const listPrice = new Map(readCsv(join(folder, 'products.csv')).map((p) => [p.product?.replace(/\s+/g, '') ?? '', Number(p.sales_price)]));
  const priceOf = (product: string) => {
    const price = listPrice.get(product.replace(/\s+/g, ''));
    if (price === undefined) throw new Error(`maven: product "${product}" is not in products.csv; extend the name matching`);
    return price;
  };
  const managers = [...new Set(teams.map((t) => t.manager ?? ''))];
  const owner = (name: string, managerId: string | null): Owner =>
    Owner.parse({
      id: ownerId(name),
      source: 'salesforce',
      externalId: `maven-${name}`,
      updatedAt: STAMP,
      name,
      email: null,
      managerId,
      teamId: managerId,
      teamName: null,
      active: true,
    });
  const owners = [
    ...managers.map((m) => owner(m, null)),
    ...teams.map((t) => owner(t.sales_agent ?? '', ownerId(t.manager ?? ''))),
  ];
  const quotas: Quota[] = [];
  for (const t of teams) {
    for (const id of QUARTERS) {
      const period = periodById(id);
      quotas.push(
        Quota.parse({
          id: `config:${ownerId(t.sales_agent ?? '')}:${period.start}`,
          source: 'config',
          externalId: `${t.sales_agent}:${id}`,
          updatedAt: STAMP,
          ownerId: ownerId(t.sales_agent ?? ''),
          periodStart: period.start,
          periodEnd: period.end,
          amount: QUOTA_PER_AGENT_QUARTER,
          currency: 'USD',
        }),
      );
    }
  }
  const deals: Deal[] = [];
  const history: DealHistory[] = [];
  for (const row of pipeline) {
    const stage = row.deal_stage ?? '';
    const status = stage === 'Won' ? 'won' : stage === 'Lost' ? 'lost' : 'open';
    const id = recordId('salesforce', row.opportunity_id ?? '');
    const price = priceOf(row.product ?? '');
    const closeValue = row.close_value === '' ? null : Number(row.close_value);
    deals.push(
      Deal.parse({
        id,
        source: 'salesforce',
        externalId: row.opportunity_id,
        updatedAt: STAMP,
        name: `${row.product} for ${row.account || 'unknown account'}`,
        accountId: row.account ? recordId('salesforce', `maven-account-${row.account}`) : null,
        ownerId: ownerId(row.sales_agent ?? ''),
        amount: status === 'open' ? price : closeValue,
        currency: null,
        status,
        stage,
        stageId: stage,
        pipeline: null,
        probability: null,
        forecastCategory: status === 'won' ? 'closed' : status === 'lost' ? 'omitted' : 'pipeline',
        closeDate: row.close_date || null,
        type: null,
        createdAt: row.engage_date ? `${row.engage_date}T00:00:00.000Z` : null,
      }),
    );
    if (status !== 'open' && row.close_date) {
      const changedAt = `${row.close_date}T00:00:00.000Z`;
      const base = { source: 'salesforce' as const, updatedAt: changedAt, dealId: id, changedAt };
      history.push(
        DealHistory.parse({ ...base, id: `${id}:stage`, externalId: `${row.opportunity_id}:stage`, field: 'stage', from: 'Engaging', to: stage }),
        DealHistory.parse({ ...base, id: `${id}:amount`, externalId: `${row.opportunity_id}:amount`, field: 'amount', from: String(price), to: String(closeValue ?? 0) }),
      );
    }
  }
  return { deals, history, owners, quotas, agents: teams.map((t) => t.sales_agent ?? ''), managers };
}

interface OracleRow {
  won: number;
  quota: number;
  attainment: number | null;
}
interface Oracle {
  agents: (OracleRow & { agent: string; quarter: string })[];
  managers: (OracleRow & { manager: string; quarter: string })[];
  overall: { won: number; lost: number; winRate: number; avgDealSize: number; cycleMeanDays: number };
}

function runOracle(folder: string): Oracle {
  const out = execFileSync('python3', [join(here, 'maven_attainment_oracle.py'), folder, String(QUOTA_PER_AGENT_QUARTER)], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(out) as Oracle;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface MavenReport {
  quotaRule: string;
  quarters: { period: string; org: Attainment; agents: Attainment[]; teams: Attainment[] }[];
  overall: { winRate: number | null; avgDealSize: number | null; cycleMeanDays: number | null; cycleMedianDays: number | null; cycleMaxDays: number | null };
  seasonal: { periods: string[]; f30: number; f60: number };
  backtests: BacktestResult[];
  oracle: { agentRowsCompared: number; managerRowsCompared: number; mismatches: string[] };
  checks: Check[];
}

const cents = (x: number) => Math.round(x * 100);

function near(name: string, actual: number | null, expected: number, tolerance: number): Check {
  const ok = actual !== null && Math.abs(actual - expected) <= tolerance;
  return { name, ok, detail: `${actual} vs published ${expected} (±${tolerance})` };
}

export function runMavenCheck(folder: string): MavenReport {
  const data = loadMaven(folder);
  const config: QuotaConfigInput = { fiscalYearStartMonth: 1, corporateCurrency: 'USD' };
  const quarters = QUARTERS.map((id) => {
    const period = periodById(id);
    const rows = computeAttainment({ ...data, period, asOf: period.end, config });
    return {
      period: id,
      org: rows.find((r) => r.scope === 'org') as Attainment,
      agents: rows.filter((r) => r.scope === 'owner'),
      teams: rows.filter((r) => r.scope === 'team'),
    };
  });

  const oracle = runOracle(folder);
  const mismatches: string[] = [];
  const compare = (label: string, mine: Attainment | undefined, theirs: OracleRow) => {
    if (!mine) return mismatches.push(`${label}: no row from computeAttainment`);
    if (cents(mine.closedWon) !== cents(theirs.won)) mismatches.push(`${label}: won ${mine.closedWon} vs SQL ${theirs.won}`);
    if (cents(mine.quota ?? NaN) !== cents(theirs.quota)) mismatches.push(`${label}: quota ${mine.quota} vs SQL ${theirs.quota}`);
    if (mine.attainment === null || theirs.attainment === null || Math.abs(mine.attainment - theirs.attainment) > 1e-12) {
      mismatches.push(`${label}: attainment ${mine.attainment} vs SQL ${theirs.attainment}`);
    }
    return undefined;
  };
  const sqlQuarter = (id: string) => id.slice(2);
  for (const q of quarters) {
    for (const row of oracle.agents.filter((r) => r.quarter === sqlQuarter(q.period))) {
      compare(`${row.agent} ${q.period}`, q.agents.find((a) => a.subjectId === ownerId(row.agent)), row);
    }
    for (const row of oracle.managers.filter((r) => r.quarter === sqlQuarter(q.period))) {
      compare(`${row.manager} (team) ${q.period}`, q.teams.find((t) => t.subjectId === ownerId(row.manager)), row);
    }
  }
  const expectedAgentRows = data.agents.length * QUARTERS.length;
  const expectedManagerRows = data.managers.length * QUARTERS.length;
  if (oracle.agents.length !== expectedAgentRows) mismatches.push(`SQL gave ${oracle.agents.length} agent rows, expected ${expectedAgentRows}`);
  if (oracle.managers.length !== expectedManagerRows) mismatches.push(`SQL gave ${oracle.managers.length} manager rows, expected ${expectedManagerRows}`);

  // Whole-data figures: the org row as of 2017-12-31 with a 365-day window covers every closed deal.
  const year = computeAttainment({ ...data, period: periodById('FY2017'), asOf: '2017-12-31', config }).find((r) => r.scope === 'org') as Attainment;
  const cycles = data.deals
    .filter((d) => d.status === 'won' && d.createdAt !== null && d.closeDate !== null)
    .map((d) => (Date.parse(d.closeDate ?? '') - Date.parse((d.createdAt ?? '').slice(0, 10))) / 86_400_000)
    .sort((a, b) => a - b);
  const median = cycles.length === 0 ? null : cycles.length % 2 ? (cycles[(cycles.length - 1) / 2] ?? null) : ((cycles[cycles.length / 2 - 1] ?? 0) + (cycles[cycles.length / 2] ?? 0)) / 2;

  const seasonalPeriods = ['FY2017-Q2', 'FY2017-Q3', 'FY2017-Q4'].map((id) => periodById(id));
  const seasonality = learnSeasonality(prepareDeals(data.deals, QuotaConfigSchema.parse(config)).deals, seasonalPeriods, 1);
  const f30 = seasonality?.shareAt(30 / 91) ?? NaN;
  const f60 = seasonality?.shareAt(60 / 91) ?? NaN;

  const backtests = ['FY2017-Q2', 'FY2017-Q3', 'FY2017-Q4'].map((id) =>
    backtestForecast({ deals: data.deals, history: data.history, period: periodById(id), config }),
  );

  const checks: Check[] = [
    { name: 'attainment agrees with SQL to the cent', ok: mismatches.length === 0, detail: mismatches.length === 0 ? `${oracle.agents.length} agent and ${oracle.managers.length} manager rows` : mismatches.slice(0, 5).join('; ') },
    near('win rate (SQL)', year.winRate, oracle.overall.winRate, 1e-12),
    near('win rate', year.winRate, published.winRate, 0.00005),
    near('average deal size (SQL)', year.avgDealSize, oracle.overall.avgDealSize, 1e-6),
    near('average deal size', year.avgDealSize, published.avgDealSize, 0.005),
    near('cycle mean days (SQL)', year.cycleDays, oracle.overall.cycleMeanDays, 1e-9),
    near('cycle mean days', year.cycleDays, published.cycleMeanDays, 0.05),
    near('cycle median days', median, published.cycleMedianDays, 0),
    near('seasonal F(30/91)', f30, published.seasonalF30, 0.0005),
    near('seasonal F(60/91)', f60, published.seasonalF60, 0.0005),
  ];
  for (const b of backtests) {
    const p = published.backtest[b.period.id];
    if (!p) continue;
    checks.push(
      near(`${b.period.id} backtest open deals`, b.openDeals, p.openDeals, 0),
      near(`${b.period.id} backtest open gross`, b.openGross, p.openGross, 0.5),
      near(`${b.period.id} backtest open weighted`, b.openWeighted, p.openWeighted, 0.5),
      near(`${b.period.id} backtest actual won`, b.actual, p.actual, 0.5),
      near(`${b.period.id} backtest won from deals open at start`, b.actualFromOpenAtStart, p.fromOpen, 0.5),
    );
  }
  return {
    quotaRule: `every agent in sales_teams.csv: ${QUOTA_PER_AGENT_QUARTER.toLocaleString('en-US')} USD per calendar quarter of 2017; managers have no own quota (team quota = sum of their agents')`,
    quarters,
    overall: { winRate: year.winRate, avgDealSize: year.avgDealSize, cycleMeanDays: year.cycleDays, cycleMedianDays: median, cycleMaxDays: cycles.at(-1) ?? null },
    seasonal: { periods: seasonalPeriods.map((p) => p.id), f30, f60 },
    backtests,
    oracle: { agentRowsCompared: oracle.agents.length, managerRowsCompared: oracle.managers.length, mismatches },
    checks,
  };
}

const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);
const money = (x: number) => Math.round(x).toLocaleString('en-US');

function printReport(report: MavenReport): void {
  console.log(`Maven CRM attainment check\nquota rule: ${report.quotaRule}\n`);
  for (const q of report.quarters) {
    console.log(`${q.period}: org won ${money(q.org.closedWon)} of quota ${money(q.org.quota ?? 0)} = ${pct(q.org.attainment)}`);
    for (const t of q.teams) console.log(`  ${t.subjectName.padEnd(28)} won ${money(t.closedWon).padStart(9)}  quota ${money(t.quota ?? 0).padStart(9)}  ${pct(t.attainment)}`);
    const top = [...q.agents].sort((a, b) => b.closedWon - a.closedWon);
    const fmt = (a: Attainment) => `${a.subjectName} ${pct(a.attainment)}`;
    console.log(`  agents: top ${top.slice(0, 3).map(fmt).join(', ')}; bottom ${top.slice(-3).map(fmt).join(', ')}`);
  }
  const o = report.overall;
  console.log(`\nwin rate ${o.winRate?.toFixed(4)}, avg deal ${o.avgDealSize?.toFixed(2)}, cycle mean ${o.cycleMeanDays?.toFixed(1)} d, median ${o.cycleMedianDays} d, max ${o.cycleMaxDays} d`);
  console.log(`seasonal F over ${report.seasonal.periods.join(', ')}: F(30/91) = ${report.seasonal.f30.toFixed(4)}, F(60/91) = ${report.seasonal.f60.toFixed(4)} (linear 0.3297, 0.6593)`);
  console.log('\nforecast backtest as of each quarter\'s first day (p = learned p(Engaging), from deals closed before it):');
  console.log('quarter     open  gross       weighted(all)  p      in-period weighted  run-rate   forecast    actual      error   won from open / created in');
  for (const b of report.backtests) {
    const p = b.stageProbabilities.Engaging;
    console.log(
      `${b.period.id}  ${String(b.openDeals).padStart(5)}  ${money(b.openGross).padStart(10)}  ${money(b.openWeighted).padStart(13)}  ${p === undefined ? ' n/a ' : p.toFixed(3)}  ${money(b.weightedInPeriod).padStart(18)}  ${money(b.runRate).padStart(9)}  ${money(b.forecast).padStart(10)}  ${money(b.actual).padStart(10)}  ${pct(b.errorPct).padStart(6)}   ${money(b.actualFromOpenAtStart)} / ${money(b.actualFromCreatedInPeriod)}`,
    );
  }
  console.log('note: Maven has no expected close dates, so a closed deal\'s "close date as of the start" is its real one: the in-period weighted term knows which deals close in the quarter (optimistic); the run-rate term comes from past quarters only.');
  console.log(`\noracle: ${report.oracle.agentRowsCompared} (agent, quarter) and ${report.oracle.managerRowsCompared} (manager, quarter) rows compared with SQL`);
  for (const c of report.checks) console.log(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
}

function main(): void {
  const folder = join(datasetsDir(), 'maven_crm');
  if (!existsSync(join(folder, 'sales_pipeline.csv'))) {
    console.log(`skipped: datasets not found (looked in ${folder}; set ACCOUNTPULSE_DATASETS)`);
    return;
  }
  const report = runMavenCheck(folder);
  if (process.argv.includes('--json')) console.log(JSON.stringify(report, null, 2));
  else printReport(report);
  if (report.checks.some((c) => !c.ok)) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
