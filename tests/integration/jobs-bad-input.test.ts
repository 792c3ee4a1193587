/**
 * Bad input fails in isolation: a poisoned job payload fails once with its reason (not retried)
 * while other jobs go on; an alert route to an unreachable URL fails its deliveries and no other.
 */
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { QueueEvents } from 'bullmq';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/logger.js';
import { createContext, type AppContext } from '../../src/jobs/context.js';
import { WorkerSet } from '../../src/jobs/workers.js';
import type { Alert } from '../../src/domain/insights.js';

let ctx: AppContext;
let redis: Redis;
let workers: WorkerSet;
const received: string[] = [];
const server = createServer((req, res) => {
  received.push(req.headers['x-accountpulse-delivery'] as string);
  res.writeHead(200).end();
});

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const loaded = loadConfig({
    environ: {
      REDIS_URL: process.env.REDIS_URL,
      ACCOUNTPULSE_PREFIX: `bad${randomUUID().slice(0, 6)}`,
      ACCOUNTPULSE__ALERTS__ALLOWPRIVATEURLS: 'true',
      ACCOUNTPULSE__ALERTS__DELIVERYTIMEOUT: '1s',
      ACCOUNTPULSE__QUEUES__BACKOFF: '100ms',
      ACCOUNTPULSE__ALERTS__ROUTES: JSON.stringify([
        { name: 'good', type: 'webhook', url: `http://127.0.0.1:${port}/ok`, match: {} },
        { name: 'unreachable', type: 'webhook', url: 'http://127.0.0.1:9/nothing-listens-here', match: {} },
        { name: 'ftp', type: 'webhook', url: 'ftp://example.com/x', match: {} },
      ]),
    },
  });
  redis = new Redis(process.env.REDIS_URL as string);
  ctx = createContext({ loaded, logger: createLogger({ level: 'silent' }), redis, connectors: new Map() });
  workers = new WorkerSet(ctx, { queues: ['score', 'deliver'] });
  await workers.waitUntilReady();
});

afterAll(async () => {
  await workers.close(2_000);
  await ctx.store.wipe();
  await ctx.queues.close();
  await ctx.store.close();
  redis.disconnect();
  server.close();
});

describe('bad input in the pipeline', () => {
  it('a poisoned payload fails once with its reason; a good job next to it completes', async () => {
    const events = new QueueEvents('score', { connection: ctx.connection, prefix: ctx.queues.bullPrefix });
    await events.waitUntilReady();
    const bad = await ctx.queues.queues.score.add('score', { cycleId: 42, accountIds: 'all' });
    const good = await ctx.queues.queues.score.add('score', { cycleId: 'c1', accountIds: [] });
    await expect(bad.waitUntilFinished(events, 20_000)).rejects.toThrow(/malformed payload \(cycleId: .*; accountIds: .*\); not retried/);
    await expect(good.waitUntilFinished(events, 20_000)).resolves.toEqual({ accountIds: [] });
    const failed = await ctx.queues.queues.score.getJob(bad.id as string);
    expect(failed?.attemptsMade).toBe(1);
    await events.close();
  });

  it('an unreachable route and a refused URL fail their own deliveries; the good route gets the alert once', async () => {
    const alert: Alert = {
      key: 'churn_band_rose|account:hubspot:1|band:red', type: 'churn_band_rose', severity: 'critical', subject: { kind: 'account', id: 'hubspot:1', name: 'Acme' }, reason: 'band:red',
      state: 'open', title: 'Acme: churn risk 80 (red)', details: [], records: [], ownerId: null, teamId: null, openedAt: '2026-11-20T00:00:00.000Z', updatedAt: '2026-11-20T00:00:00.000Z', resolvedAt: null, version: 1,
    };
    await ctx.store.alerts.put([alert]);
    const events = new QueueEvents('deliver', { connection: ctx.connection, prefix: ctx.queues.bullPrefix });
    await events.waitUntilReady();
    const jobs = await Promise.all(['good', 'unreachable', 'ftp'].map((route) => ctx.queues.queues.deliver.add('deliver', { alertKey: alert.key, version: 1, route }, { attempts: 2, backoff: { type: 'fixed', delay: 100 } })));
    await expect(jobs[0]?.waitUntilFinished(events, 20_000)).resolves.toEqual({ status: 'delivered' });
    await expect(jobs[1]?.waitUntilFinished(events, 20_000)).rejects.toThrow(/route unreachable: /);
    await expect(jobs[2]?.waitUntilFinished(events, 20_000)).rejects.toThrow('route ftp: alert URL must be http(s), got ftp:');
    expect(received).toHaveLength(1);
    const log = await ctx.store.deliveries.all();
    expect(log.map((d) => [d.route, d.status]).sort()).toEqual([['ftp', 'failed'], ['good', 'delivered'], ['unreachable', 'failed']]);
    expect((await ctx.queues.queues.deliver.getJob(jobs[2]?.id as string))?.attemptsMade).toBe(1);
    await events.close();
  });
});
