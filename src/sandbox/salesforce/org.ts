/**
 * One simulated Salesforce org: options, records, sessions, API usage, call accounting and
 * fault rules. Route handlers receive it; the server wires it to HTTP.
 */
import { CallStats } from '../common/stats.js';
import { FaultInjector, type FaultRuleInput } from '../common/faults.js';
import type { SeedOrg } from '../seed/types.js';
import { keyPrefixes, toId18 } from './ids.js';
import { SeedIdIndex } from './seed-ids.js';
import { SalesforceStore } from './store.js';
import { SessionRegistry } from './sessions.js';

export interface SalesforceSandboxOptions {
  /** the seeded company; accounts with crm 'salesforce' or 'both' (and what belongs to them) are loaded */
  seed: SeedOrg | null;
  /** session id accepted from the start (default a fixed "00D…!sandbox…" id) */
  token?: string;
  /** refresh token accepted by the refresh_token grant (default a fixed value) */
  refreshToken?: string;
  /** daily API request allowance (default 100,000) */
  dailyLimit?: number;
  faults?: FaultInjector | FaultRuleInput[];
  stats?: CallStats;
  /** Bulk 2.0 query results per page when the client sends no maxRecords (default 50,000) */
  bulkPageSize?: number;
  /** how long a Bulk 2.0 job stays InProgress before JobComplete (default 100 ms) */
  bulkProcessingMs?: number;
  /** the org's clock (record timestamps, date literals, token expiry) */
  now?: () => Date;
  /** OAuth client credentials; when set, token requests must present them */
  clientId?: string;
  clientSecret?: string;
  /** PEM public key: when set, JWT bearer assertions must carry a valid RS256 signature */
  jwtPublicKey?: string;
  /** session lifetime; past it, calls get 401 INVALID_SESSION_ID */
  tokenTtlMs?: number;
  /** Sforce-Query-Options batch size when the client sends none (default 2,000) */
  defaultBatchSize?: number;
}

export const DEFAULT_SESSION_TOKEN = '00D5g0000000001EAA!sandbox.session.AccountPulse';
export const DEFAULT_REFRESH_TOKEN = '5Aep861sandbox.refresh.AccountPulse';
export const API_VERSIONS = ['58.0', '59.0', '60.0', '61.0', '62.0', '63.0'];

export class SalesforceOrg {
  readonly store: SalesforceStore;
  readonly stats: CallStats;
  readonly faults: FaultInjector;
  readonly sessions: SessionRegistry;
  readonly orgId = toId18(`${keyPrefixes.Organization}5g0000000001`);
  readonly token: string;
  readonly dailyLimit: number;
  readonly bulkPageSize: number;
  readonly bulkProcessingMs: number;
  readonly defaultBatchSize: number;
  /** seed key -> Salesforce id */
  readonly seedIds = new SeedIdIndex();
  /** the API user every session acts as unless a grant names another user */
  integrationUserId = '';
  /** API requests counted against the daily allowance */
  apiUsage = 0;
  /** base URL, known once the server listens (instance_url of token responses) */
  baseUrl = 'http://127.0.0.1';
  private readonly clock: () => Date;

  /** the options, minus the seed (loaded once, then not kept: it can be hundreds of MB) */
  readonly options: Omit<SalesforceSandboxOptions, 'seed'>;

  constructor(options: SalesforceSandboxOptions) {
    const { seed: _seed, ...rest } = options;
    this.options = rest;
    this.clock = options.now ?? (() => new Date());
    this.store = new SalesforceStore({ now: () => this.now() });
    this.stats = options.stats ?? new CallStats();
    this.faults = options.faults instanceof FaultInjector ? options.faults : new FaultInjector({ rules: options.faults ?? [] });
    this.token = options.token ?? DEFAULT_SESSION_TOKEN;
    this.dailyLimit = options.dailyLimit ?? 100_000;
    this.bulkPageSize = options.bulkPageSize ?? 50_000;
    this.bulkProcessingMs = options.bulkProcessingMs ?? 100;
    this.defaultBatchSize = options.defaultBatchSize ?? 2000;
    this.sessions = new SessionRegistry({ orgId: this.orgId, ttlMs: options.tokenTtlMs ?? null, now: () => this.now() });
  }

  now(): number {
    return this.clock().getTime();
  }

  /** Starts a session for the configured token and refresh token (called once users exist). */
  openDefaultSession(): void {
    this.sessions.add(this.token, this.integrationUserId);
    this.sessions.addRefreshToken(this.options.refreshToken ?? DEFAULT_REFRESH_TOKEN, this.integrationUserId);
  }
}
