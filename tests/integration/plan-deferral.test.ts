/** A CRM whose sync stopped (budget reserve) or failed: its accounts wait for complete data. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/logger.js';
import { createContext, type AppContext } from '../../src/jobs/context.js';
import { planScoring } from '../../src/jobs/planJob.js';
import type { SyncOutcome } from '../../src/jobs/syncJob.js';
import type { Account } from '../../src/domain/model.js';
import { accountRecord } from '../helpers/records.js';

let ctx: AppContext;
let redis: Redis;
beforeAll(async () => {
  redis = new Redis(process.env.REDIS_URL as string);
  ctx = createContext({ loaded: loadConfig({ environ: { REDIS_URL: process.env.REDIS_URL, ACCOUNTPULSE_PREFIX: `plan${randomUUID().slice(0, 6)}` } }), logger: createLogger({ level: 'silent' }), redis, connectors: new Map() });
  const acc = (id: string, domain: string): Account => accountRecord(id, { updatedAt: '2026-11-01T00:00:00.000Z', domain, createdAt: null });
  await ctx.store.records.upsert('account', [acc('hubspot:1', 'one.com'), acc('hubspot:2', 'both.com'), acc('salesforce:A', 'both.com'), acc('salesforce:B', 'bee.com')]);
});
afterAll(async () => {
  await ctx.store.wipe();
  await ctx.queues.close();
  await ctx.store.close();
  redis.disconnect();
});

const outcome = (source: 'hubspot' | 'salesforce', accountIds: string[], complete = true): SyncOutcome => ({ source, stream: 'accounts', accountIds, ownerIds: [], read: accountIds.length, changed: accountIds.length, deleted: 0, quarantined: 0, complete, stoppedReason: complete ? null : 'budget', calls: 1 });

describe('planScoring with an incomplete CRM sync', () => {
  it('before a CRM\'s first load completes, scores nobody (unification and portfolio unknown) and keeps them pending', async () => {
    const first = await planScoring(ctx, [outcome('hubspot', ['hubspot:1', 'hubspot:2']), outcome('salesforce', ['salesforce:A'], false)], false);
    expect(first.toScore).toEqual([]);
    expect(first.attainment).toBe(false);
    expect((await redis.smembers(`${ctx.store.keys.prefix}:pending-score`)).sort()).toEqual(['hubspot:1', 'hubspot:2', 'salesforce:A']);
    await redis.del(`${ctx.store.keys.prefix}:pending-score`);
  });

  it('once loaded: scores only accounts whose CRMs all finished, keeps the rest pending, and scores them once complete', async () => {
    await redis.sadd(`${ctx.store.keys.prefix}:loaded-sources`, 'hubspot', 'salesforce');
    const first = await planScoring(ctx, [outcome('hubspot', ['hubspot:1', 'hubspot:2']), outcome('salesforce', ['salesforce:A', 'salesforce:B'], false)], false);
    expect(first.toScore).toEqual(['hubspot:1']); // hubspot:2 is unified with salesforce:A
    expect(first.attainment).toBe(false);
    expect((await redis.smembers(`${ctx.store.keys.prefix}:pending-score`)).sort()).toEqual(['hubspot:2', 'salesforce:A', 'salesforce:B']);

    const failed = await planScoring(ctx, [outcome('hubspot', [])], false, { incompleteSources: ['salesforce'] });
    expect(failed.toScore).toEqual([]);

    // complete again: the deferred accounts, and hubspot:1 too — it was scored against a portfolio
    // (cross-sell base rates, peers) that lacked Salesforce's part
    const next = await planScoring(ctx, [outcome('hubspot', []), outcome('salesforce', [])], false);
    expect(next.toScore).toEqual(['hubspot:1', 'hubspot:2', 'salesforce:B']);
    expect(await redis.smembers(`${ctx.store.keys.prefix}:pending-score`)).toEqual([]);

    const quiet = await planScoring(ctx, [outcome('hubspot', []), outcome('salesforce', [])], false);
    expect(quiet.toScore).toEqual([]);
  });
});
