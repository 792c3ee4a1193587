import type { CallStats } from './stats.js';
import type { FaultInjector } from './faults.js';

/** One simulated CRM listening on a port; what tests, the demo and the benchmarks hold on to. */
export interface RunningSandbox {
  name: 'HubSpot' | 'Salesforce';
  /** base URL: HubSpot `basePath`, Salesforce `instanceUrl` (and `loginUrl`) */
  url: string;
  /** the access token it accepts (HubSpot private-app style / Salesforce session id) */
  token: string;
  port: number;
  stats: CallStats;
  faults: FaultInjector;
  /** the CRM's id of a seeded record, by the generator's key (e.g. "acct-000042") */
  externalId(seedKey: string): string | undefined;
  close(): Promise<void>;
}
