/**
 * Killing a worker process (SIGKILL) in the middle of a cycle and starting a new one ends with the
 * same CRM state and the same delivered alerts as an uninterrupted cycle: two sandboxes from the
 * same seed, one cycle each; the crashed one runs in `accountpulse worker` child processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/logger.js';
import { createConnectors } from '../../src/jobs/connectors.js';
import { createContext, type AppContext } from '../../src/jobs/context.js';
import { enqueueCycle, waitForIdle } from '../../src/jobs/cycle.js';
import { WorkerSet } from '../../src/jobs/workers.js';
import { startSandbox, type RunningSandboxPair } from '../../src/sandbox/index.js';
import { startReceiver, type DemoReceiver } from '../../src/commands/demo.js';

interface Side {
  sandbox: RunningSandboxPair;
  receiver: DemoReceiver;
  ctx: AppContext;
  redis: Redis;
  environ: Record<string, string>;
}

const sides: Side[] = [];
const children: ChildProcess[] = [];

async function side(): Promise<Side> {
  const sandbox = await startSandbox({ seed: 23, accounts: 150, bulkPageSize: 200 });
  const secret = randomBytes(16).toString('hex');
  const receiver = await startReceiver(secret);
  const environ: Record<string, string> = {
    REDIS_URL: process.env.REDIS_URL as string,
    ACCOUNTPULSE_PREFIX: `crash${randomUUID().slice(0, 6)}`,
    HUBSPOT_BASE_URL: sandbox.hubspot.url,
    HUBSPOT_ACCESS_TOKEN: sandbox.hubspot.token,
    SALESFORCE_INSTANCE_URL: sandbox.salesforce.url,
    SALESFORCE_ACCESS_TOKEN: sandbox.salesforce.token,
    ALERT_SIGNING_SECRET: secret,
    LOG_LEVEL: 'error',
    ACCOUNTPULSE__ALERTS__ALLOWPRIVATEURLS: 'true',
    ACCOUNTPULSE__ALERTS__ROUTES: JSON.stringify([{ name: 'leaders', type: 'webhook', url: receiver.url, match: {} }]),
    ACCOUNTPULSE__CHURN__COMPETITORS: JSON.stringify(sandbox.seedOrg.competitors),
    // A killed worker's jobs are picked up after seconds, not a minute.
    ACCOUNTPULSE__QUEUES__LOCKDURATION: '4s',
    ACCOUNTPULSE__QUEUES__STALLEDINTERVAL: '2s',
    ACCOUNTPULSE__QUEUES__BACKOFF: '200ms',
  };
  const loaded = loadConfig({ environ });
  const logger = createLogger({ level: 'silent' });
  const redis = new Redis(environ.REDIS_URL as string, { maxRetriesPerRequest: 3 });
  const ctx = createContext({ loaded, logger, redis, connectors: createConnectors(loaded, redis, logger, { bulkPageSize: 200 }), competitors: sandbox.seedOrg.competitors });
  for (const c of ctx.connectors.values()) await c.provision({ dryRun: false });
  const s = { sandbox, receiver, ctx, redis, environ };
  sides.push(s);
  return s;
}

function startWorkerProcess(environ: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'worker'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...environ },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', () => {});
  children.push(child);
  return child;
}

/** What each CRM shows for AccountPulse's fields on every account, plus the tasks created. */
async function crmState(s: Side): Promise<Record<string, unknown>> {
  const state: Record<string, unknown> = {};
  for (const [source, connector] of s.ctx.connectors) {
    const ids = (await s.ctx.store.records.allIds('account')).filter((id) => id.startsWith(`${source}:`)).map((id) => id.slice(source.length + 1)).sort();
    const values = await connector.readFields(ids);
    for (const id of ids) {
      const v = values.get(id) ?? {};
      state[`${source}:${id}`] = { score: v.churnRiskScore ?? null, band: v.churnRiskBand ?? null, trend: v.churnRiskTrend ?? null, top: v.crossSellTop ?? null };
    }
  }
  return state;
}

async function tasksCreated(s: Side): Promise<number> {
  let n = 0;
  for (const source of s.ctx.connectors.keys()) n += (await s.ctx.store.ledger.taskIds(source, await s.redis.hkeys(s.ctx.store.keys.ledgerTasks(source)))).size;
  return n;
}

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const s of sides) {
    await s.ctx.store.wipe();
    await s.ctx.queues.close();
    await s.ctx.store.close();
    s.redis.disconnect();
    await s.receiver.close();
    await s.sandbox.close();
  }
});

describe('a worker killed mid-cycle', () => {
  it('ends with the same CRM state and the same delivered alerts as an uninterrupted cycle', async () => {
    const clean = await side();
    const workers = new WorkerSet(clean.ctx);
    await workers.waitUntilReady();
    await enqueueCycle(clean.ctx, { full: true });
    expect(await waitForIdle(clean.ctx, { timeoutMs: 120_000, pollMs: 100 })).toBe(true);
    await workers.close(2_000);

    const crashed = await side();
    const first = startWorkerProcess(crashed.environ);
    await enqueueCycle(crashed.ctx, { full: true });
    // Kill it once part of the cycle is done and part is not.
    const deadline = Date.now() + 90_000;
    for (;;) {
      const runs = await crashed.ctx.store.runs.list(0, 200);
      if (runs.filter((r) => r.kind === 'sync' && r.status === 'succeeded').length >= 6) break;
      if (Date.now() > deadline) throw new Error('the first worker made no progress');
      await new Promise((r) => setTimeout(r, 50));
    }
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const killedWhilePending = await crashed.ctx.queues.pending();
    expect(killedWhilePending).toBeGreaterThan(0);

    const second = startWorkerProcess(crashed.environ);
    expect(await waitForIdle(crashed.ctx, { timeoutMs: 150_000, pollMs: 200 })).toBe(true);
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));

    expect(await crmState(crashed)).toEqual(await crmState(clean));
    expect(await tasksCreated(crashed)).toBe(await tasksCreated(clean));
    const delivered = (s: Side) => [...new Set(s.receiver.received.map((r) => r.title))].sort();
    expect(delivered(crashed)).toEqual(delivered(clean));
    // At least once with a stable id: a state may be re-sent only under the same delivery id.
    const byTitle = new Map<string, Set<string>>();
    for (const r of crashed.receiver.received) byTitle.set(r.title, (byTitle.get(r.title) ?? new Set()).add(r.deliveryId));
    expect([...byTitle.values()].every((ids) => ids.size === 1)).toBe(true);
    expect(crashed.receiver.received.every((r) => r.valid)).toBe(true);
  }, 300_000);
});
