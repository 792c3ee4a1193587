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
import { generateSeedOrg } from './seed/generate.js';
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

export interface RunningSandboxPair {
  seedOrg: SeedOrg;
  hubspot: RunningSandbox;
  salesforce: RunningSandbox;
  /** how long generating the seeded org took */
  generationMs: number;
  /** closes both servers (their ports are free when it resolves) */
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandboxPair> {
  // parse the fault spec first: a typo should fail before 100,000 accounts are generated
  const faultRules = options.faults ? parseFaultSpec(options.faults) : [];
  const started = performance.now();
  const seedOrg = generateSeedOrg({ seed: options.seed, accounts: options.accounts, asOf: options.asOf });
  const generationMs = Math.round(performance.now() - started);
  const host = options.host ?? '127.0.0.1';

  const hubspot = await startHubSpotSandbox({
    seed: seedOrg,
    port: options.hubspotPort ?? 0,
    host,
    ratePer10s: options.hubspotRate,
    faults: new FaultInjector({ rules: faultRules, seed: seedOrg.seed }),
    stats: new CallStats(),
    webhook: options.hubspotWebhook,
  });
  let salesforce: RunningSandbox;
  try {
    salesforce = await startSalesforceSandbox({
      seed: seedOrg,
      port: options.salesforcePort ?? 0,
      host,
      dailyLimit: options.salesforceDaily,
      faults: new FaultInjector({ rules: faultRules, seed: seedOrg.seed + 1 }),
      stats: new CallStats(),
      bulkPageSize: options.bulkPageSize,
    });
  } catch (error) {
    await hubspot.close();
    throw error;
  }

  return {
    seedOrg,
    hubspot,
    salesforce,
    generationMs,
    close: async () => {
      const results = await Promise.allSettled([hubspot.close(), salesforce.close()]);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}

export type { RunningSandbox } from './common/types.js';
export type { SeedOrg } from './seed/types.js';
