/**
 * The baselines over the same scenario AccountPulse runs, on a fresh sandbox of the same seed:
 *
 *   initial run      read everything + one update per account for every field AccountPulse wrote
 *   (1% of accounts renamed and 1% of deals marked lost through the SDKs, as for AccountPulse; not counted)
 *   incremental run  read everything again (a script has no checkpoints) + one update per account
 *                    AccountPulse's incremental write-back changed, with the fields it changed
 *
 * HubSpot and Salesforce run at the same time: they are separate servers with separate limits and
 * call counters, so neither slows the other's API. Each run's calls are the sandbox's own count.
 * Runs in its own process (bench/run.ts `--role baseline`), so AccountPulse's peak RSS stays its own.
 *
 * The HubSpot run spends most of its time waiting on the rate limit (one update per company at
 * 19 calls/s), and that is the only stretch other parts of the bench may share. `gate.ready()`
 * says the sandbox is seeded (AccountPulse's scenario, seeding beside it, may start measuring; this
 * then waits for what it wrote, `productWrites`); `gate.quiet()`
 * says it has begun (everything else before it is done: Salesforce's whole scenario and HubSpot's
 * reads), and the HubSpot incremental run waits for `gate.go()` (the bench's CPU-heavy parts are
 * over), so no baseline read is slowed by another part's CPU.
 */
import type { CrmSource } from '../../src/domain/model.js';
import { benchContext, benchEnviron, changeOnePercent, closeContext, HUBSPOT_RATE_PER_10S, startBenchSandbox, type SandboxHandle } from '../cycle.js';
import { runHubSpotBaseline, type BaselineResult } from './hubspot-baseline.js';
import { runSalesforceBaseline } from './salesforce-baseline.js';

export interface BaselineRun {
  calls: number;
  readCalls: number;
  writeCalls: number;
  rateLimited: number;
  wallMs: number;
  recordsRead: number;
  recordsUpdated: number;
  byRoute: Record<string, number>;
}

export interface BaselineScenario {
  initial: BaselineRun;
  incremental: BaselineRun;
}

/** Fields to write per account, keyed by seed key (the same across sandboxes of one seed). */
export interface WrittenBySeedKey {
  hubspot: [string, Record<string, string>][];
  salesforce: [string, Record<string, unknown>][];
}

export interface BaselineScenarioOptions {
  seed: number;
  accounts: number;
  sources: readonly CrmSource[];
  /** what AccountPulse wrote; awaited once this sandbox is seeded (AccountPulse's scenario may still be running) */
  productWrites: () => Promise<ProductWrites>;
  log: (s: string) => void;
  /** when the bench's other parts may run beside this one, and when this one may read again */
  gate?: { ready: () => void; quiet: () => void; go: () => Promise<void> };
}

export interface ProductWrites {
  /** AccountPulse's fields after its initial cycle */
  written: WrittenBySeedKey;
  /** the fields AccountPulse's measured incremental cycle changed */
  writtenIncremental: WrittenBySeedKey;
}

export interface BaselineScenarioResult {
  hubspot?: BaselineScenario;
  salesforce?: BaselineScenario;
  /** seeding the sandbox and provisioning the fields (not part of any run) */
  setupMs: number;
  /** CPU time of the whole baseline process (sandbox included): what it took from whatever ran beside it */
  cpuMs: number;
}

const isWrite = (route: string) => /^(PATCH|PUT|DELETE) /.test(route);

async function measuredRun(handle: SandboxHandle, crm: CrmSource, run: () => Promise<BaselineResult>): Promise<BaselineRun> {
  const stats = crm === 'hubspot' ? handle.sandbox.hubspot.stats : handle.sandbox.salesforce.stats;
  stats.reset();
  const result = await run();
  const snap = stats.snapshot();
  const writeCalls = Object.entries(snap.calls.byRoute).filter(([route]) => isWrite(route)).reduce((n, [, v]) => n + v, 0);
  return { calls: snap.calls.total, readCalls: snap.calls.total - writeCalls, writeCalls, rateLimited: snap.rateLimited, wallMs: result.wallMs, recordsRead: result.recordsRead, recordsUpdated: result.recordsUpdated, byRoute: snap.calls.byRoute };
}

function byExternalId<V>(handle: SandboxHandle, crm: CrmSource, rows: [string, V][]): Map<string, V> {
  const sandbox = crm === 'hubspot' ? handle.sandbox.hubspot : handle.sandbox.salesforce;
  const out = new Map<string, V>();
  for (const [key, value] of rows) {
    const id = sandbox.externalId(key);
    if (!id) throw new Error(`the baseline sandbox has no ${crm} record for seed key ${key}: was it seeded with another seed or size?`);
    out.set(id, value);
  }
  return out;
}

/** HubSpot's rolling window: a run starts with the whole allowance once this much time passed without calls. */
const HUBSPOT_WINDOW_MS = 10_000;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function hubspotScenario(handle: SandboxHandle, options: BaselineScenarioOptions, writes: ProductWrites, readsDone: () => void, provisionedAt: number): Promise<BaselineScenario> {
  const hs = handle.sandbox.hubspot;
  const run = (rows: [string, Record<string, string>][], onReadsDone?: () => void) => () =>
    runHubSpotBaseline({ url: hs.url, token: hs.token, ratePer10s: HUBSPOT_RATE_PER_10S, updates: byExternalId(handle, 'hubspot', rows), onReadsDone });
  // provisioning's calls would otherwise share the first window with the run (and earn it 429s)
  await pause(HUBSPOT_WINDOW_MS - (performance.now() - provisionedAt));
  const initial = await measuredRun(handle, 'hubspot', run(writes.written.hubspot, readsDone));
  options.log(`HubSpot baseline initial run: ${initial.calls} calls in ${(initial.wallMs / 1000).toFixed(1)} s`);
  await changeOnePercent(handle, ['hubspot']);
  await options.gate?.go();
  await pause(HUBSPOT_WINDOW_MS);
  const incremental = await measuredRun(handle, 'hubspot', run(writes.writtenIncremental.hubspot));
  options.log(`HubSpot baseline incremental run: ${incremental.calls} calls in ${(incremental.wallMs / 1000).toFixed(1)} s`);
  return { initial, incremental };
}

async function salesforceScenario(handle: SandboxHandle, options: BaselineScenarioOptions, writes: ProductWrites): Promise<BaselineScenario> {
  const sf = handle.sandbox.salesforce;
  const run = (rows: [string, Record<string, unknown>][]) => () => runSalesforceBaseline({ url: sf.url, token: sf.token, updates: byExternalId(handle, 'salesforce', rows) });
  const initial = await measuredRun(handle, 'salesforce', run(writes.written.salesforce));
  options.log(`Salesforce baseline initial run: ${initial.calls} calls in ${(initial.wallMs / 1000).toFixed(1)} s`);
  await changeOnePercent(handle, ['salesforce']);
  const incremental = await measuredRun(handle, 'salesforce', run(writes.writtenIncremental.salesforce));
  options.log(`Salesforce baseline incremental run: ${incremental.calls} calls in ${(incremental.wallMs / 1000).toFixed(1)} s`);
  return { initial, incremental };
}

export async function runBaselineScenario(options: BaselineScenarioOptions): Promise<BaselineScenarioResult> {
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  const handle = await startBenchSandbox({ seed: options.seed, accounts: options.accounts });
  try {
    // AccountPulse's custom fields must exist for the updates: provisioned through the product, not counted
    const { ctx, redis } = benchContext(benchEnviron(handle, options.sources, `benchb${process.pid}`), handle.sandbox.seedOrg.competitors);
    try {
      for (const connector of ctx.connectors.values()) await connector.provision({ dryRun: false });
    } finally {
      await closeContext(ctx, redis);
    }
    const provisionedAt = performance.now();
    const setupMs = Math.round(provisionedAt - started);
    options.gate?.ready();
    const writes = await options.productWrites();
    let hubspotReadsDone = () => {};
    const hubspotReads = new Promise<void>((resolve) => (hubspotReadsDone = resolve));
    const hubspotRuns = options.sources.includes('hubspot') ? hubspotScenario(handle, options, writes, hubspotReadsDone, provisionedAt) : (hubspotReadsDone(), undefined);
    const salesforceRuns = options.sources.includes('salesforce') ? salesforceScenario(handle, options, writes) : undefined;
    // a failed run must not leave the bench waiting for quiet: it is reported when awaited below
    void Promise.all([hubspotReads, salesforceRuns]).then(() => options.gate?.quiet(), () => options.gate?.quiet());
    const [hubspot, salesforce] = await Promise.all([hubspotRuns, salesforceRuns]);
    const cpu = process.cpuUsage(cpuStart);
    return { ...(hubspot ? { hubspot } : {}), ...(salesforce ? { salesforce } : {}), setupMs, cpuMs: Math.round((cpu.user + cpu.system) / 1000) };
  } finally {
    await handle.sandbox.close();
  }
}
