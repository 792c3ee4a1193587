/**
 * `npm run bench`: AccountPulse against the API minimum, the rate-limit time bound and the obvious
 * SDK scripts, per seeded org size and CRM; local cost, peak RSS; 1 vs 2 worker processes.
 * Prints figures (never pass/fail) and writes bench/results/{hubspot,salesforce,workers}.json.
 *
 *   npm run bench -- [--sizes 1000,10000] [--with-100k] [--only hubspot|salesforce|baseline|workers]
 *
 * Each size runs in its own child process so that its peak RSS (VmHWM) is its own.
 * `--only hubspot|salesforce` runs cycles on that CRM alone; `--only baseline` runs both CRMs'
 * cycles and baselines but not the workers bench; `--only workers` runs the workers bench alone.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { CrmSource } from '../src/domain/model.js';
import { runHubSpotBaseline } from './baselines/hubspot-baseline.js';
import { runSalesforceBaseline } from './baselines/salesforce-baseline.js';
import { HUBSPOT_RATE_PER_10S, RssSampler, runProductScenario, startBenchSandbox, type CrmCycleFigures, type ProductScenario } from './cycle.js';
import { runWorkerScaling, type WorkerScaling } from './workers.js';

for (const k of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) delete process.env[k];

const SEED = 42;
const WORKERS_SIZE = 10_000;
const here = dirname(fileURLToPath(import.meta.url));

const Flags = z.object({
  sizes: z.string().regex(/^\d+(,\d+)*$/, 'a comma-separated list of account counts, e.g. 1000,10000').transform((s) => s.split(',').map(Number)),
  'with-100k': z.boolean(),
  only: z.enum(['hubspot', 'salesforce', 'baseline', 'workers']).optional(),
  child: z.coerce.number().int().positive().optional(),
  out: z.string().optional(),
});
type Flags = z.infer<typeof Flags>;

const say = (s: string) => process.stdout.write(`${s}\n`);
const ratio = (a: number, b: number): number | null => (b > 0 ? Number((a / b).toFixed(3)) : null);

interface BaselineFigures {
  calls: number;
  readCalls: number;
  writeCalls: number;
  rateLimited: number;
  wallMs: number;
  recordsRead: number;
  recordsUpdated: number;
  byRoute: Record<string, number>;
}

interface SizeResult {
  scenario: ProductScenario;
  baselines: Partial<Record<CrmSource, BaselineFigures>>;
}

/** Child mode: one size, product scenario then the baselines on a fresh sandbox of the same seed. */
async function runSize(accounts: number, sources: CrmSource[], out: string): Promise<void> {
  const log = (s: string) => say(`[${accounts}] ${s}`);
  const scenario = await runProductScenario({ seed: SEED, accounts, sources, log });
  const baselines: SizeResult['baselines'] = {};
  log('baselines on a fresh sandbox of the same seed…');
  const rss = new RssSampler();
  const handle = await startBenchSandbox({ seed: SEED, accounts });
  try {
    // the AccountPulse fields must exist in the fresh sandbox: provisioned through the product (not counted)
    const { benchContext, benchEnviron, closeContext } = await import('./cycle.js');
    const { ctx, redis } = benchContext(benchEnviron(handle, sources, `benchb${process.pid}`), handle.sandbox.seedOrg.competitors);
    for (const c of ctx.connectors.values()) await c.provision({ dryRun: false });
    await closeContext(ctx, redis);
    const isWrite = (route: string) => /^(PATCH|PUT|DELETE) /.test(route);
    if (sources.includes('hubspot')) {
      const hs = handle.sandbox.hubspot;
      const updates = new Map([...scenario.written.hubspot].map(([key, props]) => [hs.externalId(key) as string, props]));
      hs.stats.reset();
      const r = await runHubSpotBaseline({ url: hs.url, token: hs.token, ratePer10s: HUBSPOT_RATE_PER_10S, updates });
      const snap = hs.stats.snapshot();
      const writeCalls = Object.entries(snap.calls.byRoute).filter(([k]) => isWrite(k)).reduce((n, [, v]) => n + v, 0);
      baselines.hubspot = { calls: snap.calls.total, readCalls: snap.calls.total - writeCalls, writeCalls, rateLimited: snap.rateLimited, wallMs: r.wallMs, recordsRead: r.recordsRead, recordsUpdated: r.recordsUpdated, byRoute: snap.calls.byRoute };
      log(`HubSpot baseline: ${snap.calls.total} calls in ${(r.wallMs / 1000).toFixed(1)} s`);
    }
    if (sources.includes('salesforce')) {
      const sf = handle.sandbox.salesforce;
      const updates = new Map([...scenario.written.salesforce].map(([key, fields]) => [sf.externalId(key) as string, fields]));
      sf.stats.reset();
      const r = await runSalesforceBaseline({ url: sf.url, token: sf.token, updates });
      const snap = sf.stats.snapshot();
      const writeCalls = Object.entries(snap.calls.byRoute).filter(([k]) => isWrite(k)).reduce((n, [, v]) => n + v, 0);
      baselines.salesforce = { calls: snap.calls.total, readCalls: snap.calls.total - writeCalls, writeCalls, rateLimited: snap.rateLimited, wallMs: r.wallMs, recordsRead: r.recordsRead, recordsUpdated: r.recordsUpdated, byRoute: snap.calls.byRoute };
      log(`Salesforce baseline: ${snap.calls.total} calls in ${(r.wallMs / 1000).toFixed(1)} s`);
    }
  } finally {
    rss.stop();
    await handle.sandbox.close();
  }
  const result: SizeResult = { scenario: { ...scenario, written: { hubspot: new Map(), salesforce: new Map() } }, baselines };
  writeFileSync(out, JSON.stringify(result));
}

function runChild(accounts: number, only: Flags['only'], out: string): Promise<void> {
  const args = ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', String(accounts), '--out', out, ...(only ? ['--only', only] : [])];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--max-old-space-size=8192', ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the ${accounts}-account bench exited with ${code}; see its output above`))));
  });
}

/** One results row: one CRM at one size. */
function row(crm: CrmSource, size: SizeResult) {
  const { scenario } = size;
  const of = (figures: CrmCycleFigures[]) => figures.find((f) => f.source === crm) as CrmCycleFigures;
  const initial = of(scenario.initial.crms);
  const incremental = of(scenario.incremental.crms);
  const baseline = size.baselines[crm];
  const productCalls = initial.totalCalls;
  const boundMs = crm === 'hubspot' ? Math.round((productCalls / HUBSPOT_RATE_PER_10S) * 10_000) : null;
  return {
    crm,
    accounts: scenario.accounts,
    records: scenario.records[crm],
    initialSync: initial.sync,
    incrementalSync: { changed: scenario.changed[crm], changedBySdk: scenario.changedBySdk[crm], ...incremental.sync },
    writeBack: { initial: initial.writeBack, incremental: incremental.writeBack },
    cycle: {
      wallMs: scenario.initial.wallMs,
      calls: productCalls,
      rateLimitBoundMs: boundMs,
      timeVsRateLimitBound: boundMs ? ratio(scenario.initial.wallMs, boundMs) : null,
      boundNote: crm === 'hubspot' ? `calls needed / ${HUBSPOT_RATE_PER_10S} per 10 s` : 'Salesforce has no per-second limit: the cycle time is not rate-limited',
      rateLimited: initial.rateLimited,
      incrementalWallMs: scenario.incremental.wallMs,
      incrementalRateLimited: incremental.rateLimited,
      failedRuns: scenario.initial.failedRuns + scenario.incremental.failedRuns,
      stages: scenario.initial.stages,
    },
    baseline: baseline
      ? {
          ...baseline,
          baselineCallRatio: ratio(baseline.calls, productCalls),
          baselineTimeRatio: ratio(baseline.wallMs, scenario.initial.wallMs),
          // a script without checkpoints re-reads everything and updates the changed accounts one by one
          incrementalBaselineCallsDerived: baseline.readCalls + incremental.writeBack.accounts,
          incrementalBaselineCallRatio: ratio(baseline.readCalls + incremental.writeBack.accounts, incremental.totalCalls),
        }
      : null,
    localCost: {
      apiMs: scenario.initial.apiMs,
      outsideApiShare: scenario.initial.outsideApiShare,
      localCpuShare: scenario.initial.localCpuShare,
      method: 'API time = union over both CRMs of server-side call intervals (routing to response finish); outside = 1 - API/wall; local CPU = event loop busy while no call was in flight',
    },
    peakRssMb: scenario.rss.peakRssMb,
    vmHwmMb: scenario.rss.vmHwmMb,
  };
}

function machine() {
  const cpus = os.cpus();
  return { cpus: cpus.length, model: cpus[0]?.model ?? 'unknown', totalMemoryMb: Math.round(os.totalmem() / 1024 / 1024), node: process.version, platform: `${os.platform()} ${os.release()}` };
}

const x = (v: number | null | undefined, digits = 2) => (v === null || v === undefined ? 'n/a' : `${v.toFixed(digits)}x`);

function table(rows: ReturnType<typeof row>[]): string {
  const lines = [
    '| CRM | accounts | initial sync calls / min | incremental calls / min | write-back calls / min (initial; incremental) | cycle s | rate-limit bound s | time vs bound | 429s | baseline calls / ours | baseline time / ours | outside API | local CPU | peak RSS MB |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.crm} | ${r.accounts.toLocaleString('en-US')} | ${r.initialSync.calls} / ${r.initialSync.minimum} (${x(r.initialSync.callsVsMinimum, 3)}) | ${r.incrementalSync.calls} / ${r.incrementalSync.minimum} (${x(r.incrementalSync.callsVsMinimum, 3)}) | ${r.writeBack.initial.calls} / ${r.writeBack.initial.minimum} (${x(r.writeBack.initial.callsVsMinimum, 3)}); ${r.writeBack.incremental.calls} / ${r.writeBack.incremental.minimum} | ${(r.cycle.wallMs / 1000).toFixed(1)} | ${r.cycle.rateLimitBoundMs === null ? 'not rate-limited' : (r.cycle.rateLimitBoundMs / 1000).toFixed(1)} | ${x(r.cycle.timeVsRateLimitBound)} | ${r.cycle.rateLimited} | ${r.baseline ? `${r.baseline.calls} / ${r.cycle.calls} = ${x(r.baseline.baselineCallRatio, 1)}` : 'n/a'} | ${x(r.baseline?.baselineTimeRatio)} | ${Math.round(r.localCost.outsideApiShare * 100)}% | ${Math.round(r.localCost.localCpuShare * 100)}% | ${r.peakRssMb} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { sizes: { type: 'string', default: '1000,10000' }, 'with-100k': { type: 'boolean', default: false }, only: { type: 'string' }, child: { type: 'string' }, out: { type: 'string' } } });
  const parsed = Flags.safeParse(values);
  if (!parsed.success) {
    process.stderr.write(`bench: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}\n`);
    process.exit(2);
  }
  const flags = parsed.data;
  if (!process.env.REDIS_URL) {
    process.stderr.write('bench: REDIS_URL is not set; run `npm run bench` (it starts a local Redis through scripts/with-redis.ts)\n');
    process.exit(2);
  }
  const sources: CrmSource[] = flags.only === 'hubspot' || flags.only === 'salesforce' ? [flags.only] : ['hubspot', 'salesforce'];
  if (flags.child) {
    if (!flags.out) throw new Error('--child needs --out <file>');
    await runSize(flags.child, sources, flags.out);
    return;
  }

  const started = performance.now();
  const date = new Date().toISOString();
  const sizes = [...flags.sizes, ...(flags['with-100k'] ? [100_000] : [])];
  mkdirSync(join(here, 'results'), { recursive: true });
  const tmp = mkdtempSync(join(os.tmpdir(), 'accountpulse-bench-'));
  try {
    if (flags.only !== 'workers') {
      const bySize: SizeResult[] = [];
      for (const accounts of sizes) {
        say(`== ${accounts.toLocaleString('en-US')} accounts ==`);
        const out = join(tmp, `${accounts}.json`);
        await runChild(accounts, flags.only, out);
        bySize.push(JSON.parse(readFileSync(out, 'utf8')) as SizeResult);
      }
      const rows = sources.flatMap((crm) => bySize.map((s) => row(crm, s)));
      for (const crm of sources) {
        const file = join(here, 'results', `${crm}.json`);
        writeFileSync(file, `${JSON.stringify({ date, command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(), machine: machine(), seed: SEED, rows: rows.filter((r) => r.crm === crm) }, null, 2)}\n`);
        say(`written ${file}`);
      }
      say('');
      say(table(rows));
    }
    if (!flags.only || flags.only === 'workers') {
      say(`\n== workers: 1 vs 2 worker processes, ${WORKERS_SIZE.toLocaleString('en-US')} accounts ==`);
      const scaling: WorkerScaling = await runWorkerScaling({ seed: SEED, accounts: WORKERS_SIZE, sources: ['hubspot', 'salesforce'], log: say });
      const file = join(here, 'results', 'workers.json');
      writeFileSync(file, `${JSON.stringify({ date, machine: machine(), seed: SEED, ...scaling }, null, 2)}\n`);
      say(`speed-up 1 → 2 processes: ${scaling.speedUp}x; written ${file}`);
    }
    say(`\nbench finished in ${((performance.now() - started) / 1000).toFixed(0)} s on ${machine().cpus} × ${machine().model}, ${machine().totalMemoryMb} MB, Node ${process.version}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
