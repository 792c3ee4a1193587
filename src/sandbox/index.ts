/**
 * Starts the whole sandbox in one process: generates the seeded company, then a simulated HubSpot
 * portal and a simulated Salesforce org that each load their part of it (accounts with crm
 * 'hubspot' / 'salesforce', and the 'both' duplicates in each).
 *
 * Ports default to 0 (ephemeral, what tests want); the `accountpulse sandbox` command uses
 * 4010 / 4020.
 */
import { CallStats } from './common/stats.js';
import { FaultInjector, parseFaultSpec } from './common/faults.js';
import type { RunningSandbox } from './common/types.js';
import { startHubSpotSandbox } from './hubspot/server.js';
import { startSalesforceSandbox } from './salesforce/server.js';
import { generateSeedOrg, generateSeedOrgsByCrm } from './seed/generate.js';
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
}

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
 * With `keepSeed: false` the seeded org is generated split per CRM and each part is dropped once
 * its server has loaded it, so only the servers' own records stay in memory (the whole org is
 * ~590 MB of heap at 100,000 accounts); the result then carries `summary` but no `seedOrg`.
 */
export function startSandbox(options: SandboxOptions & { keepSeed: false }): Promise<LightSandboxPair>;
export function startSandbox(options?: SandboxOptions & { keepSeed?: true }): Promise<RunningSandboxPair>;
export async function startSandbox(options: SandboxOptions & { keepSeed?: boolean } = {}): Promise<LightSandboxPair | RunningSandboxPair> {
  // parse the fault spec first: a typo should fail before 100,000 accounts are generated
  const faultRules = options.faults ? parseFaultSpec(options.faults) : [];
  const seedOptions = { seed: options.seed, accounts: options.accounts, asOf: options.asOf };
  const started = performance.now();
  const seedOrg = options.keepSeed === false ? undefined : generateSeedOrg(seedOptions);
  // the servers drop their seed once loaded (see loadParts); only these references remain
  const parts: { hubspot: SeedOrg | null; salesforce: SeedOrg | null } = seedOrg
    ? { hubspot: seedOrg, salesforce: seedOrg }
    : generateSeedOrgsByCrm(seedOptions);
  const generationMs = Math.round(performance.now() - started);
  const summary = seedOrg ? summarizeSeedOrg(seedOrg) : summarizeParts(parts.hubspot!, parts.salesforce!);
  const host = options.host ?? '127.0.0.1';

  const hubspotOptions = {
    seed: parts.hubspot,
    port: options.hubspotPort ?? 0,
    host,
    ratePer10s: options.hubspotRate,
    faults: new FaultInjector({ rules: faultRules, seed: summary.seed }),
    stats: new CallStats(),
    webhook: options.hubspotWebhook,
  };
  parts.hubspot = null;
  const hubspot = await startHubSpotSandbox(hubspotOptions);
  // the options object is ours: clearing its seed lets the part go even if the server kept the object
  hubspotOptions.seed = null;
  let salesforce: RunningSandbox;
  try {
    const salesforceOptions: { seed: SeedOrg } & Omit<Parameters<typeof startSalesforceSandbox>[0], 'seed'> = {
      seed: parts.salesforce!,
      port: options.salesforcePort ?? 0,
      host,
      dailyLimit: options.salesforceDaily,
      faults: new FaultInjector({ rules: faultRules, seed: summary.seed + 1 }),
      stats: new CallStats(),
      bulkPageSize: options.bulkPageSize,
    };
    parts.salesforce = null;
    salesforce = await startSalesforceSandbox(salesforceOptions);
    (salesforceOptions as { seed: SeedOrg | null }).seed = null;
  } catch (error) {
    await hubspot.close();
    throw error;
  }

  const close = async (): Promise<void> => {
    const results = await Promise.allSettled([hubspot.close(), salesforce.close()]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  };
  return seedOrg ? { seedOrg, summary, hubspot, salesforce, generationMs, close } : { summary, hubspot, salesforce, generationMs, close };
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

/** The whole org's counts from its two parts: the 'both' accounts and their records are in each. */
function summarizeParts(hubspot: SeedOrg, salesforce: SeedOrg): SeedSummary {
  const h = summarizeSeedOrg(hubspot);
  const s = summarizeSeedOrg(salesforce);
  const both = new Set(hubspot.accounts.filter((a) => a.crm === 'both').map((a) => a.key));
  const shared = (rows: readonly { accountKey: string }[]): number => rows.filter((r) => both.has(r.accountKey)).length;
  return {
    seed: h.seed,
    asOf: h.asOf,
    accounts: h.inHubSpot + s.inSalesforce - both.size,
    inHubSpot: h.inHubSpot,
    inSalesforce: s.inSalesforce,
    inBoth: both.size,
    contacts: h.contacts + s.contacts - shared(hubspot.contacts),
    deals: h.deals + s.deals - shared(hubspot.deals),
    lineItems: h.lineItems + s.lineItems - hubspot.deals.filter((d) => both.has(d.accountKey)).reduce((n, d) => n + d.lineItems.length, 0),
    activities: h.activities + s.activities - shared(hubspot.activities),
    tickets: h.tickets + s.tickets - shared(hubspot.tickets),
    owners: h.owners,
  };
}

export type { RunningSandbox } from './common/types.js';
export type { SeedOrg } from './seed/types.js';
