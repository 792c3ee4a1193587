import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/logger.js';
import { createContext, type AppContext } from '../../src/jobs/context.js';
import { Scheduler } from '../../src/jobs/scheduler.js';
import { sendWeeklyDigest } from '../../src/jobs/digestJob.js';
import { buildDigest, isoWeek } from '../../src/domain/digest.js';
import type { ChurnRisk } from '../../src/domain/insights.js';

let ctx: AppContext;
let redis: Redis;
beforeAll(async () => {
  const loaded = loadConfig({
    environ: {
      REDIS_URL: process.env.REDIS_URL,
      ACCOUNTPULSE_PREFIX: `sch${randomUUID().slice(0, 6)}`,
      ACCOUNTPULSE__SYNC__INCREMENTALEVERY: '7m',
      ACCOUNTPULSE__ALERTS__ROUTES: JSON.stringify([{ name: 'all', type: 'slack', url: 'https://hooks.example/x', match: {} }, { name: 'critical-only', type: 'webhook', url: 'https://x.example', match: { minSeverity: 'critical' } }]),
    },
  });
  redis = new Redis(process.env.REDIS_URL as string);
  ctx = createContext({ loaded, logger: createLogger({ level: 'silent' }), redis, connectors: new Map(), now: () => new Date('2026-11-23T07:00:00.000Z') });
});
afterAll(async () => {
  await ctx.store.wipe();
  await ctx.queues.close();
  await ctx.store.close();
  redis.disconnect();
});

describe('scheduler', () => {
  it('installs the incremental, reconcile, digest and churn-model schedules from the configuration, idempotently', async () => {
    const s = new Scheduler(ctx);
    await s.install();
    await s.install();
    const list = (await s.list()).sort((a, b) => a.id.localeCompare(b.id));
    expect(list.map((x) => [x.id, x.every, x.pattern])).toEqual([
      ['churn-model', null, '30 4 * * *'],
      ['digest', null, '0 7 * * 1'],
      ['incremental', 420_000, null],
      ['reconcile', null, '0 2 * * *'],
    ]);
    await s.close();
  });
});

describe('weekly digest', () => {
  it('isoWeek follows ISO 8601 (weeks start Monday; week 1 holds the first Thursday)', () => {
    expect(isoWeek('2026-11-23T07:00:00Z')).toBe('2026-W48');
    expect(isoWeek('2027-01-01T00:00:00Z')).toBe('2026-W53');
    expect(isoWeek('2026-01-01T00:00:00Z')).toBe('2026-W01');
  });

  it('is stored once per week and delivered to the routes that take it', async () => {
    const risk: ChurnRisk = { accountId: 'hubspot:1', score: 88, band: 'red', previous: null, previousBand: null, trend: 'new', completeness: 1, model: 'rules', probability: null, scoredAt: 't', configVersion: 'c', drivers: [{ signal: 's', risk: 100, points: 40, text: 'No activity for 90 days', records: [] }] };
    await ctx.store.insights.putChurn([risk]);
    const first = await sendWeeklyDigest(ctx);
    expect(first).toEqual({ key: 'digest|team:org|week:2026-W48', deliveries: 1, alreadySent: false });
    expect(await sendWeeklyDigest(ctx)).toEqual({ key: 'digest|team:org|week:2026-W48', deliveries: 0, alreadySent: true });
    const stored = (await ctx.store.alerts.get([first.key])).get(first.key);
    expect(stored?.details).toContain('Risk 88 hubspot:1: No activity for 90 days');
    expect(await ctx.store.alerts.open()).toEqual([]);
    expect(await ctx.queues.queues.deliver.count()).toBe(1);
  });

  it('summarises open alerts by type', () => {
    const d = buildDigest({ now: '2026-11-23T07:00:00.000Z', openAlerts: [], riskiest: [], crossSell: [], org: null });
    expect(d.title).toBe('Weekly digest 2026-W48: 0 red accounts, 0 renewals at risk, 0 reps behind pace');
    expect(d.state).toBe('resolved');
  });
});
