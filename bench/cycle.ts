/**
 * Runs AccountPulse cycles on a seeded sandbox and measures them: API calls per CRM split into
 * sync and write-back, 429s, wall time, time spent in API calls, CPU and peak RSS. The sandbox (the
 * "CRM") runs in this process; each cycle runs in an `accountpulse worker` child process
 * (workerProcess.ts), as a deployment runs it, so AccountPulse has its own core as it would beside
 * a remote CRM.
 *
 * Scenario (`runProductScenario`): full cycle (initial sync + write-back of every field) → a
 * settle cycle that reads back the echo of our own write-back (in steady state each cycle reads the
 * previous one's echo; only its calls and wall time are kept) → 1% of accounts and 1% of deals
 * changed through the SDKs → measured incremental cycle (and its write-back of the changed fields).
 * `sync.settle` is 1 s here (BENCH_SETTLE) and the scenario waits it out after each change, so
 * every change falls inside exactly one cycle's read window.
 *
 * Time in API calls: the sandbox servers report each call's start (routing) and end (response
 * finished) through `CallStats.observer`; the union of those intervals over both CRMs is API time.
 * The rest of the wall time is "outside API calls": local work (mapping, storing, scoring,
 * planning), Redis round trips and waits between calls (pacing under the rate limit, backoff).
 * "Local CPU" is the worker process's CPU time (/proc) over the cycle's wall time.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Client as HubSpotClient } from '@hubspot/api-client';
import jsforce from 'jsforce';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config/load.js';
import { createLogger } from '../src/logger.js';
import { createConnectors } from '../src/jobs/connectors.js';
import { createContext, type AppContext } from '../src/jobs/context.js';
import { enqueueCycle, waitForIdle } from '../src/jobs/cycle.js';
import { WorkerProcess } from './workerProcess.js';
import { cycleRuns } from '../src/commands/cycleReport.js';
import { startSandbox, type RunningSandboxPair } from '../src/sandbox/index.js';
import { findObjectType } from '../src/sandbox/hubspot/objectTypes.js';
import type { CallStats } from '../src/sandbox/common/stats.js';
import type { CrmSource } from '../src/domain/model.js';
import type { Run } from '../src/store/runs.js';
import {
  hubspotChangedSince,
  hubspotCounts,
  hubspotIncrementalMinimum,
  hubspotInitialMinimum,
  hubspotWriteBackMinimum,
  salesforceChangedSince,
  salesforceCounts,
  salesforceIncrementalMinimum,
  salesforceInitialMinimum,
  salesforceWriteBackMinimum,
  type HubSpotSandbox,
  type SalesforceSandbox,
} from './minimum.js';

export const HUBSPOT_RATE_PER_10S = 190;
export const BULK_PAGE_SIZE = 50_000;
export const CHANGE_SHARE = 0.01;
/**
 * `sync.settle` for the bench: the sandbox indexes search at once, so a pass may read up to 1 s
 * before the CRM's clock (production default 30 s). The scenario waits this long (plus a margin)
 * after each change so that the next cycle's window holds it.
 */
export const BENCH_SETTLE = '1s';
export const BENCH_SETTLE_MS = 1_000;
const SETTLE_MARGIN_MS = 250;

/** Samples RSS every 100 ms; `peakMb` also reads VmHWM (the process's lifetime peak). */
export class RssSampler {
  private peak = 0;
  private timer: NodeJS.Timeout;
  constructor() {
    this.sample();
    this.timer = setInterval(() => this.sample(), 100);
    this.timer.unref();
  }
  private sample(): void {
    this.peak = Math.max(this.peak, process.memoryUsage().rss);
  }
  stop(): { peakRssMb: number; vmHwmMb: number | null } {
    clearInterval(this.timer);
    this.sample();
    let vmHwmMb: number | null = null;
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
      if (m) vmHwmMb = Math.round(Number(m[1]) / 1024);
    } catch {
      // not Linux: the sampled peak stands alone
    }
    return { peakRssMb: Math.round(this.peak / 1024 / 1024), vmHwmMb };
  }
}

/** Union of in-flight API call intervals across CRMs, and event-loop activity outside them. */
export class ApiTimeTracker {
  private inFlight = 0;
  private busySince = 0;
  private busyMs = 0;
  private idleElu = performance.eventLoopUtilization();
  private localActiveMs = 0;
  private callLog: { source: CrmSource; route: string; at: number }[] = [];

  attach(source: CrmSource, stats: CallStats): void {
    stats.observer = { started: () => this.started(), ended: () => this.ended() };
    const original = stats.call.bind(stats);
    stats.call = (route: string) => {
      this.callLog.push({ source, route, at: Date.now() });
      original(route);
    };
  }

  reset(): void {
    this.busyMs = 0;
    this.localActiveMs = 0;
    this.callLog = [];
    this.busySince = performance.now();
    this.idleElu = performance.eventLoopUtilization();
  }

  private started(): void {
    if (this.inFlight === 0) {
      this.localActiveMs += performance.eventLoopUtilization(this.idleElu).active;
      this.busySince = performance.now();
    }
    this.inFlight += 1;
  }

  private ended(): void {
    if (this.inFlight === 0) return; // a dropped connection reported twice
    this.inFlight -= 1;
    if (this.inFlight === 0) {
      this.busyMs += performance.now() - this.busySince;
      this.idleElu = performance.eventLoopUtilization();
    }
  }

  figures(): { apiMs: number; localActiveMs: number } {
    const open = this.inFlight > 0 ? performance.now() - this.busySince : 0;
    const idle = this.inFlight === 0 ? performance.eventLoopUtilization(this.idleElu).active : 0;
    return { apiMs: this.busyMs + open, localActiveMs: this.localActiveMs + idle };
  }

  /** calls of one CRM at or after `fromMs` (epoch) */
  callsSince(source: CrmSource, fromMs: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.callLog) if (c.source === source && c.at >= fromMs) out[c.route] = (out[c.route] ?? 0) + 1;
    return out;
  }
}

export interface CrmPhase {
  calls: number;
  minimum: number;
  callsVsMinimum: number;
  byRoute: Record<string, number>;
}

export interface CrmCycleFigures {
  source: CrmSource;
  sync: CrmPhase;
  writeBack: CrmPhase & { accounts: number; fields: number; tasks: number; failed: number };
  totalCalls: number;
  rateLimited: number;
  errors: number;
}

export interface CycleFigures {
  cycleId: string;
  wallMs: number;
  apiMs: number;
  /** wall time outside API calls (local CPU, Redis, waits) as a share of the cycle */
  outsideApiShare: number;
  /** CPU time of the AccountPulse worker process over the cycle's wall time (1 = one core busy throughout) */
  localCpuShare: number;
  /** CPU time (user + system) of the AccountPulse worker process during the cycle, ms */
  workerCpuMs: number;
  /** the worker process's peak RSS (VmHWM), MB */
  workerPeakRssMb: number | null;
  failedRuns: number;
  /** per stage (run kind): runs, first start to last finish, and the sum of run durations */
  stages: Record<string, { runs: number; spanMs: number; sumMs: number }>;
  crms: CrmCycleFigures[];
}

export interface SandboxHandle {
  sandbox: RunningSandboxPair;
  hubspot: HubSpotSandbox;
  salesforce: SalesforceSandbox;
}

export async function startBenchSandbox(options: { seed: number; accounts: number; hubspotRate?: number }): Promise<SandboxHandle> {
  const sandbox = await startSandbox({ seed: options.seed, accounts: options.accounts, hubspotRate: options.hubspotRate ?? HUBSPOT_RATE_PER_10S, bulkPageSize: BULK_PAGE_SIZE });
  return { sandbox, hubspot: sandbox.hubspot as HubSpotSandbox, salesforce: sandbox.salesforce as SalesforceSandbox };
}

/** The environment an AccountPulse process needs to run on this sandbox (also given to worker children). */
export function benchEnviron(handle: SandboxHandle, sources: readonly CrmSource[], prefix: string): Record<string, string> {
  const { sandbox } = handle;
  return {
    REDIS_URL: process.env.REDIS_URL as string,
    ACCOUNTPULSE_PREFIX: prefix,
    HUBSPOT_ENABLED: String(sources.includes('hubspot')),
    SALESFORCE_ENABLED: String(sources.includes('salesforce')),
    HUBSPOT_BASE_URL: sandbox.hubspot.url,
    HUBSPOT_ACCESS_TOKEN: sandbox.hubspot.token,
    SALESFORCE_INSTANCE_URL: sandbox.salesforce.url,
    SALESFORCE_ACCESS_TOKEN: sandbox.salesforce.token,
    ALERT_SIGNING_SECRET: randomBytes(16).toString('hex'),
    LOG_LEVEL: 'error',
    ACCOUNTPULSE__SYNC__SETTLE: BENCH_SETTLE,
    // Alerts go nowhere: delivery is not what is measured here.
    ACCOUNTPULSE__ALERTS__ROUTES: '[]',
    ACCOUNTPULSE__CHURN__COMPETITORS: JSON.stringify(sandbox.seedOrg.competitors),
  };
}

export function benchContext(environ: Record<string, string>, competitors: string[]): { ctx: AppContext; redis: Redis } {
  const loaded = loadConfig({ environ });
  const logger = createLogger({ level: 'silent' });
  const redis = new Redis(environ.REDIS_URL as string, { maxRetriesPerRequest: 3 });
  const ctx = createContext({ loaded, logger, redis, connectors: createConnectors(loaded, redis, logger, { bulkPageSize: BULK_PAGE_SIZE }), competitors });
  return { ctx, redis };
}

export async function closeContext(ctx: AppContext, redis: Redis): Promise<void> {
  await ctx.store.wipe().catch(() => {});
  await ctx.queues.close();
  await ctx.store.close();
  redis.disconnect();
}

/** What the cycle wrote on each account: AccountPulse's own fields, keyed by the seed key (same across sandboxes of one seed). */
export function writtenFields(handle: SandboxHandle): { hubspot: Map<string, Record<string, string>>; salesforce: Map<string, Record<string, unknown>> } {
  const hubspot = new Map<string, Record<string, string>>();
  const portal = handle.hubspot.hubspot.portal;
  const companiesType = findObjectType('companies');
  if (!companiesType) throw new Error('the HubSpot sandbox has no companies object type');
  for (const [key, id] of portal.seedIds) {
    if (!key.startsWith('acct-')) continue;
    const company = portal.find(companiesType, id);
    if (!company) continue;
    const own = Object.fromEntries(Object.entries(company.props).filter(([k]) => k.startsWith('accountpulse_')));
    if (Object.keys(own).length) hubspot.set(key, own);
  }
  const salesforce = new Map<string, Record<string, unknown>>();
  const accounts = handle.salesforce.org.store.table('Account');
  for (const [key, id] of handle.salesforce.org.seedIds) {
    if (!key.startsWith('acct-')) continue;
    const row = accounts.get(id);
    if (!row) continue;
    // the sandbox keeps datetimes as epoch ms; the API takes ISO text
    const own = Object.fromEntries(
      Object.entries(row)
        .filter(([k]) => k.toLowerCase().startsWith('accountpulse_'))
        .map(([k, v]) => [k, typeof v === 'number' && /_At__c$/i.test(k) ? new Date(v).toISOString() : typeof v === 'number' && /Date__c$/i.test(k) ? new Date(v).toISOString().slice(0, 10) : v]),
    );
    if (Object.keys(own).length) salesforce.set(key, own);
  }
  return { hubspot, salesforce };
}

const ratio = (a: number, b: number): number => (b === 0 ? (a === 0 ? 1 : Infinity) : Number((a / b).toFixed(3)));
const sum = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);

function subtract(all: Record<string, number>, part: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(all)) if (v - (part[k] ?? 0) > 0) out[k] = v - (part[k] ?? 0);
  return out;
}

function stageTimes(runs: readonly Run[]): CycleFigures['stages'] {
  const out: CycleFigures['stages'] = {};
  const kinds = [...new Set(runs.map((r) => r.kind))];
  for (const kind of kinds) {
    const of = runs.filter((r) => r.kind === kind && r.finishedAt);
    if (!of.length) continue;
    const starts = of.map((r) => Date.parse(r.startedAt));
    const ends = of.map((r) => Date.parse(r.finishedAt as string));
    out[kind] = { runs: of.length, spanMs: Math.max(...ends) - Math.min(...starts), sumMs: of.reduce((n, r, i) => n + (ends[i]! - starts[i]!), 0) };
  }
  return out;
}

/** Runs one cycle with in-process workers and splits each CRM's calls into sync and write-back by the write-back run's start. */
async function measuredCycle(
  ctx: AppContext,
  handle: SandboxHandle,
  tracker: ApiTimeTracker,
  sources: readonly CrmSource[],
  options: { full: boolean; minimum: (source: CrmSource) => number; environ: Record<string, string> },
): Promise<CycleFigures & { runs: Run[] }> {
  for (const s of [handle.sandbox.hubspot, handle.sandbox.salesforce]) s.stats.reset();
  const worker = await WorkerProcess.start(options.environ, ctx);
  const cpuBefore = worker.cpuMs() ?? 0;
  tracker.reset();
  const started = performance.now();
  const cycleId = await enqueueCycle(ctx, { full: options.full, sources: [...sources] });
  const idle = await waitForIdle(ctx, { timeoutMs: 30 * 60_000, pollMs: 100 });
  const wallMs = performance.now() - started;
  const { apiMs } = tracker.figures();
  const workerCpuMs = (worker.cpuMs() ?? Number.NaN) - cpuBefore;
  const workerPeakRssMb = worker.peakRssMb();
  await worker.stop();
  if (!idle) throw new Error(`cycle ${cycleId} did not finish within 30 minutes`);
  const runs = await cycleRuns(ctx, cycleId);
  const crms: CrmCycleFigures[] = [];
  for (const source of sources) {
    const sandbox = source === 'hubspot' ? handle.sandbox.hubspot : handle.sandbox.salesforce;
    const snap = sandbox.stats.snapshot();
    const wb = runs.find((r) => r.kind === 'writeback' && r.scope === source);
    const wbRoutes = wb ? tracker.callsSince(source, Date.parse(wb.startedAt)) : {};
    const syncRoutes = subtract(snap.calls.byRoute, wbRoutes);
    const accounts = wb?.counts.planned ?? 0;
    const tasks = wb?.counts.tasks ?? 0;
    const wbMinimum = source === 'hubspot' ? hubspotWriteBackMinimum(accounts, tasks) : salesforceWriteBackMinimum(accounts, tasks);
    const syncMinimum = options.minimum(source);
    crms.push({
      source,
      sync: { calls: sum(syncRoutes), minimum: syncMinimum, callsVsMinimum: ratio(sum(syncRoutes), syncMinimum), byRoute: syncRoutes },
      writeBack: { calls: sum(wbRoutes), minimum: wbMinimum, callsVsMinimum: ratio(sum(wbRoutes), wbMinimum), byRoute: wbRoutes, accounts, fields: wb?.counts.written ?? 0, tasks, failed: wb?.counts.failed ?? 0 },
      totalCalls: snap.calls.total,
      rateLimited: snap.rateLimited,
      errors: snap.errors,
    });
  }
  return {
    cycleId,
    wallMs: Math.round(wallMs),
    apiMs: Math.round(apiMs),
    outsideApiShare: Number(Math.max(0, 1 - apiMs / wallMs).toFixed(3)),
    localCpuShare: Number((workerCpuMs / wallMs).toFixed(3)),
    workerCpuMs: Math.round(workerCpuMs),
    workerPeakRssMb,
    failedRuns: runs.filter((r) => r.status === 'failed').length,
    stages: stageTimes(runs),
    crms,
    runs,
  };
}

/** Changes 1% of accounts and 1% of deals in each CRM through the SDKs (deals marked lost, accounts renamed). */
export async function changeOnePercent(handle: SandboxHandle, sources: readonly CrmSource[]): Promise<{ hubspot: Record<string, number>; salesforce: Record<string, number> }> {
  const org = handle.sandbox.seedOrg;
  const pick = <T>(items: T[]): T[] => items.filter((_, i) => i % Math.round(1 / CHANGE_SHARE) === 0);
  const changed = { hubspot: {} as Record<string, number>, salesforce: {} as Record<string, number> };
  const stamp = Date.now().toString(36);
  if (sources.includes('hubspot')) {
    const hs = handle.sandbox.hubspot;
    const client = new HubSpotClient({ accessToken: hs.token, basePath: hs.url });
    const companies = pick(org.accounts.map((a) => hs.externalId(a.key)).filter((id): id is string => !!id));
    const deals = pick(org.deals.map((d) => hs.externalId(d.key)).filter((id): id is string => !!id));
    for (let i = 0; i < companies.length; i += 100) await client.crm.companies.batchApi.update({ inputs: companies.slice(i, i + 100).map((id) => ({ id, properties: { name: `Renamed ${id} ${stamp}` } })) });
    for (let i = 0; i < deals.length; i += 100) await client.crm.deals.batchApi.update({ inputs: deals.slice(i, i + 100).map((id) => ({ id, properties: { dealstage: 'closedlost' } })) });
    changed.hubspot = { companies: companies.length, deals: deals.length };
  }
  if (sources.includes('salesforce')) {
    const sf = handle.sandbox.salesforce;
    const conn = new jsforce.Connection({ instanceUrl: sf.url, accessToken: sf.token, version: '62.0' });
    const accounts = pick(org.accounts.map((a) => sf.externalId(a.key)).filter((id): id is string => !!id));
    const opportunities = pick(org.deals.map((d) => sf.externalId(d.key)).filter((id): id is string => !!id));
    for (let i = 0; i < accounts.length; i += 200) await conn.sobject('Account').update(accounts.slice(i, i + 200).map((Id) => ({ Id, Name: `Renamed ${Id} ${stamp}` })), { allOrNone: true });
    for (let i = 0; i < opportunities.length; i += 200) await conn.sobject('Opportunity').update(opportunities.slice(i, i + 200).map((Id) => ({ Id, StageName: 'Closed Lost' })), { allOrNone: true });
    changed.salesforce = { Account: accounts.length, Opportunity: opportunities.length };
  }
  return changed;
}

/** AccountPulse fields changed between two `writtenFields` snapshots: only the changed fields, per account. */
export function changedFields<V>(before: Map<string, Record<string, V>>, after: Map<string, Record<string, V>>): Map<string, Record<string, V>> {
  const out = new Map<string, Record<string, V>>();
  for (const [key, fields] of after) {
    const was = before.get(key) ?? {};
    const changed = Object.fromEntries(Object.entries(fields).filter(([k, v]) => JSON.stringify(was[k]) !== JSON.stringify(v)));
    if (Object.keys(changed).length) out.set(key, changed);
  }
  return out;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ProductScenario {
  accounts: number;
  records: { hubspot: Record<string, number>; salesforce: Record<string, number> };
  initial: CycleFigures;
  /** the unmeasured cycle between them (reads the initial write-back's echo): its calls, so nothing is hidden */
  settle: { wallMs: number; calls: { hubspot: number; salesforce: number }; rateLimited: number };
  incremental: CycleFigures;
  /** what the bench changed through the SDKs */
  changedBySdk: { hubspot: Record<string, number>; salesforce: Record<string, number> };
  /** every record changed after the settle cycle's read window ended (its start − settle): the incremental minimum's input */
  changed: { hubspot: Record<string, number>; salesforce: Record<string, number> };
  /** AccountPulse fields on each account after the initial cycle (what the baselines write first) */
  written: ReturnType<typeof writtenFields>;
  /** the fields the measured incremental cycle changed (what the baselines write in their incremental run) */
  writtenIncremental: ReturnType<typeof writtenFields>;
  rss: { peakRssMb: number; vmHwmMb: number | null };
  setupMs: number;
}

export interface ProductScenarioOptions {
  seed: number;
  accounts: number;
  sources: readonly CrmSource[];
  log: (s: string) => void;
  /** awaited once the sandbox is ready, before the first measured cycle (bench/run.ts: until the baselines' sandbox is seeded) */
  beforeCycles?: () => Promise<void>;
}

export async function runProductScenario(options: ProductScenarioOptions): Promise<ProductScenario> {
  const rss = new RssSampler();
  const t0 = performance.now();
  const handle = await startBenchSandbox({ seed: options.seed, accounts: options.accounts });
  const tracker = new ApiTimeTracker();
  tracker.attach('hubspot', handle.sandbox.hubspot.stats);
  tracker.attach('salesforce', handle.sandbox.salesforce.stats);
  const environ = benchEnviron(handle, options.sources, `bench${randomUUID().slice(0, 8)}`);
  const { ctx, redis } = benchContext(environ, handle.sandbox.seedOrg.competitors);
  try {
    for (const c of ctx.connectors.values()) await c.provision({ dryRun: false });
    const records = { hubspot: hubspotCounts(handle.hubspot), salesforce: salesforceCounts(handle.salesforce) };
    const setupMs = Math.round(performance.now() - t0);
    await options.beforeCycles?.();
    options.log(`  sandbox ready in ${(setupMs / 1000).toFixed(1)} s; initial cycle…`);
    const bulk = { bulkThreshold: ctx.loaded.config.sync.bulkThreshold, bulkPageSize: BULK_PAGE_SIZE };
    const { runs: _initialRuns, ...initial } = await measuredCycle(ctx, handle, tracker, options.sources, {
      full: true,
      environ,
      minimum: (s) => (s === 'hubspot' ? hubspotInitialMinimum(records.hubspot) : salesforceInitialMinimum(records.salesforce, bulk)),
    });
    const written = writtenFields(handle);
    options.log(`  initial cycle ${(initial.wallMs / 1000).toFixed(1)} s; settling (reading our own write-back's echo)…`);
    // the echo must fall inside the settle cycle's window (it reads up to the CRM's time minus settle)
    await pause(BENCH_SETTLE_MS + SETTLE_MARGIN_MS);
    for (const s of [handle.sandbox.hubspot, handle.sandbox.salesforce]) s.stats.reset();
    const settleWorker = await WorkerProcess.start(environ, ctx);
    // the settle cycle's passes read up to (their start - settle): what changes after that is the measured cycle's
    const settleStartedMs = Date.now();
    const settleStarted = performance.now();
    await enqueueCycle(ctx, { full: false, sources: [...options.sources] });
    await waitForIdle(ctx, { timeoutMs: 30 * 60_000, pollMs: 100 });
    const settleWallMs = Math.round(performance.now() - settleStarted);
    await settleWorker.stop();
    const hsSettle = handle.sandbox.hubspot.stats.snapshot();
    const sfSettle = handle.sandbox.salesforce.stats.snapshot();
    const settle = { wallMs: settleWallMs, calls: { hubspot: hsSettle.calls.total, salesforce: sfSettle.calls.total }, rateLimited: hsSettle.rateLimited + sfSettle.rateLimited };
    const writtenBefore = writtenFields(handle);
    const changedBySdk = await changeOnePercent(handle, options.sources);
    await pause(BENCH_SETTLE_MS + SETTLE_MARGIN_MS);
    const since = settleStartedMs - BENCH_SETTLE_MS;
    const changed = { hubspot: hubspotChangedSince(handle.hubspot, since), salesforce: salesforceChangedSince(handle.salesforce, since) };
    options.log(`  changed through the SDKs ${JSON.stringify(changedBySdk)}; incremental cycle…`);
    const { runs: _incrementalRuns, ...incremental } = await measuredCycle(ctx, handle, tracker, options.sources, {
      full: false,
      environ,
      minimum: (s) => (s === 'hubspot' ? hubspotIncrementalMinimum(records.hubspot, changed.hubspot) : salesforceIncrementalMinimum(changed.salesforce)),
    });
    const writtenAfter = writtenFields(handle);
    const writtenIncremental = { hubspot: changedFields(writtenBefore.hubspot, writtenAfter.hubspot), salesforce: changedFields(writtenBefore.salesforce, writtenAfter.salesforce) };
    return { accounts: options.accounts, records, initial, settle, incremental, changedBySdk, changed, written, writtenIncremental, rss: rss.stop(), setupMs };
  } finally {
    await closeContext(ctx, redis);
    await handle.sandbox.close();
  }
}
