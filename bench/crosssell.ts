/**
 * Cross-sell throughput on synthetic ownership: 100,000 accounts × 12 product families.
 * Prints the time to read ownership from deals and line items, to build the model, and
 * recommendations per second. Figures only, never pass/fail.
 *
 *   tsx bench/crosssell.ts [--accounts 100000]
 */
import {
  CrossSellConfigSchema,
  buildCrossSellModel,
  crossSellFactsFromDeals,
  noCrossSellFeedback,
  recommendCrossSell,
} from '../src/domain/crosssell.js';
import type { Account, Deal, LineItem, Product } from '../src/domain/model.js';
import { mulberry32 } from '../src/domain/learn/random.js';

const accountsArg = process.argv.indexOf('--accounts');
const accountCount = accountsArg > 0 ? Number(process.argv[accountsArg + 1]) : 100_000;
const families = ['Analytics', 'Billing', 'Cloud', 'Data', 'Edge', 'Fraud', 'Growth', 'HR', 'Identity', 'Journeys', 'Kiosk', 'Ledger'];
const industries = ['Manufacturing', 'Retail', 'Finance', 'Healthcare', 'Software', 'Logistics', 'Energy', 'Education'];
const stamp = '2026-01-01T00:00:00.000Z';


/** Popularity falls with the family's position; owning the previous family doubles the chance. */
function synthesize(count: number) {
  const random = mulberry32(7);
  const products: Product[] = families.map((family, i) => ({
    id: `salesforce:P${i}`,
    source: 'salesforce',
    externalId: `P${i}`,
    updatedAt: stamp,
    name: `${family} Suite`,
    sku: null,
    family,
    price: 1000 * (i + 1),
    active: true,
  }));
  const accounts: Account[] = [];
  const deals: Deal[] = [];
  const lineItems: LineItem[] = [];
  for (let a = 0; a < count; a++) {
    const id = `salesforce:A${a}`;
    accounts.push({
      id,
      source: 'salesforce',
      externalId: `A${a}`,
      updatedAt: stamp,
      name: `Account ${a}`,
      domain: null,
      industry: industries[Math.floor(random() * industries.length)]!,
      employees: Math.floor(10 ** (1 + random() * 3.5)),
      annualRevenue: null,
      ownerId: null,
      parentId: null,
      renewalDate: null,
      churned: null,
      createdAt: null,
      fields: {},
    });
    let ownedPrevious = false;
    families.forEach((_, i) => {
      const p = Math.min(0.95, (0.6 / (1 + i * 0.4)) * (ownedPrevious ? 2 : 1));
      ownedPrevious = random() < p;
      if (!ownedPrevious && !(i === 0 && random() < 0.2)) return;
      const open = random() < 0.1;
      const dealId = `salesforce:D${a}-${i}`;
      deals.push({
        id: dealId,
        source: 'salesforce',
        externalId: `D${a}-${i}`,
        updatedAt: stamp,
        name: dealId,
        accountId: id,
        ownerId: null,
        amount: null,
        currency: null,
        status: open ? 'open' : 'won',
        stage: 'x',
        stageId: 'x',
        pipeline: null,
        probability: null,
        forecastCategory: open ? 'pipeline' : 'closed',
        closeDate: open ? null : '2025-06-30',
        type: null,
        createdAt: null,
      });
      lineItems.push({
        id: `salesforce:L${a}-${i}`,
        source: 'salesforce',
        externalId: `L${a}-${i}`,
        updatedAt: stamp,
        dealId,
        productId: products[i]!.id,
        name: products[i]!.name,
        quantity: 1,
        unitPrice: null,
        amount: Math.round(500 + random() * 5000),
      });
    });
  }
  return { products, accounts, deals, lineItems };
}

/** Wall and CPU milliseconds since `start`: CPU time is the steadier figure on a shared machine. */
interface Mark {
  wall: bigint;
  cpu: NodeJS.CpuUsage;
}
function mark(): Mark {
  return { wall: process.hrtime.bigint(), cpu: process.cpuUsage() };
}
function since(start: Mark): { wall: number; cpu: number } {
  const cpu = process.cpuUsage(start.cpu);
  return { wall: Number(process.hrtime.bigint() - start.wall) / 1e6, cpu: (cpu.user + cpu.system) / 1000 };
}
const fmt = (t: { wall: number; cpu: number }) => `${t.wall.toFixed(0)} ms wall, ${t.cpu.toFixed(0)} ms CPU`;

const data = synthesize(accountCount);
const config = CrossSellConfigSchema.parse({});
let start = mark();
const facts = crossSellFactsFromDeals(data.deals, data.lineItems, data.products);
const factsMs = since(start);
start = mark();
const model = buildCrossSellModel(facts.ownership, data.accounts, {
  asOf: '2026-11-28',
  config,
  inPipeline: facts.inPipeline,
  items: facts.items,
});
const buildMs = since(start);

start = mark();
let published = 0;
for (const account of data.accounts) {
  const owned = facts.ownership.get(account.id)?.keys() ?? [];
  published += recommendCrossSell(model, account.id, owned, account, noCrossSellFeedback, config).length;
}
const recommendMs = since(start);
const owned = [...facts.ownership.values()].reduce((sum, m) => sum + m.size, 0);

console.log(`cross-sell bench: ${accountCount.toLocaleString('en-US')} accounts × ${families.length} families`);
console.log(`  ${data.deals.length.toLocaleString('en-US')} deals, ${data.lineItems.length.toLocaleString('en-US')} line items, ${owned.toLocaleString('en-US')} owned cells, ${facts.ownership.size.toLocaleString('en-US')} customers`);
const perSecond = (t: { wall: number; cpu: number }) =>
  `${Math.round(accountCount / (t.wall / 1000)).toLocaleString('en-US')} accounts/s wall, ${Math.round(accountCount / (t.cpu / 1000)).toLocaleString('en-US')} per CPU-second`;
console.log(`  ownership from deals:  ${fmt(factsMs)}`);
console.log(`  model build:           ${fmt(buildMs)} (${model.segments.size} segments)`);
console.log(`  recommendations:       ${fmt(recommendMs)} = ${perSecond(recommendMs)}`);
console.log(`                         ${published.toLocaleString('en-US')} opportunities published`);
console.log(`  heap used:             ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
