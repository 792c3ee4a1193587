/**
 * The Salesforce connector: sessions, the org's shared API budget, the stream runner, write-back
 * (field updates and owner tasks sharing composite calls: `writeBack`; each alone: `writeFields`,
 * `createTasks`) and provisioning behind the `CrmConnector` interface. jsforce 3.10.16 is used unmodified,
 * through `conn.request` (its own retries off; ours in client.ts).
 */
import { Connection } from 'jsforce';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { SANDBOX_SALESFORCE_TOKEN, SANDBOX_SALESFORCE_URL, type Env } from '../../config/env.js';
import type { Config } from '../../config/schema.js';
import { Keys } from '../../store/keys.js';
import { PendingTasks } from '../../store/pendingTasks.js';
import type { LedgerValue } from '../../store/ledger.js';
import { ApiBudget, type BudgetStatus } from '../budget.js';
import { ServerClock } from '../serverClock.js';
import type {
  AuthStatus,
  CrmConnector,
  FieldUpdate,
  ProvisionReport,
  RecordWriteResult,
  StreamResult,
  SyncContext,
  TaskRequest,
  TaskResult,
  WriteBackFieldName,
  WriteBackResult,
} from '../types.js';
import { authFromEnv, authorize, refreshFnFor, type SalesforceAuth } from './auth.js';
import { SalesforceClient } from './client.js';
import { CompositeWriter } from './compositeWriter.js';
import { SalesforceApiError, SalesforceAuthError } from './errors.js';
import { apiFieldNames } from './fields.js';
import { provisionAccountFields } from './provision.js';
import { QueryReader } from './query.js';
import { StreamRunner } from './runner.js';
import { salesforceStreams } from './streams/index.js';
import type { StreamSpec } from './streams/spec.js';
import { TaskCreator } from './tasks.js';
import { AccountFieldWriter, SalesforceWriteBack } from './writeBack.js';

export interface SalesforceConnectorOptions {
  env: Env;
  config: Config;
  redis: Redis;
  logger: Logger;
  /** token used when the environment has no credentials (the sandbox's) */
  fallbackToken?: string;
  /** budget lane: calls per window for all processes together (Salesforce has no per-second limit) */
  callsPerSecond?: number;
  /** rows per Bulk 2.0 results page */
  bulkPageSize?: number;
  /** tests: fast retries and polls */
  retry?: { maxAttempts?: number; baseMs?: number; maxMs?: number; sleep?: (ms: number) => Promise<void> };
  pollDelaysMs?: readonly number[];
  /** test seam: the local clock the org's clock (Date headers) is measured against */
  now?: () => number;
}

export class SalesforceConnector implements CrmConnector {
  readonly source = 'salesforce' as const;
  readonly streams: readonly string[] = salesforceStreams.map((s) => s.name);

  private readonly auth: SalesforceAuth;
  private readonly conn: Connection;
  private readonly budgetGuard: ApiBudget;
  private readonly client: SalesforceClient;
  private readonly reader: QueryReader;
  private readonly runner: StreamRunner;
  private readonly writer: AccountFieldWriter;
  private readonly taskCreator: TaskCreator;
  private readonly writeBackPath: SalesforceWriteBack;
  private readonly fieldNames: Map<WriteBackFieldName, string>;
  private session: Promise<void> | null = null;
  private runCache = new Map<string, unknown>();
  private runCacheKey: string | null = null;

  constructor(private readonly options: SalesforceConnectorOptions) {
    const { env, config, redis, logger } = options;
    // The built-in sandbox's session when nothing else is configured (the demo runs with no setup).
    this.auth = authFromEnv(env, options.fallbackToken ?? (env.SALESFORCE_INSTANCE_URL === SANDBOX_SALESFORCE_URL ? SANDBOX_SALESFORCE_TOKEN : undefined));
    const authGuard = { refreshesWithoutSuccess: 0 };
    const loginUrl = env.SALESFORCE_LOGIN_URL ?? env.SALESFORCE_INSTANCE_URL;
    this.conn = new Connection({
      instanceUrl: env.SALESFORCE_INSTANCE_URL,
      loginUrl,
      version: env.SALESFORCE_API_VERSION,
      ...(this.auth.mode === 'token' ? { accessToken: this.auth.accessToken } : {}),
      ...(this.auth.mode === 'client_credentials' ? { oauth2: { clientId: this.auth.clientId, clientSecret: this.auth.clientSecret, loginUrl } } : {}),
      ...(this.auth.mode === 'jwt' ? { oauth2: { clientId: this.auth.clientId, loginUrl } } : {}),
      refreshFn: refreshFnFor(this.auth, authGuard),
    });
    const org = new URL(env.SALESFORCE_INSTANCE_URL).host;
    this.budgetGuard = new ApiBudget({
      redis,
      key: new Keys(env.ACCOUNTPULSE_PREFIX).budget('salesforce', org),
      crm: `Salesforce org ${org}`,
      lanes: { default: { windowMs: 1000, max: options.callsPerSecond ?? 25 } },
      reserve: config.sync.budgetReserve,
    });
    this.client = new SalesforceClient({
      conn: this.conn,
      budget: this.budgetGuard,
      logger,
      authGuard,
      clock: new ServerClock(options.now ? { now: options.now } : {}),
      ...(options.retry ? { retry: options.retry } : {}),
    });
    const sleep = options.retry?.sleep;
    this.reader = new QueryReader({ client: this.client, ...(options.bulkPageSize ? { bulkPageSize: options.bulkPageSize } : {}), ...(options.pollDelaysMs ? { pollDelaysMs: options.pollDelaysMs } : {}), ...(sleep ? { sleep } : {}) });
    this.runner = new StreamRunner({ client: this.client, reader: this.reader, config, logger, runCache: this.runCache, countedObjects: [...new Set(salesforceStreams.filter((s) => s.bulk).map((s) => s.sobject))], droppedFields: new Map() });
    this.fieldNames = apiFieldNames(config.writeBack.fieldPrefix);
    const composite = new CompositeWriter({ client: this.client });
    this.writer = new AccountFieldWriter({
      client: this.client,
      composite,
      logger,
      fieldNames: this.fieldNames,
      bulkWriteThreshold: config.sync.bulkWriteThreshold,
      ...(options.pollDelaysMs ? { pollDelaysMs: options.pollDelaysMs } : {}),
      ...(sleep ? { sleep } : {}),
    });
    this.taskCreator = new TaskCreator({ composite, reader: this.reader, logger, sent: new PendingTasks(redis, new Keys(env.ACCOUNTPULSE_PREFIX), 'salesforce'), ...(sleep ? { sleep } : {}) });
    this.writeBackPath = new SalesforceWriteBack({ fields: this.writer, tasks: this.taskCreator, composite });
  }

  /** API calls sent so far (for benchmarks and tests). */
  get calls(): number {
    return this.client.calls;
  }

  /** Logical write-back field → Account API name. */
  get accountFieldNames(): ReadonlyMap<WriteBackFieldName, string> {
    return this.fieldNames;
  }

  private ensureSession(): Promise<void> {
    this.session ??= authorize(this.conn, this.auth).catch((err: unknown) => {
      this.session = null;
      throw err;
    });
    return this.session;
  }

  private spec(stream: string): StreamSpec {
    const spec = salesforceStreams.find((s) => s.name === stream);
    if (!spec) throw new Error(`Salesforce: no stream "${stream}" (streams: ${this.streams.join(', ')})`);
    return spec;
  }

  /** Metadata such as OpportunityStage is read once per cycle (or per run, or per call without either). */
  private startRun(ctx: SyncContext): void {
    // One cache per cycle (all its streams share the record counts and stage metadata), else per run.
    const key = ctx.cycleId ?? ctx.runId ?? null;
    if (key === null || key !== this.runCacheKey) this.runCache.clear();
    this.runCacheKey = key;
  }

  async checkAuth(): Promise<AuthStatus> {
    try {
      await this.ensureSession();
      const limits = await this.client.call<{ DailyApiRequests?: { Max: number; Remaining: number } }>({ method: 'GET', url: '/limits' }, { what: 'Salesforce limits', idempotent: true });
      const daily = limits.body?.DailyApiRequests;
      if (daily) await this.budgetGuard.observe({ dailyLimit: daily.Max, dailyRemaining: daily.Remaining });
      const who = this.conn.userInfo ? `org ${this.conn.userInfo.organizationId}, user ${this.conn.userInfo.id}` : this.conn.instanceUrl;
      return { ok: true, identity: who, ...(daily ? { message: `${daily.Remaining} of ${daily.Max} daily API calls left` } : {}) };
    } catch (err) {
      // An org may deny /limits (View Setup) yet accept the session: that is still a working connection.
      if (err instanceof SalesforceApiError && err.code.startsWith('INSUFFICIENT_ACCESS')) return { ok: true, identity: this.conn.instanceUrl, message: 'connected (no access to /limits)' };
      return { ok: false, message: err instanceof SalesforceAuthError || err instanceof SalesforceApiError ? err.message : `Salesforce: ${(err as Error).message}` };
    }
  }

  async syncStream(stream: string, ctx: SyncContext): Promise<StreamResult> {
    const spec = this.spec(stream);
    await this.ensureSession();
    this.startRun(ctx);
    return this.runner.run(spec, ctx);
  }

  async syncRecords(stream: string, externalIds: readonly string[], ctx: SyncContext): Promise<StreamResult> {
    const spec = this.spec(stream);
    await this.ensureSession();
    this.startRun(ctx);
    return this.runner.runIds(spec, externalIds, ctx);
  }

  async provision(options: { dryRun: boolean }): Promise<ProvisionReport> {
    await this.ensureSession();
    return provisionAccountFields({ client: this.client, logger: this.options.logger, fieldNames: this.fieldNames }, options.dryRun);
  }

  async readFields(externalIds: readonly string[]): Promise<Map<string, Partial<Record<WriteBackFieldName, LedgerValue>>>> {
    await this.ensureSession();
    return this.writer.read(externalIds);
  }

  async writeFields(updates: readonly FieldUpdate[]): Promise<RecordWriteResult[]> {
    await this.ensureSession();
    return this.writer.write(updates);
  }

  async createTasks(tasks: readonly TaskRequest[]): Promise<TaskResult[]> {
    await this.ensureSession();
    return this.taskCreator.create(tasks);
  }

  /** Field updates and task creates in the fewest calls: their collections share composite calls. */
  async writeBack(updates: readonly FieldUpdate[], tasks: readonly TaskRequest[]): Promise<WriteBackResult> {
    await this.ensureSession();
    return this.writeBackPath.write(updates, tasks);
  }

  budget(): Promise<BudgetStatus> {
    return this.budgetGuard.status();
  }

  async close(): Promise<void> {
    this.runCache.clear();
  }
}

export function createSalesforceConnector(options: SalesforceConnectorOptions): SalesforceConnector {
  return new SalesforceConnector(options);
}
