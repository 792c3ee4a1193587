/**
 * Scoring cost at scale, through the real store and the real score/attainment stages (issue 6):
 * an org of N accounts with 10 deals and 50 activities each (folded aggregates written directly,
 * since folding is the sync's cost, not scoring's), then
 *   - rescoring the 100 accounts a sync changed (the incremental case),
 *   - scoring every account in batches of 500 (the nightly full case),
 *   - attainment for the current quarter and month over all deals,
 * each beside the time the HubSpot API minimum alone needs to read the same org at 190 calls/10 s.
 *
 * Run: tsx scripts/with-redis.ts -- tsx bench/scoring.ts [--accounts 10000]
 * Prints figures and writes bench/results/scoring.json. Not a pass/fail test.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config/load.js';
import { createLogger } from '../src/logger.js';
import { createContext } from '../src/jobs/context.js';
import { scoreAccounts } from '../src/jobs/scoreJob.js';
import { computeAllAttainment } from '../src/jobs/attainmentJob.js';
import { refreshUnification } from '../src/jobs/planJob.js';
import { emptyAggregate, weekStart, type ActivityAggregate } from '../src/domain/activity.js';
import type { Account, Deal, LineItem, Owner, Product, Quota, Ticket } from '../src/domain/model.js';
import { mulberry32 } from '../src/sandbox/common/faults.js';

const { values } = parseArgs({ options: { accounts: { type: 'string', default: '10000' } } });
const N = Number(values.accounts);
const DEALS_PER_ACCOUNT = 10;
const ACTIVITIES_PER_ACCOUNT = 50;
const rand = mulberry32(7);
const now = new Date();
const iso = (daysAgo: number) => new Date(now.getTime() - daysAgo * 86_400_000).toISOString();
const day = (daysAgo: number) => iso(daysAgo).slice(0, 10);

const redis = new Redis(process.env.REDIS_URL as string);
const loaded = loadConfig({ environ: { REDIS_URL: process.env.REDIS_URL, ACCOUNTPULSE_PREFIX: `benchscore${process.pid}` } });
const ctx = createContext({ loaded, logger: createLogger({ level: 'silent' }), redis, connectors: new Map() });
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);

async function seed(): Promise<void> {
  const owners: Owner[] = Array.from({ length: Math.max(5, Math.ceil(N / 60)) }, (_, i) => ({
    id: `hubspot:o${i}`, source: 'hubspot', externalId: `o${i}`, updatedAt: iso(1), name: `Rep ${i}`, email: `rep${i}@example.com`, managerId: i === 0 ? null : `hubspot:o${i % 5 === 0 ? 0 : Math.floor(i / 5) * 5}`, teamId: null, teamName: null, active: true,
  }));
  await ctx.store.records.upsert('owner', owners);
  const quarterStart = new Date(Date.UTC(now.getUTCFullYear(), Math.floor(now.getUTCMonth() / 3) * 3, 1)).toISOString().slice(0, 10);
  const quarterEnd = new Date(Date.UTC(now.getUTCFullYear(), Math.floor(now.getUTCMonth() / 3) * 3 + 3, 0)).toISOString().slice(0, 10);
  await ctx.store.records.upsert('quota', owners.map((o): Quota => ({ id: `hubspot:q-${o.externalId}`, source: 'hubspot', externalId: `q-${o.externalId}`, updatedAt: iso(1), ownerId: o.id, periodStart: quarterStart, periodEnd: quarterEnd, amount: 300_000, currency: 'USD' })));
  const families = ['Core', 'Analytics', 'Integrations', 'Security', 'Support'];
  const products: Product[] = families.flatMap((f, i) => [0, 1].map((j): Product => ({ id: `hubspot:p${i}${j}`, source: 'hubspot', externalId: `p${i}${j}`, updatedAt: iso(1), name: `${f} ${j}`, sku: null, family: f, price: 5000 + 1000 * i, active: true })));
  await ctx.store.records.upsert('product', products);

  for (let start = 0; start < N; start += 1000) {
    const accounts: Account[] = [];
    const deals: Deal[] = [];
    const lineItems: LineItem[] = [];
    const tickets: Ticket[] = [];
    const pipe = redis.pipeline();
    for (let a = start; a < Math.min(N, start + 1000); a++) {
      const id = `hubspot:a${a}`;
      const owner = owners[a % owners.length] as Owner;
      accounts.push({ id, source: 'hubspot', externalId: `a${a}`, updatedAt: iso(2), name: `Account ${a}`, domain: `a${a}.example.com`, industry: ['Software', 'Retail', 'Finance'][a % 3] as string, employees: 50 + (a % 2000), annualRevenue: null, ownerId: owner.id, parentId: null, renewalDate: day(-((a % 300) - 30)), churned: null, createdAt: iso(900), fields: {} });
      for (let d = 0; d < DEALS_PER_ACCOUNT; d++) {
        const won = rand() < 0.5;
        const open = !won && rand() < 0.4;
        const dealId = `hubspot:d${a}-${d}`;
        deals.push({ id: dealId, source: 'hubspot', externalId: `d${a}-${d}`, updatedAt: iso(3), name: `Deal ${a}-${d}`, accountId: id, ownerId: owner.id, amount: 2000 + Math.round(rand() * 30000), currency: 'USD', status: open ? 'open' : won ? 'won' : 'lost', stage: open ? 'proposal' : won ? 'closedwon' : 'closedlost', stageId: open ? 'presentationscheduled' : won ? 'closedwon' : 'closedlost', pipeline: 'default', probability: open ? 0.6 : won ? 1 : 0, forecastCategory: open ? 'best_case' : won ? 'closed' : 'omitted', closeDate: open ? day(-Math.round(rand() * 60)) : day(Math.round(rand() * 700)), type: d === 0 ? 'renewal' : 'new', createdAt: iso(720) });
        if (won) lineItems.push({ id: `hubspot:li${a}-${d}`, source: 'hubspot', externalId: `li${a}-${d}`, updatedAt: iso(3), dealId, productId: (products[(a + d) % products.length] as Product).id, name: 'item', quantity: 1, unitPrice: 5000, amount: 5000 });
      }
      if (a % 4 === 0) tickets.push({ id: `hubspot:t${a}`, source: 'hubspot', externalId: `t${a}`, updatedAt: iso(5), accountId: id, subject: 'Issue', priority: a % 8 === 0 ? 'urgent' : 'medium', status: 'open', escalated: a % 16 === 0, createdAt: iso(10), closedAt: null });
      const agg: ActivityAggregate = emptyAggregate(id);
      const decline = a % 8 === 0 ? 0.2 : 1;
      for (let k = 0; k < ACTIVITIES_PER_ACCOUNT; k++) {
        const daysAgo = Math.floor(rand() * 360);
        if (daysAgo < 90 && rand() > decline) continue;
        const w = weekStart(iso(daysAgo));
        const bucket = ['call:outbound', 'email:inbound', 'email:outbound', 'meeting:none', 'note:none'][k % 5] as string;
        const counts = (agg.weeks[w] ??= {});
        counts[bucket] = (counts[bucket] ?? 0) + 1;
        agg.total += 1;
        const type = bucket.split(':')[0] as ActivityAggregate['recent'][number]['type'];
        const ref = { id: `hubspot:act${a}-${k}`, type, at: iso(daysAgo), subject: 'touch' };
        const last = agg.lastTouch[type];
        if (!last || last.at < ref.at) agg.lastTouch[type] = ref;
      }
      pipe.set(ctx.store.keys.activityAggregate(id), JSON.stringify(agg));
    }
    await pipe.exec();
    await ctx.store.records.upsert('account', accounts);
    await ctx.store.records.upsert('deal', deals);
    await ctx.store.records.upsert('lineItem', lineItems);
    await ctx.store.records.upsert('ticket', tickets);
  }
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: Math.round(performance.now() - t), value };
}

const seedT = await timed(seed);
const unifyT = await timed(() => refreshUnification(ctx));
const ids = (await ctx.store.unified.allUnifiedIds()).sort();
const cycle = 'bench-cycle';
// The first batch of a cycle builds the cross-sell model (all accounts' line items): timed apart.
const modelT = await timed(() => scoreAccounts(ctx, cycle, ids.slice(0, 1), { persist: true }));
const incremental = await timed(() => scoreAccounts(ctx, cycle, ids.slice(1, 101), { persist: true }));
const full = await timed(async () => {
  for (let i = 0; i < ids.length; i += 500) await scoreAccounts(ctx, cycle, ids.slice(i, i + 500), { persist: true });
});
const attainment = await timed(() => computeAllAttainment(ctx, { persist: true }));
clearInterval(sampler);

// HubSpot's API minimum to read this org: ⌈n/100⌉ list calls per object at 190 calls / 10 s.
const hubspotCalls = [N, N * DEALS_PER_ACCOUNT, N * ACTIVITIES_PER_ACCOUNT, N * 3 /* contacts */, Math.ceil(N / 4), N * DEALS_PER_ACCOUNT * 0.5].reduce((n, c) => n + Math.ceil(c / 100), 0);
const syncSeconds = hubspotCalls / 19;
const result = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
  accounts: N,
  deals: N * DEALS_PER_ACCOUNT,
  activitiesFolded: N * ACTIVITIES_PER_ACCOUNT,
  seedMs: seedT.ms,
  unifyMs: unifyT.ms,
  crossSellModelBuildMs: modelT.ms,
  rescore100Ms: incremental.ms,
  scoreAllMs: full.ms,
  scoreAllPerAccountMs: Number((full.ms / N).toFixed(3)),
  attainmentMs: attainment.ms,
  attainmentRows: attainment.value.rows.length,
  hubspotMinimumReadCalls: hubspotCalls,
  hubspotMinimumReadSeconds: Math.round(syncSeconds),
  scoringShareOfSync: Number(((modelT.ms + full.ms + attainment.ms + unifyT.ms) / 1000 / syncSeconds).toFixed(4)),
  peakRssMb: Math.round(peakRss / 2 ** 20),
};
console.log(`accounts ${N}, deals ${result.deals}, activities ${result.activitiesFolded} (folded)`);
console.log(`rescore 100 changed accounts: ${incremental.ms} ms`);
console.log(`score all: ${full.ms} ms (${result.scoreAllPerAccountMs} ms/account), cross-sell model build ${modelT.ms} ms, unification ${unifyT.ms} ms`);
console.log(`attainment (quarter + month, ${result.attainmentRows} rows over ${result.deals} deals): ${attainment.ms} ms`);
console.log(`HubSpot API minimum to read this org: ${hubspotCalls} calls ≈ ${result.hubspotMinimumReadSeconds} s at 190/10 s; scoring is ${(result.scoringShareOfSync * 100).toFixed(1)}% of that`);
console.log(`peak RSS ${result.peakRssMb} MB`);
mkdirSync('bench/results', { recursive: true });
writeFileSync(`bench/results/scoring-${N}.json`, `${JSON.stringify(result, null, 2)}\n`);
await ctx.store.wipe();
await ctx.queues.close();
await ctx.store.close();
redis.disconnect();
