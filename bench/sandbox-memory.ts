/**
 * Memory and speed of the sandbox at scale: starts it in-process with N accounts (default
 * 100,000), then reads everything back over plain HTTP the way a connector would (HubSpot list
 * endpoints, 100 per page; Salesforce query + queryMore, 2,000 per page) and prints generation
 * time, load time, records read, calls made and peak RSS (sampled every 200 ms, and VmHWM).
 *
 *   env -u HTTP_PROXY -u HTTPS_PROXY -u http_proxy -u https_proxy \
 *     node --expose-gc --import tsx bench/sandbox-memory.ts [accounts] [--seed N] [--concurrency N] [--keep-seed] [--heap-growth PERCENT]
 *
 * (--expose-gc adds the heap after a full GC once both servers are loaded.)
 *
 * Rate limits are lifted (this measures the simulator, not the API allowance); traffic goes to
 * 127.0.0.1 only and every loop stops at the last page.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SANDBOX_HEAP_GROWTH_PERCENT, startSandbox } from '../src/sandbox/index.js';

const HUBSPOT_TYPES = ['companies', 'contacts', 'deals', 'line_items', 'tickets', 'calls', 'emails', 'meetings', 'tasks', 'notes'];
const SALESFORCE_QUERIES = [
  'SELECT Id, Name, Website, OwnerId FROM Account',
  'SELECT Id, AccountId, Email, Title FROM Contact',
  'SELECT Id, AccountId, Amount, StageName, CloseDate FROM Opportunity',
  'SELECT Id, OpportunityId, StageName, CloseDate FROM OpportunityHistory',
  'SELECT Id, OpportunityId, Quantity, UnitPrice FROM OpportunityLineItem',
  'SELECT Id, WhatId, Subject FROM Task',
  'SELECT Id, WhatId, Subject FROM Event',
  'SELECT Id, AccountId, Priority, Status FROM Case',
  'SELECT Id, Name FROM User',
];
/** page cap per stream: a safety bound, far above what 200,000 accounts need */
const MAX_PAGES = 200_000;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    seed: { type: 'string', default: '42' },
    concurrency: { type: 'string', default: '4' },
    'keep-seed': { type: 'boolean', default: false },
    'heap-growth': { type: 'string', default: String(SANDBOX_HEAP_GROWTH_PERCENT) },
  },
});
const accounts = Number(positionals[0] ?? 100_000);
const seed = Number(values.seed);
const concurrency = Number(values.concurrency);
if (!Number.isInteger(accounts) || accounts < 10) throw new Error(`bench/sandbox-memory: accounts must be an integer >= 10 (got "${positionals[0]}")`);

let peakRss = 0;
const sampleRss = (): void => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
const sampler = setInterval(sampleRss, 200);
const mb = (bytes: number): string => `${Math.round(bytes / 1_048_576).toLocaleString('en-US')} MB`;
const vmHwm = (): string => /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '?';

let retriedCalls = 0;
let readStarted = 0;

/** GET with up to 3 retries on a dropped connection (a keep-alive socket closed under us) */
async function getJson(url: string, token: string): Promise<unknown> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      if (!res.ok) throw new Error(`GET ${url} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
      return await res.json();
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      if (attempt > 3 || cause?.code === undefined) throw error;
      retriedCalls += 1;
      console.log(`  retry ${attempt} after ${cause.code}: GET ${url.slice(0, 120)}`);
    }
  }
}

async function readHubSpot(base: string, token: string, type: string): Promise<{ records: number; calls: number }> {
  let records = 0;
  let calls = 0;
  let after: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const body = (await getJson(`${base}/crm/v3/objects/${type}?limit=100${after ? `&after=${after}` : ''}`, token)) as {
      results: unknown[];
      paging?: { next?: { after: string } };
    };
    calls += 1;
    records += body.results.length;
    if (calls % 1000 === 0) console.log(`  … HubSpot ${type}: ${records} records, ${Math.round((performance.now() - readStarted) / 1000)} s`);
    after = body.paging?.next?.after;
    if (!after) break;
  }
  return { records, calls };
}

async function readSalesforce(base: string, token: string, soql: string): Promise<{ records: number; calls: number }> {
  let records = 0;
  let calls = 0;
  let next: string | undefined = `/services/data/v59.0/query?q=${encodeURIComponent(soql)}`;
  for (let page = 0; page < MAX_PAGES && next; page += 1) {
    const body = (await getJson(`${base}${next}`, token)) as { records: unknown[]; done: boolean; nextRecordsUrl?: string };
    calls += 1;
    records += body.records.length;
    next = body.done ? undefined : body.nextRecordsUrl;
  }
  return { records, calls };
}

/** runs the jobs with at most `limit` in flight */
async function pool<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let nextJob = 0;
  const worker = async (): Promise<void> => {
    while (nextJob < jobs.length) {
      const i = nextJob++;
      results[i] = await (jobs[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
  return results;
}

const startedAt = performance.now();
const cpuAtStart = process.cpuUsage();
// keepSeed false: the Salesforce part generated and dropped once loaded, then the HubSpot part
// streamed into its server, with the heap growth limit (what the `accountpulse sandbox` command
// does; --heap-growth 0 leaves V8's default); --keep-seed measures the old way (seed org kept alive)
const heapGrowth = Number(values['heap-growth']);
if (!Number.isInteger(heapGrowth) || heapGrowth < 0) throw new Error(`bench/sandbox-memory: --heap-growth must be an integer percent, 0 for V8's default (got "${values['heap-growth']}")`);
const sandboxOptions = { seed, accounts, hubspotRate: 10_000_000, salesforceDaily: 1_000_000_000, ...(heapGrowth > 0 ? { heapGrowthPercent: heapGrowth } : {}) };
const sandbox = values['keep-seed'] ? await startSandbox(sandboxOptions) : await startSandbox({ ...sandboxOptions, keepSeed: false });
const startMs = performance.now() - startedAt;
const startCpu = process.cpuUsage(cpuAtStart);
sampleRss();
const loadPeakRss = peakRss;
const s = sandbox.summary;
console.log(`sandbox-memory: ${accounts.toLocaleString('en-US')} accounts, seed ${seed}, asOf ${s.asOf}, seed org ${values['keep-seed'] ? 'kept' : 'dropped after loading'}, heap growth ${heapGrowth > 0 ? `${heapGrowth}%` : "V8's default"}`);
console.log(`  seed org: ${s.accounts} accounts, ${s.contacts} contacts, ${s.deals} deals, ${s.lineItems} line items, ${s.activities} activities, ${s.tickets} tickets`);
console.log(`  generation ${Math.round(sandbox.generationMs)} ms, load into both servers ${Math.round(startMs - sandbox.generationMs)} ms, RSS after start ${mb(process.memoryUsage().rss)}, peak RSS while starting ${mb(loadPeakRss)}`);
console.log(`  start (generation + load) took ${Math.round(startMs / 1000)} s wall, ${Math.round((startCpu.user + startCpu.system) / 1000 / 1000)} s CPU (user ${Math.round(startCpu.user / 1e6)} s, system ${Math.round(startCpu.system / 1e6)} s)`);
if (global.gc) {
  global.gc();
  console.log(`  heap after GC, servers loaded: ${mb(process.memoryUsage().heapUsed)} (RSS ${mb(process.memoryUsage().rss)})`);
}

readStarted = performance.now();
const hubspotJobs = HUBSPOT_TYPES.map((type) => async () => ({ name: `HubSpot ${type}`, ...(await readHubSpot(sandbox.hubspot.url, sandbox.hubspot.token, type)) }));
const salesforceJobs = SALESFORCE_QUERIES.map((soql) => async () => ({ name: `Salesforce ${soql.split(' FROM ')[1]}`, ...(await readSalesforce(sandbox.salesforce.url, sandbox.salesforce.token, soql)) }));
const streams = await pool([...hubspotJobs, ...salesforceJobs], concurrency);
const readMs = performance.now() - readStarted;
sampleRss();
clearInterval(sampler);

for (const s of streams) console.log(`  ${s.name.padEnd(34)} ${String(s.records).padStart(9)} records ${String(s.calls).padStart(7)} calls`);
const records = streams.reduce((n, s) => n + s.records, 0);
const calls = streams.reduce((n, s) => n + s.calls, 0);
console.log(`  read ${records.toLocaleString('en-US')} records in ${calls.toLocaleString('en-US')} calls (${retriedCalls} retried), ${Math.round(readMs / 1000)} s`);
console.log(`  server-side calls: HubSpot ${sandbox.hubspot.stats.snapshot().calls.total}, Salesforce ${sandbox.salesforce.stats.snapshot().calls.total}`);
console.log(`  peak RSS (200 ms samples) ${mb(peakRss)}; VmHWM ${mb(Number(vmHwm()) * 1024)}; heap used now ${mb(process.memoryUsage().heapUsed)}`);
await sandbox.close();
