/**
 * `npm run bench`: AccountPulse against the API minimum, the rate-limit time bound and the obvious
 * SDK scripts, per seeded org size and CRM; local cost, peak RSS; 1 vs 2 worker processes.
 * Prints figures (never pass/fail) and writes bench/results/{hubspot,salesforce,workers,timeline}.json.
 *
 *   npm run bench -- [--sizes 1000,10000] [--with-100k] [--only hubspot|salesforce|baseline|workers] [--workers-size 5000]
 *
 * Parts, each in its own child process (so that AccountPulse's peak RSS, VmHWM, is its own):
 *  - `product N`: AccountPulse's scenario on a seeded sandbox (bench/cycle.ts), largest size first.
 *  - `baselines N`: the baseline scripts over the same scenario on a fresh sandbox of the same seed
 *    (bench/baselines/scenario.ts). It starts with `product N` and seeds beside it; marker files
 *    order the rest: `ready` (seeded: product N starts its measured cycles), then it waits for what
 *    product N wrote; `quiet` (its CPU work is done, only HubSpot updates at 19 calls/s are left:
 *    the next part starts); `go` from here (the other parts are over: its HubSpot incremental run
 *    may read everything again). So no measured cycle and no baseline read shares the machine with
 *    another part's CPU work; the HubSpot updates do run beside the smaller sizes and the workers
 *    bench, and every part lists what ran beside it (`ranBeside`).
 *  - `workers`: 1 vs 2 `accountpulse worker` processes (bench/workers.ts), after the product parts.
 * `--only hubspot|salesforce` runs the cycles and baselines on that CRM alone; `--only baseline`
 * runs both CRMs' cycles and baselines but not the workers bench; `--only workers` the workers alone.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { CrmSource } from '../src/domain/model.js';
import { runBaselineScenario, type BaselineRun, type BaselineScenarioResult, type ProductWrites } from './baselines/scenario.js';
import { HUBSPOT_RATE_PER_10S, runProductScenario, type CrmCycleFigures, type ProductScenario } from './cycle.js';
import { runWorkerScaling, type WorkerScaling } from './workers.js';

for (const k of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) delete process.env[k];

const SEED = 42;
/**
 * The workers bench's default size: 5,000 accounts keeps both runs (≈ 2 × 90 s) inside the time
 * the 10,000-account baselines take anyway, and its cycle is still mostly local work (its HubSpot
 * rate-limit bound is ≈ 40 s), which is what 1 → 2 processes can speed up.
 */
const WORKERS_SIZE = 5_000;
const here = dirname(fileURLToPath(import.meta.url));

const Flags = z.object({
  sizes: z.string().regex(/^\d+(,\d+)*$/, 'a comma-separated list of account counts, e.g. 1000,10000').transform((s) => s.split(',').map(Number)),
  'with-100k': z.boolean(),
  only: z.enum(['hubspot', 'salesforce', 'baseline', 'workers']).optional(),
  'workers-size': z.coerce.number().int().positive(),
  role: z.enum(['product', 'baseline']).optional(),
  child: z.coerce.number().int().positive().optional(),
  in: z.string().optional(),
  after: z.string().optional(),
  out: z.string().optional(),
});
type Flags = z.infer<typeof Flags>;

const say = (s: string) => process.stdout.write(`${s}\n`);
const ratio = (a: number, b: number): number | null => (b > 0 ? Number((a / b).toFixed(3)) : null);

/** What a product child hands back: its figures, and (in a second file) what it wrote, for the baselines. */
type ProductFigures = Omit<ProductScenario, 'written' | 'writtenIncremental'>;
/** Marker files between the bench and a baseline child: `<out>.ready`, `<out>.quiet` (child → bench, product), `<out>.go` (bench → child). */
const readyFile = (out: string) => `${out}.ready`;
const quietFile = (out: string) => `${out}.quiet`;
const goFile = (out: string) => `${out}.go`;
const writtenFile = (out: string) => `${out}.written`;

/** Resolves when `path` exists, or when `stop` settles (a child that exits never writes it). */
function fileAppears(path: string, stop: Promise<unknown> = new Promise(() => {})): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearInterval(timer);
      resolve();
    };
    const timer = setInterval(() => existsSync(path) && done(), 250);
    stop.then(done, done);
  });
}

/** Writes a file whole (rename), so that a reader polling for it never sees half of it. */
function writeWhole(path: string, text: string): void {
  writeFileSync(`${path}.part`, text);
  renameSync(`${path}.part`, path);
}

/** Child mode `--role product`: AccountPulse's scenario at one size; its cycles wait for `--after` (the baselines' sandbox seeded). */
async function productChild(accounts: number, sources: CrmSource[], out: string, after: string | undefined): Promise<void> {
  const beforeCycles = after ? () => fileAppears(after) : undefined;
  const scenario = await runProductScenario({ seed: SEED, accounts, sources, beforeCycles, log: (s) => say(`[${accounts}] ${s}`) });
  const { written, writtenIncremental, ...figures } = scenario;
  const writes: ProductWrites = {
    written: { hubspot: [...written.hubspot], salesforce: [...written.salesforce] },
    writtenIncremental: { hubspot: [...writtenIncremental.hubspot], salesforce: [...writtenIncremental.salesforce] },
  };
  writeFileSync(out, JSON.stringify(figures satisfies ProductFigures));
  writeWhole(writtenFile(out), JSON.stringify(writes));
}

/** Child mode `--role baseline`: the baselines over the same scenario at one size; `--in` is the product child's `--out`. */
async function baselineChild(accounts: number, sources: CrmSource[], productOut: string, out: string): Promise<void> {
  const gate = {
    ready: () => writeFileSync(readyFile(out), ''),
    quiet: () => writeFileSync(quietFile(out), ''),
    go: () => fileAppears(goFile(out)),
  };
  const productWrites = async () => {
    await fileAppears(writtenFile(productOut));
    return JSON.parse(readFileSync(writtenFile(productOut), 'utf8')) as ProductWrites;
  };
  const result = await runBaselineScenario({ seed: SEED, accounts, sources, productWrites, gate, log: (s) => say(`[${accounts} baseline] ${s}`) });
  writeFileSync(out, JSON.stringify(result));
}

function runChild(role: 'product' | 'baseline', accounts: number, only: Flags['only'], files: { in?: string; after?: string; out: string }, signal?: AbortSignal): Promise<void> {
  const args = [
    '--import', 'tsx', fileURLToPath(import.meta.url), '--role', role, '--child', String(accounts), '--out', files.out,
    ...(files.in ? ['--in', files.in] : []), ...(files.after ? ['--after', files.after] : []), ...(only ? ['--only', only] : []),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--max-old-space-size=8192', ...args], { stdio: ['ignore', 'inherit', 'inherit'], signal });
    child.once('error', () => {}); // an abort: reported by 'exit'
    child.once('exit', (code, sig) => (code === 0 ? resolve() : reject(new Error(`the ${accounts}-account ${role} bench exited with ${code ?? sig}; see its output above`))));
  });
}

/** Start and end of each part of the bench, to print and to say what ran beside what. */
class Timeline {
  private readonly origin = performance.now();
  readonly parts = new Map<string, { startS: number; endS: number | null }>();
  async time<T>(name: string, work: () => Promise<T>): Promise<T> {
    this.parts.set(name, { startS: this.now(), endS: null });
    try {
      return await work();
    } finally {
      (this.parts.get(name) as { endS: number | null }).endS = this.now();
    }
  }
  readonly marks: { name: string; atS: number }[] = [];
  mark(name: string): void {
    this.marks.push({ name, atS: this.now() });
  }
  private now(): number {
    return Number(((performance.now() - this.origin) / 1000).toFixed(1));
  }
  /** the other parts whose time overlapped this one's */
  ranBeside(name: string): string[] {
    const part = this.parts.get(name);
    if (!part) return [];
    const end = part.endS ?? Infinity;
    return [...this.parts].filter(([other, p]) => other !== name && p.startS < end && (p.endS ?? Infinity) > part.startS).map(([other]) => other);
  }
  toJSON() {
    return [...this.parts].map(([name, p]) => ({
      name,
      startS: p.startS,
      endS: p.endS,
      wallS: p.endS === null ? null : Number((p.endS - p.startS).toFixed(1)),
      ranBeside: this.ranBeside(name),
      marks: this.marks.filter((m) => m.name.startsWith(`${name}:`)),
    }));
  }
}

/**
 * HubSpot's rolling 10-s window admits a first burst of its whole allowance, so the k-th call
 * cannot start before ⌊(k−1)/allowance⌋ × 10 s: C calls need at least ⌊(C−1)/allowance⌋ × 10 s.
 * That is the bound used (a little below C / 19 per s, the steady rate, which is also reported).
 */
function burstAwareBoundMs(calls: number): number {
  return Math.floor(Math.max(0, calls - 1) / HUBSPOT_RATE_PER_10S) * 10_000;
}

function sumRoutes(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** One baseline run beside AccountPulse's cycle of the same phase. */
function baselinePhase(run: BaselineRun, ours: { calls: number; wallMs: number }) {
  return { ...run, ourCalls: ours.calls, ourWallMs: ours.wallMs, baselineCallRatio: ratio(run.calls, ours.calls), baselineTimeRatio: ratio(run.wallMs, ours.wallMs) };
}

/** One results row: one CRM at one size. */
function row(crm: CrmSource, scenario: ProductFigures, baselines: BaselineScenarioResult | undefined, timeline: Timeline) {
  const of = (figures: CrmCycleFigures[]) => figures.find((f) => f.source === crm) as CrmCycleFigures;
  const initial = of(scenario.initial.crms);
  const incremental = of(scenario.incremental.crms);
  const baseline = baselines?.[crm];
  const productCalls = initial.totalCalls;
  const boundMs = crm === 'hubspot' ? burstAwareBoundMs(productCalls) : null;
  const ours = {
    initial: { calls: initial.totalCalls, wallMs: scenario.initial.wallMs },
    incremental: { calls: incremental.totalCalls, wallMs: scenario.incremental.wallMs },
  };
  const oursTotal = { calls: ours.initial.calls + ours.incremental.calls, wallMs: ours.initial.wallMs + ours.incremental.wallMs };
  const settleCalls = scenario.settle.calls[crm];
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
      steadyRateBoundMs: crm === 'hubspot' ? Math.round((productCalls / HUBSPOT_RATE_PER_10S) * 10_000) : null,
      timeVsRateLimitBound: boundMs ? ratio(scenario.initial.wallMs, boundMs) : null,
      boundNote:
        crm === 'hubspot'
          ? boundMs
            ? `⌊(calls − 1) / ${HUBSPOT_RATE_PER_10S}⌋ × 10 s: the rolling 10-s window admits a first burst of ${HUBSPOT_RATE_PER_10S} calls (steadyRateBoundMs = calls / ${HUBSPOT_RATE_PER_10S / 10} per s is looser)`
            : `all ${productCalls} calls fit in the rolling window's first burst of ${HUBSPOT_RATE_PER_10S}: no rate-limit bound`
          : 'Salesforce has no per-second limit: the cycle time is not rate-limited',
      rateLimited: initial.rateLimited,
      incrementalWallMs: scenario.incremental.wallMs,
      incrementalRateLimited: incremental.rateLimited,
      settleCycle: { calls: settleCalls, wallMs: scenario.settle.wallMs },
      failedRuns: scenario.initial.failedRuns + scenario.incremental.failedRuns,
      stages: scenario.initial.stages,
      setupMs: scenario.setupMs,
      ranBeside: timeline.ranBeside(`product ${scenario.accounts}`),
    },
    baseline: baseline
      ? {
          // the whole scenario: initial run + incremental run, beside our initial + measured incremental cycles
          calls: baseline.initial.calls + baseline.incremental.calls,
          readCalls: baseline.initial.readCalls + baseline.incremental.readCalls,
          writeCalls: baseline.initial.writeCalls + baseline.incremental.writeCalls,
          rateLimited: baseline.initial.rateLimited + baseline.incremental.rateLimited,
          wallMs: baseline.initial.wallMs + baseline.incremental.wallMs,
          recordsRead: baseline.initial.recordsRead + baseline.incremental.recordsRead,
          recordsUpdated: baseline.initial.recordsUpdated + baseline.incremental.recordsUpdated,
          byRoute: sumRoutes(baseline.initial.byRoute, baseline.incremental.byRoute),
          ourCalls: oursTotal.calls,
          ourWallMs: oursTotal.wallMs,
          baselineCallRatio: ratio(baseline.initial.calls + baseline.incremental.calls, oursTotal.calls),
          baselineTimeRatio: ratio(baseline.initial.wallMs + baseline.incremental.wallMs, oursTotal.wallMs),
          // our unmeasured settle cycle (reading our own write-back's echo) counted too: the least flattering ratio
          baselineCallRatioWithSettle: ratio(baseline.initial.calls + baseline.incremental.calls, oursTotal.calls + settleCalls),
          incrementalBaselineCallRatio: ratio(baseline.incremental.calls, ours.incremental.calls),
          phases: { initial: baselinePhase(baseline.initial, ours.initial), incremental: baselinePhase(baseline.incremental, ours.incremental) },
          ranBeside: timeline.ranBeside(`baselines ${scenario.accounts}`),
          cpuMs: baselines.cpuMs,
        }
      : null,
    localCost: {
      apiMs: scenario.initial.apiMs,
      outsideApiShare: scenario.initial.outsideApiShare,
      localCpuShare: scenario.initial.localCpuShare,
      method: 'API time = union over both CRMs of server-side call intervals (routing to response finish); outside = 1 - API/wall; local CPU = event loop busy while no call was in flight',
    },
    // AccountPulse's own process (the worker); the bench process holds the sandbox
    peakRssMb: Math.max(scenario.initial.workerPeakRssMb ?? 0, scenario.incremental.workerPeakRssMb ?? 0),
    vmHwmMb: scenario.rss.vmHwmMb,
    benchPeakRssMb: scenario.rss.peakRssMb,
  };
}

function machine() {
  const cpus = os.cpus();
  return { cpus: cpus.length, model: cpus[0]?.model ?? 'unknown', totalMemoryMb: Math.round(os.totalmem() / 1024 / 1024), node: process.version, platform: `${os.platform()} ${os.release()}` };
}

const x = (v: number | null | undefined, digits = 2) => (v === null || v === undefined ? 'n/a' : `${v.toFixed(digits)}x`);

function table(rows: ReturnType<typeof row>[]): string {
  const lines = [
    '| CRM | accounts | initial sync calls / min | incremental calls / min | write-back calls / min (initial; incremental) | cycle s | rate-limit bound s | time vs bound | 429s | baseline calls / ours (whole scenario) | baseline initial; incremental | baseline time / ours | outside API | local CPU | peak RSS MB |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const b = r.baseline;
    lines.push(
      `| ${r.crm} | ${r.accounts.toLocaleString('en-US')} | ${r.initialSync.calls} / ${r.initialSync.minimum} (${x(r.initialSync.callsVsMinimum, 3)}) | ${r.incrementalSync.calls} / ${r.incrementalSync.minimum} (${x(r.incrementalSync.callsVsMinimum, 3)}) | ${r.writeBack.initial.calls} / ${r.writeBack.initial.minimum} (${x(r.writeBack.initial.callsVsMinimum, 3)}); ${r.writeBack.incremental.calls} / ${r.writeBack.incremental.minimum} | ${(r.cycle.wallMs / 1000).toFixed(1)} | ${r.cycle.rateLimitBoundMs === null ? 'not rate-limited' : (r.cycle.rateLimitBoundMs / 1000).toFixed(1)} | ${x(r.cycle.timeVsRateLimitBound)} | ${r.cycle.rateLimited} | ${b ? `${b.calls} / ${b.ourCalls} = ${x(b.baselineCallRatio, 1)}` : 'n/a'} | ${b ? `${x(b.phases.initial.baselineCallRatio, 1)}; ${x(b.phases.incremental.baselineCallRatio, 1)}` : 'n/a'} | ${x(b?.baselineTimeRatio)} | ${Math.round(r.localCost.outsideApiShare * 100)}% | ${Math.round(r.localCost.localCpuShare * 100)}% | ${r.peakRssMb} |`,
    );
  }
  return lines.join('\n');
}

/** The wall time of each part, and of each part's own steps. */
function partsReport(timeline: Timeline, products: Map<number, ProductFigures>, baselines: Map<number, BaselineScenarioResult>, workers: WorkerScaling | null): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const lines: string[] = ['wall time per part (seconds from the start of the bench):'];
  for (const part of timeline.toJSON()) {
    let detail = '';
    const size = Number(/\d+$/.exec(part.name)?.[0]);
    const product = part.name.startsWith('product') ? products.get(size) : undefined;
    const baseline = part.name.startsWith('baselines') ? baselines.get(size) : undefined;
    if (product) detail = `setup ${s(product.setupMs)}, initial ${s(product.initial.wallMs)}, settle ${s(product.settle.wallMs)}, incremental ${s(product.incremental.wallMs)}`;
    if (baseline) {
      const runs = (['hubspot', 'salesforce'] as const).filter((c) => baseline[c]).map((c) => `${c} ${s(baseline[c]!.initial.wallMs)} + ${s(baseline[c]!.incremental.wallMs)}`);
      detail = `setup ${s(baseline.setupMs)}, ${runs.join(', ')} (concurrent); CPU ${s(baseline.cpuMs)}`;
    }
    if (part.name === 'workers' && workers) detail = workers.runs.map((r) => `${r.processes} process(es) ${s(r.wallMs)}`).join(', ');
    lines.push(`  ${part.name.padEnd(16)} ${String(part.startS).padStart(7)} → ${String(part.endS ?? '?').padStart(7)}  ${String(part.wallS ?? '?').padStart(7)} s  ${detail}${part.ranBeside.length ? `  [beside: ${part.ranBeside.join(', ')}]` : ''}`);
    for (const mark of part.marks) lines.push(`  ${''.padEnd(16)} ${String(mark.atS).padStart(7)}    ${mark.name.slice(part.name.length + 2)}`);
  }
  for (const mark of timeline.marks.filter((m) => !timeline.parts.has(m.name.split(':')[0] as string))) lines.push(`  ${String(mark.atS).padStart(24)}    ${mark.name}`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '1000,10000' },
      'with-100k': { type: 'boolean', default: false },
      only: { type: 'string' },
      'workers-size': { type: 'string', default: String(WORKERS_SIZE) },
      role: { type: 'string' },
      child: { type: 'string' },
      in: { type: 'string' },
      after: { type: 'string' },
      out: { type: 'string' },
    },
  });
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
    if (flags.role === 'baseline') {
      if (!flags.in) throw new Error('--role baseline needs --in <the product child\'s --out>');
      await baselineChild(flags.child, sources, flags.in, flags.out);
    } else {
      await productChild(flags.child, sources, flags.out, flags.after);
    }
    return;
  }

  const started = performance.now();
  const date = new Date().toISOString();
  const command = ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ');
  // largest first: its HubSpot baseline (rate-bound, the longest part) then runs beside the smaller sizes
  const sizes = [...new Set([...flags.sizes, ...(flags['with-100k'] ? [100_000] : [])])].sort((a, b) => b - a);
  mkdirSync(join(here, 'results'), { recursive: true });
  const tmp = mkdtempSync(join(os.tmpdir(), 'accountpulse-bench-'));
  const timeline = new Timeline();
  const products = new Map<number, ProductFigures>();
  const baselines = new Map<number, BaselineScenarioResult>();
  const baselineParts: { accounts: number; out: string; done: Promise<Error | undefined> }[] = [];
  let workers: WorkerScaling | null = null;
  // a part that fails ends the bench: the baseline children still waiting for a product or for go end with it
  const aborts: AbortController[] = [];
  try {
    if (flags.only !== 'workers') {
      for (const accounts of sizes) {
        say(`== ${accounts.toLocaleString('en-US')} accounts ==`);
        const out = join(tmp, `${accounts}.json`);
        const baselineOut = join(tmp, `${accounts}.baseline.json`);
        // the baselines' sandbox seeds beside the product's; the product's cycles start once it is ready
        const abort = new AbortController();
        aborts.push(abort);
        const part = timeline.time(`baselines ${accounts}`, () => runChild('baseline', accounts, flags.only, { in: out, out: baselineOut }, abort.signal));
        // a failed baseline is reported once all parts are done, not thrown in the middle of the others
        const done = part.then(
          () => void baselines.set(accounts, JSON.parse(readFileSync(baselineOut, 'utf8')) as BaselineScenarioResult),
          (error: unknown) => error as Error,
        );
        baselineParts.push({ accounts, out: baselineOut, done });
        // never leave the product waiting on a baseline that died
        void done.then(() => existsSync(readyFile(baselineOut)) || writeFileSync(readyFile(baselineOut), ''));
        void fileAppears(readyFile(baselineOut), done).then(() => timeline.mark(`baselines ${accounts}: ready (seeded; product ${accounts} starts its cycles)`));
        await timeline.time(`product ${accounts}`, () => runChild('product', accounts, flags.only, { out, after: readyFile(baselineOut) }));
        products.set(accounts, JSON.parse(readFileSync(out, 'utf8')) as ProductFigures);
        // the next part starts once this baseline is only waiting on HubSpot's rate limit
        await fileAppears(quietFile(baselineOut), done);
        timeline.mark(`baselines ${accounts}: quiet (HubSpot updates only)`);
      }
    }
    if (!flags.only || flags.only === 'workers') {
      const size = flags['workers-size'];
      say(`\n== workers: 1 vs 2 worker processes, ${size.toLocaleString('en-US')} accounts ==`);
      workers = await timeline.time('workers', () => runWorkerScaling({ seed: SEED, accounts: size, sources: ['hubspot', 'salesforce'], log: say }));
      say(`speed-up 1 → 2 processes: ${workers.speedUp}x`);
    }
    if (baselineParts.length) say("\nthe baselines' incremental runs…");
    // all at once: the largest is likely still updating, the smaller ones read little
    for (const part of baselineParts) writeFileSync(goFile(part.out), '');
    timeline.mark('go: the baselines may start their incremental runs');
    const failed = (await Promise.all(baselineParts.map((p) => p.done))).filter((e): e is Error => e !== undefined);
    for (const error of failed) process.stderr.write(`bench: ${error.message}\n`);

    if (products.size) {
      const ascending = [...products.keys()].sort((a, b) => a - b);
      const rows = sources.flatMap((crm) => ascending.map((n) => row(crm, products.get(n) as ProductFigures, baselines.get(n), timeline)));
      for (const crm of sources) {
        const file = join(here, 'results', `${crm}.json`);
        writeFileSync(file, `${JSON.stringify({ date, command, machine: machine(), seed: SEED, rows: rows.filter((r) => r.crm === crm) }, null, 2)}\n`);
        say(`written ${file}`);
      }
      say('');
      say(table(rows));
    }
    if (workers) {
      const file = join(here, 'results', 'workers.json');
      writeFileSync(file, `${JSON.stringify({ date, command, machine: machine(), seed: SEED, ...workers, ranBeside: timeline.ranBeside('workers') }, null, 2)}\n`);
      say(`written ${file}`);
    }
    const totalS = Number(((performance.now() - started) / 1000).toFixed(1));
    writeFileSync(join(here, 'results', 'timeline.json'), `${JSON.stringify({ date, command, machine: machine(), totalS, parts: timeline.toJSON(), marks: timeline.marks }, null, 2)}\n`);
    say('');
    say(partsReport(timeline, products, baselines, workers));
    say(`\nbench finished in ${totalS.toFixed(0)} s on ${machine().cpus} × ${machine().model}, ${machine().totalMemoryMb} MB, Node ${process.version}`);
    if (failed.length) process.exitCode = 1;
  } finally {
    for (const abort of aborts) abort.abort();
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
process.exit(process.exitCode ?? 0);
