/** Cross-sell feedback the CRM gives: a published opportunity that enters the pipeline counts as accepted. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { buildCycleModel } from '../../src/jobs/crossSellModel.js';
import { analyticsSettings } from '../../src/jobs/settings.js';
import { loadConfig } from '../../src/config/load.js';
import type { Store } from '../../src/store/index.js';
import type { Account, Deal, LineItem, Product } from '../../src/domain/model.js';
import { testStore } from '../helpers/redis.js';

let store: Store;
let cleanup: () => Promise<void>;
let redis: Redis;
beforeAll(async () => {
  ({ store, cleanup, redis } = await testStore());
});
afterAll(async () => cleanup());

const t = '2026-11-01T00:00:00.000Z';
const account = (id: string): Account => ({ id, source: 'hubspot', externalId: id.slice(8), updatedAt: t, name: id, domain: null, industry: 'Software', employees: 100, annualRevenue: null, ownerId: null, parentId: null, renewalDate: null, churned: null, createdAt: t, fields: {} });
const product = (id: string, family: string): Product => ({ id, source: 'hubspot', externalId: id.slice(8), updatedAt: t, name: family, sku: null, family, price: 1000, active: true });
const deal = (id: string, accountId: string, status: Deal['status']): Deal => ({ id, source: 'hubspot', externalId: id.slice(8), updatedAt: t, name: id, accountId, ownerId: null, amount: 1000, currency: 'USD', status, stage: status, stageId: status, pipeline: null, probability: null, forecastCategory: status === 'open' ? 'pipeline' : 'closed', closeDate: '2026-10-01', type: 'new', createdAt: t });
const line = (id: string, dealId: string, productId: string): LineItem => ({ id, source: 'hubspot', externalId: id.slice(8), updatedAt: t, dealId, productId, name: 'x', quantity: 1, unitPrice: 1000, amount: 1000 });

describe('derived cross-sell feedback', () => {
  it('an opportunity that shows up as an open deal is recorded as accepted, once', async () => {
    await store.records.upsert('account', [account('hubspot:a1'), account('hubspot:a2')]);
    await store.records.upsert('product', [product('hubspot:p1', 'Core'), product('hubspot:p2', 'Analytics')]);
    await store.records.upsert('deal', [deal('hubspot:d1', 'hubspot:a1', 'won'), deal('hubspot:d2', 'hubspot:a1', 'open'), deal('hubspot:d3', 'hubspot:a2', 'won')]);
    await store.records.upsert('lineItem', [line('hubspot:l1', 'hubspot:d1', 'hubspot:p1'), line('hubspot:l2', 'hubspot:d2', 'hubspot:p2'), line('hubspot:l3', 'hubspot:d3', 'hubspot:p1')]);
    await store.insights.putCrossSell(new Map([
      ['hubspot:a1', [{ accountId: 'hubspot:a1', product: 'Analytics', productId: null, score: 0.7, evidence: [], estimatedValue: null, rule: null, peerPenetration: null }]],
      ['hubspot:a2', [{ accountId: 'hubspot:a2', product: 'Analytics', productId: null, score: 0.7, evidence: [], estimatedValue: null, rule: null, peerPenetration: null }]],
    ]));
    const settings = analyticsSettings(loadConfig({ environ: {} }).config);
    const model = await buildCycleModel(store, settings, '2026-11-20');
    expect(model.feedback.accepted).toBe(1);
    expect(await store.insights.feedback()).toEqual([{ accountId: 'hubspot:a1', item: 'Analytics', outcome: 'accepted', via: 'deal_created', at: '2026-11-20', recordId: null }]);
    await buildCycleModel(store, settings, '2026-11-21');
    expect(await store.insights.feedback()).toHaveLength(1);
    expect(redis.status).toBe('ready');
  });
});
