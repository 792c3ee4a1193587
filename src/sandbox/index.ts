/**
 * Starts the whole sandbox in one process: generates the seeded company, then a simulated HubSpot
 * portal and a simulated Salesforce org that each load their part of it (accounts with crm
 * 'hubspot' / 'salesforce', and the 'both' duplicates in each).
 *
 * Ports default to 0 (ephemeral, what tests want); the `accountpulse sandbox` command uses
 * 4010 / 4020.
 */
import v8 from 'node:v8';
import { CallStats } from './common/stats.js';
import { FaultInjector, parseFaultSpec } from './common/faults.js';
import type { RunningSandbox } from './common/types.js';
import { startHubSpotSandbox } from './hubspot/server.js';
import { startSalesforceSandbox } from './salesforce/server.js';
import { generateSeedOrg, generateSeedOrgFor, streamSeedOrg, type SeedStream } from './seed/generate.js';
import type { SeedOrg } from './seed/types.js';

export interface SandboxOptions {
  seed?: number;
  accounts?: number;
  /** the seeded data's "today" (YYYY-MM-DD); default today (UTC) */
  asOf?: string;
  hubspotPort?: number;
  salesforcePort?: number;
  /** HubSpot calls per rolling 10 s (default: the HubSpot server's, 190) */
  hubspotRate?: number;
  /** Salesforce API requests per day (default: the Salesforce server's, 100,000) */
  salesforceDaily?: number;
  /** fault rules for both CRMs, in the `--faults` spec syntax (see common/faults.ts) */
  faults?: string;
  /** interface to listen on (default 127.0.0.1) */
  host?: string;
  /** HubSpot webhook subscription target and the app's client secret (for signatures) */
  hubspotWebhook?: { url: string; clientSecret: string };
  /** Salesforce Bulk 2.0 query results per page */
  bulkPageSize?: number;
  /**
   * How far V8 may grow the heap past the live data before its next full collection, in percent
   * (V8's `--heap-growing-percent`). V8's own rule lets the heap reach up to half-way to its limit
   * (~4 GB here): at 100,000 accounts ~0.7 GB of live records ran at 2.6 GB of RSS during a full
   * read. A process-wide setting, applied before generation and kept after (the sandbox is a
   * process of its own); `accountpulse sandbox` uses SANDBOX_HEAP_GROWTH_PERCENT. Unset: V8's rule.
   */
  heapGrowthPercent?: number;
}

/** The heap growth `accountpulse sandbox` runs with (see `SandboxOptions.heapGrowthPercent`). */
export const SANDBOX_HEAP_GROWTH_PERCENT = 50;

/** What was seeded, in counts: all a caller needs once the servers hold the records. */
export interface SeedSummary {
  seed: number;
  asOf: string;
  accounts: number;
  /** accounts with crm 'hubspot' or 'both' */
  inHubSpot: number;
  /** accounts with crm 'salesforce' or 'both' */
  inSalesforce: number;
  /** accounts in both CRMs (the planted duplicates) */
  inBoth: number;
  contacts: number;
  deals: number;
  lineItems: number;
  activities: number;
  tickets: number;
  owners: number;
}

export interface LightSandboxPair {
  summary: SeedSummary;
  hubspot: RunningSandbox;
  salesforce: RunningSandbox;
  /** how long generating the seeded org took */
  generationMs: number;
  /** closes both servers (their ports are free when it resolves) */
  close(): Promise<void>;
}

export interface RunningSandboxPair extends LightSandboxPair {
  seedOrg: SeedOrg;
}

/**
 * With `keepSeed: false` no whole org is ever held: the Salesforce part is generated alone and
 * dropped once its server loaded it, then the HubSpot part is generated account chunk by account
 * chunk while the HubSpot server loads it (see `streamSeedOrg`), so at most one CRM's part and one
 * chunk are alive beside the servers' own records (the whole org is ~590 MB of heap at 100,000
 * accounts). The result then carries `summary` but no `seedOrg`. It costs a second generation
 * pass (the parts are generated one after the other).
 */
export function startSandbox(options: SandboxOptions & { keepSeed: false }): Promise<LightSandboxPair>;
export function startSandbox(options?: SandboxOptions & { keepSeed?: true }): Promise<RunningSandboxPair>;
export async function startSandbox(options: SandboxOptions & { keepSeed?: boolean } = {}): Promise<LightSandboxPair | RunningSandboxPair> {
  // parse the fault spec first: a typo should fail before 100,000 accounts are generated
  const faultRules = options.faults ? parseFaultSpec(options.faults) : [];
  if (options.heapGrowthPercent !== undefined) limitHeapGrowth(options.heapGrowthPercent);
  const seedOptions = { seed: options.seed, accounts: options.accounts, asOf: options.asOf };
  const host = options.host ?? '127.0.0.1';
  const faults = (seed: number): FaultInjector => new FaultInjector({ rules: faultRules, seed });

  if (options.keepSeed !== false) {
    const started = performance.now();
    const seedOrg = generateSeedOrg(seedOptions);
    const generationMs = Math.round(performance.now() - started);
    const summary = summarizeSeedOrg(seedOrg);
    const hubspot = await startHubSpotSandbox(hubspotOptions(options, seedOrg, null, host, faults(summary.seed)));
    const salesforce = await startSalesforceOrClose(options, { salesforce: seedOrg }, host, faults(summary.seed + 1), [hubspot]);
    return { seedOrg, summary, hubspot, salesforce, generationMs, close: closeBoth(hubspot, salesforce) };
  }

  const started = performance.now();
  // held in an object the servers do not see, and cleared once loaded: nothing else refers to the part
  const part: { salesforce: SeedOrg | null } = { salesforce: generateSeedOrgFor('salesforce', seedOptions) };
  const salesforceGenerationMs = performance.now() - started;
  const seedNumber = part.salesforce!.seed;
  const salesforce = await startSalesforceOrClose(options, part, host, faults(seedNumber + 1), []);
  const stream = streamSeedOrg(seedOptions, (a) => a.crm !== 'salesforce');
  let hubspot: RunningSandbox;
  try {
    hubspot = await startHubSpotSandbox(hubspotOptions(options, null, stream, host, faults(seedNumber)));
  } catch (error) {
    await salesforce.close();
    throw error;
  }
  const { head, totals } = stream;
  const summary: SeedSummary = {
    seed: head.seed,
    asOf: head.asOf,
    accounts: totals.accounts,
    inHubSpot: totals.inHubSpot,
    inSalesforce: totals.inSalesforce,
    inBoth: totals.inHubSpot + totals.inSalesforce - totals.accounts,
    contacts: totals.contacts,
    deals: totals.deals,
    lineItems: totals.lineItems,
    activities: totals.activities,
    tickets: totals.tickets,
    owners: head.owners.length,
  };
  const generationMs = Math.round(salesforceGenerationMs + stream.generationMs);
  return { summary, hubspot, salesforce, generationMs, close: closeBoth(hubspot, salesforce) };
}

function limitHeapGrowth(percent: number): void {
  if (!Number.isInteger(percent) || percent < 10 || percent > 400) {
    throw new Error(`startSandbox: heapGrowthPercent must be an integer from 10 to 400 (got ${percent}); leave it unset for V8's default`);
  }
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}

function hubspotOptions(options: SandboxOptions, seed: SeedOrg | null, seedStream: SeedStream | null, host: string, faults: FaultInjector) {
  return {
    seed,
    seedStream,
    port: options.hubspotPort ?? 0,
    host,
    ratePer10s: options.hubspotRate,
    faults,
    stats: new CallStats(),
    webhook: options.hubspotWebhook,
  };
}

/**
 * Starts the Salesforce server on the seed in `holder`, clearing the holder (so a part nothing else
 * refers to can go once loaded); closes the `started` servers when that fails.
 */
async function startSalesforceOrClose(
  options: SandboxOptions,
  holder: { salesforce: SeedOrg | null },
  host: string,
  faults: FaultInjector,
  started: RunningSandbox[],
): Promise<RunningSandbox> {
  const salesforceOptions: { seed: SeedOrg | null } & Omit<Parameters<typeof startSalesforceSandbox>[0], 'seed'> = {
    seed: holder.salesforce,
    port: options.salesforcePort ?? 0,
    host,
    dailyLimit: options.salesforceDaily,
    faults,
    stats: new CallStats(),
    bulkPageSize: options.bulkPageSize,
  };
  holder.salesforce = null;
  try {
    return await startSalesforceSandbox(salesforceOptions as Parameters<typeof startSalesforceSandbox>[0]);
  } catch (error) {
    await Promise.allSettled(started.map((s) => s.close()));
    throw error;
  } finally {
    // the options object is ours: clearing its seed lets the part go even if the server kept the object
    salesforceOptions.seed = null;
  }
}

function closeBoth(hubspot: RunningSandbox, salesforce: RunningSandbox): () => Promise<void> {
  return async () => {
    const results = await Promise.allSettled([hubspot.close(), salesforce.close()]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  };
}

function summarizeSeedOrg(org: SeedOrg): SeedSummary {
  const inHubSpot = org.accounts.filter((a) => a.crm !== 'salesforce').length;
  const inSalesforce = org.accounts.filter((a) => a.crm !== 'hubspot').length;
  return {
    seed: org.seed,
    asOf: org.asOf,
    accounts: org.accounts.length,
    inHubSpot,
    inSalesforce,
    inBoth: inHubSpot + inSalesforce - org.accounts.length,
    contacts: org.contacts.length,
    deals: org.deals.length,
    lineItems: org.deals.reduce((n, d) => n + d.lineItems.length, 0),
    activities: org.activities.length,
    tickets: org.tickets.length,
    owners: org.owners.length,
  };
}

export type { RunningSandbox } from './common/types.js';
export type { SeedOrg } from './seed/types.js';
