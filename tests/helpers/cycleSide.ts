/**
 * One "side" of a resilience comparison: a seeded sandbox pair (both CRMs), a signed alert
 * receiver and an AppContext on Redis under a prefix of its own. Two sides from the same seed, one
 * clean and one disturbed (faults, kills, a restarted Redis, a spent budget, expired tokens), must
 * end a cycle in the same state; `endState` is that state, ready for `toEqual`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/logger.js';
import { createConnectors } from '../../src/jobs/connectors.js';
import { createContext, type AppContext } from '../../src/jobs/context.js';
import { enqueueCycle, waitForIdle } from '../../src/jobs/cycle.js';
import { WorkerSet } from '../../src/jobs/workers.js';
import { recordKinds } from '../../src/domain/model.js';
import { startSandbox, type RunningSandboxPair, type SandboxOptions } from '../../src/sandbox/index.js';
import { startReceiver, type DemoReceiver } from '../../src/commands/demo.js';

export interface SideOptions {
  seed: number;
  accounts: number;
  /** extra sandbox options (faults, daily limits) */
  sandbox?: Partial<SandboxOptions>;
  /** extra environment for the product (config overrides, credentials), or a function of the started sandbox giving it */
  env?: Record<string, string> | ((sandbox: RunningSandboxPair) => Promise<Record<string, string>>);
  /** Redis URL (default: the test run's REDIS_URL) */
  redisUrl?: string;
}

export interface Side {
  sandbox: RunningSandboxPair;
  receiver: DemoReceiver;
  ctx: AppContext;
  redis: Redis;
  environ: Record<string, string>;
  close(): Promise<void>;
}

export async function startSide(options: SideOptions): Promise<Side> {
  const sandbox = await startSandbox({ seed: options.seed, accounts: options.accounts, bulkPageSize: 200, ...options.sandbox });
  const secret = randomBytes(16).toString('hex');
  const receiver = await startReceiver(secret);
  const redisUrl = options.redisUrl ?? process.env.REDIS_URL;
  if (!redisUrl) throw new Error('REDIS_URL is not set: run the tests through vitest (its global setup starts Redis)');
  const environ: Record<string, string> = {
    REDIS_URL: redisUrl,
    ACCOUNTPULSE_PREFIX: `res${randomUUID().slice(0, 6)}`,
    HUBSPOT_BASE_URL: sandbox.hubspot.url,
    HUBSPOT_ACCESS_TOKEN: sandbox.hubspot.token,
    SALESFORCE_INSTANCE_URL: sandbox.salesforce.url,
    SALESFORCE_ACCESS_TOKEN: sandbox.salesforce.token,
    ALERT_SIGNING_SECRET: secret,
    LOG_LEVEL: 'error',
    ACCOUNTPULSE__ALERTS__ALLOWPRIVATEURLS: 'true',
    ACCOUNTPULSE__ALERTS__ROUTES: JSON.stringify([{ name: 'leaders', type: 'webhook', url: receiver.url, match: {} }]),
    ACCOUNTPULSE__CHURN__COMPETITORS: JSON.stringify(sandbox.seedOrg.competitors),
    // the sandbox's search indexes at once: no need to leave the last 30 s for the next pass
    ACCOUNTPULSE__SYNC__SETTLE: '0s',
    // retries and stalled jobs come back in fractions of a second, not minutes
    ACCOUNTPULSE__QUEUES__LOCKDURATION: '4s',
    ACCOUNTPULSE__QUEUES__STALLEDINTERVAL: '2s',
    ACCOUNTPULSE__QUEUES__BACKOFF: '200ms',
    ...(typeof options.env === 'function' ? await options.env(sandbox) : options.env),
  };
  const loaded = loadConfig({ environ });
  const logger = createLogger({ level: 'silent' });
  // The test's own connection retries forever (like the workers'), so a Redis restart is survived.
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const ctx = createContext({ loaded, logger, redis, connectors: createConnectors(loaded, redis, logger, { bulkPageSize: 200 }), competitors: sandbox.seedOrg.competitors });
  for (const c of ctx.connectors.values()) await c.provision({ dryRun: false });
  return {
    sandbox,
    receiver,
    ctx,
    redis,
    environ,
    close: async () => {
      await ctx.store.wipe().catch(() => 0);
      await ctx.queues.close().catch(() => undefined);
      await ctx.store.close().catch(() => undefined);
      redis.disconnect();
      await receiver.close();
      await sandbox.close();
    },
  };
}

/** Runs one cycle in this process's workers and waits until every queue is idle. */
export async function runCycleInProcess(side: Side, options: { full?: boolean; timeoutMs?: number } = {}): Promise<string> {
  const workers = new WorkerSet(side.ctx);
  await workers.waitUntilReady();
  try {
    const cycleId = await enqueueCycle(side.ctx, { full: options.full ?? true });
    if (!(await waitForIdle(side.ctx, { timeoutMs: options.timeoutMs ?? 150_000, pollMs: 100 }))) throw new Error('the cycle did not finish in time');
    return cycleId;
  } finally {
    await workers.close(2_000);
  }
}

/** `accountpulse worker` in a child process (what a container runs), so it can be SIGKILLed. */
export function startWorkerProcess(environ: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'worker'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...environ },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', () => {});
  return child;
}

export async function killAndWait(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

/** Stable JSON: keys sorted, so two equal records compare equal whatever order they were built in. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, canonical(v)]));
  return value;
}

/**
 * Every stored record, per kind, by id and content. `volatile` names fields replaced by "(set)":
 * after a second cycle, records AccountPulse wrote to carry the CRM's modstamp of that write.
 */
export async function storeState(side: Side, volatile: readonly string[] = []): Promise<Record<string, Record<string, unknown>>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const kind of recordKinds) {
    const byId: Record<string, unknown> = {};
    for await (const page of side.ctx.store.records.scan(kind)) {
      for (const r of page) {
        const copy: Record<string, unknown> = { ...(r as Record<string, unknown>) };
        for (const field of volatile) if (copy[field] !== undefined && copy[field] !== null) copy[field] = '(set)';
        byId[(r as { id: string }).id] = canonical(copy);
      }
    }
    out[kind] = Object.fromEntries(Object.entries(byId).sort(([a], [b]) => a.localeCompare(b)));
  }
  return out;
}

/** What each CRM shows for AccountPulse's fields on every stored account, read back through the connectors. */
export async function crmState(side: Side): Promise<Record<string, unknown>> {
  const state: Record<string, unknown> = {};
  for (const [source, connector] of side.ctx.connectors) {
    const ids = (await side.ctx.store.records.allIds('account')).filter((id) => id.startsWith(`${source}:`)).map((id) => id.slice(source.length + 1)).sort();
    const values = await connector.readFields(ids);
    for (const id of ids) {
      const v: Record<string, unknown> = { ...(values.get(id) ?? {}) };
      // when it was scored differs between two runs by nature; that it was written does not
      if ('lastScoredAt' in v) v.lastScoredAt = v.lastScoredAt ? '(set)' : v.lastScoredAt;
      state[`${source}:${id}`] = canonical(v);
    }
  }
  return state;
}

/** The tasks the write-back created, as the ledger knows them (the keys that have a task id), per CRM. */
export async function taskState(side: Side): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const source of side.ctx.connectors.keys()) {
    const keys = (await side.redis.hkeys(side.ctx.store.keys.ledgerTasks(source))).sort();
    const ids = await side.ctx.store.ledger.taskIds(source, keys);
    // a task key carries when its alert opened, which differs between two runs by nature
    out[source] = keys.filter((k) => ids.has(k)).map((k) => k.replace(/\|\d{4}-\d\d-\d\dT[\d:.]+Z\|/, '|(opened)|')).sort();
  }
  return out;
}

/** Alerts in the store: key → state and title. */
export async function alertState(side: Side): Promise<Record<string, string>> {
  const all = await side.ctx.store.alerts.all();
  return Object.fromEntries(all.map((a) => [a.key, `${a.state}: ${a.title}`]).sort(([a], [b]) => (a as string).localeCompare(b as string)));
}

/** Delivered alerts: the distinct (event, title) pairs, and whether any was delivered under two ids. */
export function deliveredState(side: Side): { delivered: string[]; invalid: number; titlesWithSeveralIds: string[] } {
  const byTitle = new Map<string, Set<string>>();
  for (const r of side.receiver.received) byTitle.set(`${r.event}: ${r.title}`, (byTitle.get(`${r.event}: ${r.title}`) ?? new Set()).add(r.deliveryId));
  return {
    delivered: [...byTitle.keys()].sort(),
    invalid: side.receiver.received.filter((r) => !r.valid).length,
    titlesWithSeveralIds: [...byTitle].filter(([, ids]) => ids.size > 1).map(([t]) => t),
  };
}

export interface EndState {
  store: Record<string, Record<string, unknown>>;
  crm: Record<string, unknown>;
  tasks: Record<string, string[]>;
  alerts: Record<string, string>;
  delivered: ReturnType<typeof deliveredState>;
}

export async function endState(side: Side, options: { volatile?: readonly string[] } = {}): Promise<EndState> {
  return { store: await storeState(side, options.volatile), crm: await crmState(side), tasks: await taskState(side), alerts: await alertState(side), delivered: deliveredState(side) };
}

/** A side that ran one clean full cycle (kept in `sides` for closing), and its end state: what a disturbed run must end with. */
export async function cleanRun(options: SideOptions, sides: Side[]): Promise<{ clean: Side; expected: EndState }> {
  const clean = await startSide(options);
  sides.push(clean);
  await runCycleInProcess(clean);
  return { clean, expected: await endState(clean) };
}
