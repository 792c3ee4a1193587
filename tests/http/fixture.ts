/**
 * An AppContext on the test run's real Redis (own key prefix), fake CRM connectors, a captured log,
 * and a seeded store: 3 reps in 2 teams, 8 accounts (one with HTML in its name), churn risks,
 * attainment for the current quarter, cross-sell, alerts, runs and quarantined records.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config/load.js';
import type { BudgetStatus } from '../../src/connectors/budget.js';
import type { AuthStatus, CrmConnector, StreamResult } from '../../src/connectors/types.js';
import { Alert, Attainment, ChurnRisk, CrossSellOpportunity } from '../../src/domain/insights.js';
import { Account, Owner, type CrmSource } from '../../src/domain/model.js';
import { createContext, type AppContext } from '../../src/jobs/context.js';
import { createLogger } from '../../src/logger.js';
import { Metrics } from '../../src/metrics.js';

export const API_TOKEN = 'test-api-token-7f3a9c1e5b';
export const HUBSPOT_SECRET = 'hubspot-client-secret-4d2e8a';
export const SALESFORCE_SECRET = 'sf-webhook-secret-91bc77';
export const NOW = new Date('2026-11-15T12:00:00.000Z');
export const PERIOD = { id: 'FY2026-Q4', kind: 'quarter' as const, start: '2026-10-01', end: '2026-12-31' };

export class FakeConnector implements CrmConnector {
  authChecks = 0;
  auth: AuthStatus = { ok: true, identity: 'portal 123' };
  constructor(
    readonly source: CrmSource,
    readonly streams: readonly string[],
  ) {}
  async checkAuth(): Promise<AuthStatus> {
    this.authChecks += 1;
    return this.auth;
  }
  async syncStream(stream: string): Promise<StreamResult> {
    return { source: this.source, stream, pages: 0, read: 0, changed: 0, deleted: 0, quarantined: 0, accountIds: [], ownerIds: [], complete: true, stoppedReason: null, calls: 0 };
  }
  async syncRecords(stream: string): Promise<StreamResult> {
    return this.syncStream(stream);
  }
  async provision() {
    return { source: this.source, created: [], existing: [], manual: [] };
  }
  async readFields() {
    return new Map();
  }
  async writeFields() {
    return [];
  }
  async createTasks() {
    return [];
  }
  async writeBack() {
    return { fields: [], tasks: [] };
  }
  async budget(): Promise<BudgetStatus> {
    return { crm: this.source, dailyLimit: 250_000, dailyRemaining: 249_100, reserveReached: false, pausedUntil: null, calls: 900, rateLimited: 3 };
  }
  async close(): Promise<void> {}
}

export interface Fixture {
  ctx: AppContext;
  redis: Redis;
  hubspot: FakeConnector;
  salesforce: FakeConnector;
  logLines: string[];
  cleanup(): Promise<void>;
}

export async function createFixture(options: { env?: Record<string, string>; omitEnv?: string[]; connectors?: boolean } = {}): Promise<Fixture> {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is not set: run the tests through vitest (its global setup starts Redis)');
  const environ: Record<string, string> = {
    REDIS_URL: url,
      ACCOUNTPULSE_PREFIX: `th-${randomUUID().slice(0, 8)}`,
      API_TOKEN,
      HUBSPOT_CLIENT_SECRET: HUBSPOT_SECRET,
      SALESFORCE_WEBHOOK_SECRET: SALESFORCE_SECRET,
      SALESFORCE_INSTANCE_URL: 'https://acme.my.salesforce.com',
      ...options.env,
  };
  for (const name of options.omitEnv ?? []) delete environ[name];
  const loaded = loadConfig({ environ });
  const logLines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      logLines.push(chunk.toString());
      cb();
    },
  });
  // No secret scrubbing here: the test proves the HTTP layer itself never logs a secret.
  const logger = createLogger({ level: 'debug', destination });
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  const hubspot = new FakeConnector('hubspot', ['owners', 'companies', 'contacts', 'deals', 'calls']);
  const salesforce = new FakeConnector('salesforce', ['owners', 'accounts', 'contacts', 'deals', 'tasks']);
  const connectors = new Map<CrmSource, CrmConnector>(options.connectors === false ? [] : [['hubspot', hubspot], ['salesforce', salesforce]]);
  const ctx = createContext({ loaded, logger, redis, connectors, now: () => NOW, metrics: new Metrics({ defaultMetrics: false }) });
  return {
    ctx,
    redis,
    hubspot,
    salesforce,
    logLines,
    cleanup: async () => {
      await ctx.store.wipe().catch(() => 0);
      await ctx.queues.close();
      await ctx.store.close();
      redis.disconnect();
    },
  };
}

const at = '2026-11-14T08:00:00.000Z';

export function owner(id: string, name: string, teamId: string, managerId: string | null): Owner {
  return Owner.parse({ id: `salesforce:${id}`, source: 'salesforce', externalId: id, updatedAt: at, name, email: null, managerId, teamId, teamName: teamId === 'team-east' ? 'East' : 'West', active: true });
}

export function account(id: string, name: string, ownerId: string): Account {
  return Account.parse({ id: `salesforce:${id}`, source: 'salesforce', externalId: id, updatedAt: at, name, domain: null, industry: null, employees: null, annualRevenue: null, ownerId, parentId: null, renewalDate: '2027-01-10', churned: null, createdAt: null, fields: {} });
}

export function risk(accountId: string, score: number, band: ChurnRisk['band'], reasons: string[]): ChurnRisk {
  return ChurnRisk.parse({
    accountId, score, band, previous: score - 10, previousBand: 'green', trend: 'up', completeness: 0.9, model: 'rules', probability: null,
    drivers: reasons.map((text, i) => ({ signal: `s${i}`, risk: 80, points: 30 - i * 5, text, records: [] })),
    scoredAt: at, configVersion: 'v1',
  });
}

export function attainment(scope: Attainment['scope'], subjectId: string, subjectName: string, quota: number, closedWon: number): Attainment {
  return Attainment.parse({
    scope, subjectId, subjectName, period: PERIOD, asOf: '2026-11-15', currency: 'USD', quota, closedWon,
    attainment: quota ? closedWon / quota : null,
    expectedToDate: { linear: quota * 0.5, seasonal: null }, pacing: { linear: quota ? closedWon / (quota * 0.5) : null, seasonal: null },
    weightedPipeline: quota * 0.4, categories: { closed: closedWon, commit: quota * 0.2, bestCase: quota * 0.1, pipeline: quota * 0.3, omitted: 0 },
    rollups: { commit: closedWon + quota * 0.2, bestCase: closedWon + quota * 0.3, openPipeline: quota * 0.6 },
    forecast: closedWon + quota * 0.3, coverage: 1.5, winRate: 0.3, avgDealSize: 20_000, cycleDays: 40, velocityPerDay: 100,
    slippage: { pushedDeals: 0, pushCount: 0, daysPushed: 0, commitSlippedOut: [] }, notes: [],
  });
}

export function alert(key: string, title: string, state: Alert['state'], severity: Alert['severity'] = 'critical'): Alert {
  return Alert.parse({
    key, type: 'churn_band_rose', severity, subject: { kind: 'account', id: 'salesforce:001A', name: 'Acme' }, reason: 'band:red', state, title, details: ['Risk 82 (red, was 41)'],
    records: [], ownerId: 'salesforce:005A', teamId: 'team-east', openedAt: at, updatedAt: at, resolvedAt: state === 'resolved' ? at : null, version: 1,
  });
}

export const REPS = [
  { id: '005A', name: 'Ada Lovelace', team: 'team-east', quota: 100_000, won: 82_000 },
  { id: '005B', name: 'Grace Hopper', team: 'team-east', quota: 120_000, won: 30_000 },
  { id: '005C', name: 'Alan Turing', team: 'team-west', quota: 90_000, won: 95_000 },
];

/** The accounts seeded: ids 001A…001H; 001C's name holds markup the dashboard must escape. */
export const ACCOUNT_NAMES = ['Acme Corp', 'Globex', '<img src=x onerror=alert(1)> Initech', 'Umbrella', 'Hooli', 'Stark Industries', 'Wayne Enterprises', 'Tyrell'];
export const RED_REASON = 'no activity for 63 days (last: call 00T1, 2026-09-13)';

export async function seed(ctx: AppContext): Promise<void> {
  const { store } = ctx;
  await store.records.upsert('owner', [owner('005M', 'Mary Manager', 'team-east', null), ...REPS.map((r) => owner(r.id, r.name, r.team, r.team === 'team-east' ? 'salesforce:005M' : null))]);
  const accounts = ACCOUNT_NAMES.map((name, i) => account(`001${String.fromCharCode(65 + i)}`, name, `salesforce:${REPS[i % 3]!.id}`));
  await store.records.upsert('account', accounts);
  await store.insights.putChurn([
    risk('salesforce:001A', 82, 'red', [RED_REASON, '2 urgent cases open (500X, 500Y)']),
    risk('salesforce:001B', 55, 'amber', ['renewal in 40 days']),
    risk('salesforce:001C', 71, 'red', ['champion left (contact 003Q)']),
    risk('salesforce:001D', 12, 'green', []),
    risk('salesforce:001E', 20, 'green', []),
    risk('salesforce:001F', 48, 'amber', ['meetings down 60%']),
  ]);
  await store.insights.putAttainment([
    attainment('org', 'org', 'Acme Sales', 310_000, 207_000),
    attainment('team', 'team-east', 'East', 220_000, 112_000),
    attainment('team', 'team-west', 'West', 90_000, 95_000),
    ...REPS.map((r) => attainment('owner', `salesforce:${r.id}`, r.name, r.quota, r.won)),
    // the manager owns no quota and no deals: not a rep on the chart
    { ...attainment('owner', 'salesforce:005M', 'Mary Manager', 0, 0), quota: null },
  ]);
  await store.insights.putCrossSell(
    new Map([
      ['salesforce:001A', [CrossSellOpportunity.parse({ accountId: 'salesforce:001A', product: 'Analytics Add-on', productId: null, score: 0.81, evidence: ['62% of accounts that own Core and API also own Analytics, 2.3x the base rate'], estimatedValue: 24_000, rule: null, peerPenetration: null })]],
      ['salesforce:001D', [CrossSellOpportunity.parse({ accountId: 'salesforce:001D', product: 'Premium Support', productId: null, score: 0.64, evidence: ['8 of 10 peers in Manufacturing own it'], estimatedValue: null, rule: null, peerPenetration: null })]],
    ]),
  );
  await store.alerts.put([
    alert('churn_band_rose|account:salesforce:001A|band:red', 'Acme Corp turned red (risk 82)', 'open'),
    alert('churn_band_rose|account:salesforce:001F|band:red', 'Stark Industries was red', 'resolved', 'warning'),
  ]);
  const run = await store.runs.start('sync', 'salesforce:accounts', null, NOW);
  await store.runs.add(run.id, [{ at: NOW.toISOString(), type: 'read', message: '8 accounts read', records: ['salesforce:001A'] }]);
  await store.runs.finish(run.id, 'succeeded', null, NOW);
  await store.quarantine.add([{ source: 'hubspot', stream: 'companies', externalId: '999', reason: 'name: expected string', raw: { id: '999' }, at: NOW.toISOString() }]);
}
