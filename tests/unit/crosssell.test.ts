/**
 * Cross-sell: ownership from CRM records, the model, scores, evidence, exclusions and feedback.
 *
 * Fixture: ten customer accounts owning product families Analytics (A), Billing (B), Cloud (C)
 * and Data (D), built from won deals and line items.
 *
 *   acct-01..03  A B C   Manufacturing, 100/100/120 employees
 *   acct-04      A B     Manufacturing, 150 employees (the account under test)
 *   acct-05, 07  A D     Retail, 30
 *   acct-06      B D     Retail, 30
 *   acct-08      D       Retail, 40
 *   acct-09      C       Retail, 40
 *   acct-10      A B D   Manufacturing, 60
 *
 * Counts (N = 10): A 7, B 6, C 4, D 5; AB 5, AC 3, BC 3, AD 3, BD 2, CD 0; ABC 3, ABD 1.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CrossSellConfigSchema,
  CrossSellFactsBuilder,
  CrossSellFeedbackEventSchema,
  acceptanceFactor,
  buildCrossSellFeedback,
  buildCrossSellModel,
  crossSellFactsFromDeals,
  noCrossSellFeedback,
  ownershipFromDeals,
  recommendCrossSell,
  scoreWhiteSpace,
  type CrossSellConfig,
  type CrossSellFeedback,
} from '../../src/domain/crosssell.js';
import type { Account, Deal, LineItem, Product } from '../../src/domain/model.js';
import { accountRecord } from '../helpers/records.js';

const stamp = '2026-01-01T00:00:00.000Z';

function product(id: string, name: string, family: string | null, price: number | null, active = true): Product {
  return { id: `salesforce:${id}`, source: 'salesforce', externalId: id, updatedAt: stamp, name, sku: null, family, price, active };
}

function deal(id: string, accountId: string | null, status: Deal['status'], closeDate: string | null): Deal {
  return {
    id: `salesforce:${id}`,
    source: 'salesforce',
    externalId: id,
    updatedAt: stamp,
    name: id,
    accountId,
    ownerId: null,
    amount: null,
    currency: null,
    status,
    stage: status,
    stageId: status,
    pipeline: null,
    probability: null,
    forecastCategory: status === 'won' ? 'closed' : status === 'lost' ? 'omitted' : 'pipeline',
    closeDate,
    type: null,
    createdAt: null,
  };
}

function lineItem(
  id: string,
  dealId: string,
  productId: string | null,
  amount: number | null,
  name = 'line',
  unitPrice: number | null = null,
  quantity = 1,
): LineItem {
  return {
    id: `salesforce:${id}`,
    source: 'salesforce',
    externalId: id,
    updatedAt: stamp,
    dealId: `salesforce:${dealId}`,
    productId: productId ? `salesforce:${productId}` : null,
    name,
    quantity,
    unitPrice,
    amount,
  };
}

function account(id: string, industry: string | null, employees: number | null): Account {
  return accountRecord(id, { updatedAt: stamp, industry, employees, createdAt: null });
}

const products: Product[] = [
  product('P-A1', 'Analytics Pro', 'Analytics', 900),
  product('P-A2', 'Analytics Lite', 'Analytics', 300),
  product('P-B', 'Billing', 'Billing', 400),
  product('P-C', 'Cloud Backup', 'Cloud', 800),
  product('P-D', 'Data Export', 'Data', 500),
];

const productOf: Record<string, string> = { A: 'P-A1', B: 'P-B', C: 'P-C', D: 'P-D' };

const owned: Array<[string, string, string, number]> = [
  ['acct-01', 'ABC', 'Manufacturing', 100],
  ['acct-02', 'ABC', 'Manufacturing', 100],
  ['acct-03', 'ABC', 'Manufacturing', 120],
  ['acct-04', 'AB', 'Manufacturing', 150],
  ['acct-05', 'AD', 'Retail', 30],
  ['acct-06', 'BD', 'Retail', 30],
  ['acct-07', 'AD', 'Retail', 30],
  ['acct-08', 'D', 'Retail', 40],
  ['acct-09', 'C', 'Retail', 40],
  ['acct-10', 'ABD', 'Manufacturing', 60],
];

const accounts: Account[] = owned.map(([id, , industry, employees]) => account(id, industry, employees));

/** Cloud's won amounts per deal: acct-01 1,000 + 200 on one deal, acct-02 1,000, acct-03 3,000, acct-09 700 → median 1,100. */
const cloudAmounts: Record<string, number[]> = { 'acct-01': [1000, 200], 'acct-02': [1000], 'acct-03': [3000] };

function crmRecords(): { deals: Deal[]; lineItems: LineItem[] } {
  const deals: Deal[] = [];
  const lineItems: LineItem[] = [];
  for (const [accountId, letters] of owned) {
    const dealId = `D-${accountId}`;
    deals.push(deal(dealId, accountId, 'won', '2025-06-30'));
    for (const letter of letters) {
      if (letter === 'C') {
        (cloudAmounts[accountId] ?? [700]).forEach((amount, n) =>
          lineItems.push(lineItem(`L-${accountId}-C${n}`, dealId, productOf.C!, amount)),
        );
      } else if (letter === 'D') {
        // No amount and no unit price: Data's value falls back to its list price.
        lineItems.push(lineItem(`L-${accountId}-D`, dealId, productOf.D!, null));
      } else {
        lineItems.push(lineItem(`L-${accountId}-${letter}`, dealId, productOf[letter]!, 100));
      }
    }
  }
  return { deals, lineItems };
}

// ---------------------------------------------------------------------------------------------

const asOf = '2026-11-28';
/** small numbers so every figure below can be checked by hand */
const exact = CrossSellConfigSchema.parse({
  shrinkage: 2,
  minCoCount: 2,
  popularityWeight: 0.25,
  minRuleSupport: 0.1,
  peerSegment: { minPeers: 3 },
  minScore: 0,
});
const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

function setup(config: CrossSellConfig = exact, extra: { deals?: Deal[]; lineItems?: LineItem[]; products?: Product[] } = {}) {
  const crm = crmRecords();
  const facts = crossSellFactsFromDeals(
    [...crm.deals, ...(extra.deals ?? [])],
    [...crm.lineItems, ...(extra.lineItems ?? [])],
    extra.products ?? products,
  );
  const model = buildCrossSellModel(facts.ownership, accounts, {
    asOf,
    config,
    inPipeline: facts.inPipeline,
    items: facts.items,
  });
  const ownedBy = (id: string) => new Set(facts.ownership.get(id)?.keys() ?? []);
  const accountOf = (id: string) => accounts.find((a) => a.id === id) ?? null;
  const recommend = (id: string, feedback: CrossSellFeedback = noCrossSellFeedback, cfg: CrossSellConfig = config) =>
    recommendCrossSell(model, id, ownedBy(id), accountOf(id), feedback, cfg);
  return { facts, model, recommend, ownedBy };
}

// Hand-computed for acct-04 (owns Analytics, Billing), β = 2, min co-count 2, w = 0.25:
//   Cloud: conf(A→C)·shrink = 3/7·3/5 = 9/35, conf(B→C)·shrink = 3/6·3/5 = 3/10; affinity = (9/35 + 3/10)/2 = 39/140
//          peers (Manufacturing, 50–199, minus itself) = 4, owners 3 → share 0.75
//          score = 0.75·39/140 + 0.25·0.75 = 0.396428…
//   Data:  A: 3/7·3/5 = 9/35, B: 2/6·2/4 = 1/6; affinity = (9/35 + 1/6)/2 = 89/420; share 1/4
//          score = 0.75·89/420 + 0.25·0.25 = 0.221428…
const cloudScore = 0.75 * (39 / 140) + 0.25 * 0.75;
const dataScore = 0.75 * (89 / 420) + 0.25 * 0.25;
const fineSegment = 'Manufacturing, 50 to 199 employees';

describe('crossSellFactsFromDeals', () => {
  it('owns a family from the first won deal with a line item for it, at family or product level', () => {
    const extraDeals = [
      deal('D-early', 'acct-04', 'won', '2024-02-01'),
      deal('D-lost', 'acct-04', 'lost', '2023-01-01'),
      deal('D-open', 'acct-04', 'open', null),
      deal('D-orphan', null, 'won', '2025-01-01'),
    ];
    const extraItems = [
      lineItem('L-early', 'D-early', 'P-A2', 50),
      lineItem('L-lost', 'D-lost', 'P-C', 999),
      lineItem('L-open', 'D-open', 'P-D', 10),
      lineItem('L-open-owned', 'D-open', 'P-B', 10),
      lineItem('L-orphan', 'D-orphan', 'P-C', 10),
      lineItem('L-noproduct', 'D-early', null, 20, ' Onboarding '),
    ];
    const crm = crmRecords();
    const facts = crossSellFactsFromDeals([...crm.deals, ...extraDeals], [...crm.lineItems, ...extraItems], products);
    expect([...facts.ownership.get('acct-04')!]).toEqual([
      ['Analytics', '2024-02-01'],
      ['Billing', '2025-06-30'],
      ['Onboarding', '2024-02-01'],
    ]);
    // Data is in pipeline; Billing is on the open deal too but already owned.
    expect([...facts.inPipeline.get('acct-04')!]).toEqual(['Data']);
    expect(facts.ownership.size).toBe(10);
    expect(facts.items.get('Cloud')).toEqual({
      productIds: ['salesforce:P-C'],
      activeProductIds: ['salesforce:P-C'],
      wonAmounts: [1200, 1000, 3000, 700],
      listPrice: 800,
    });
    expect(facts.items.get('Analytics')!.productIds).toEqual(['salesforce:P-A1', 'salesforce:P-A2']);
    expect(facts.items.get('Analytics')!.listPrice).toBe(600);

    const byProduct = ownershipFromDeals([...crm.deals, ...extraDeals], [...crm.lineItems, ...extraItems], products, 'product');
    expect([...byProduct.get('acct-04')!.keys()]).toEqual(['Analytics Pro', 'Billing', 'Analytics Lite', 'Onboarding']);
  });

  it('folds pages into the same facts as whole lists, and counts line items whose deal it has not seen', () => {
    const crm = crmRecords();
    const builder = new CrossSellFactsBuilder({ products });
    builder.addLineItems(crm.lineItems.slice(0, 2)); // before their deal: not matched
    for (let i = 0; i < crm.deals.length; i += 3) builder.addDeals(crm.deals.slice(i, i + 3));
    for (let i = 0; i < crm.lineItems.length; i += 4) builder.addLineItems(crm.lineItems.slice(i, i + 4));
    expect(builder.unmatchedLineItems).toBe(2);
    expect(builder.build()).toEqual(crossSellFactsFromDeals(crm.deals, crm.lineItems, products));
  });

  it('uses unit price × quantity when a won line item has no amount, and the product name when it has no family', () => {
    const facts = crossSellFactsFromDeals(
      [deal('D1', 'acct-x', 'won', '2026-01-10')],
      [lineItem('L1', 'D1', 'P-S', null, 'line', 25, 4)],
      [product('P-S', 'Support Plan', null, null)],
    );
    expect([...facts.ownership.get('acct-x')!]).toEqual([['Support Plan', '2026-01-10']]);
    expect(facts.items.get('Support Plan')!.wonAmounts).toEqual([100]);
  });
});

describe('recommendCrossSell', () => {
  it('ranks white space by the blended score with rule, peer and value evidence', () => {
    const { recommend } = setup();
    expect(recommend('acct-04')).toEqual([
      {
        accountId: 'acct-04',
        product: 'Cloud',
        productId: 'salesforce:P-C',
        score: round4(cloudScore),
        evidence: [
          '60% of accounts that own Analytics and Billing also own Cloud, 1.5x the base rate',
          '3 of 4 accounts in Manufacturing with 50 to 199 employees own it',
          'Typical deal for Cloud: 1,100 (median of 4 won deals)',
        ],
        estimatedValue: 1100,
        rule: { antecedent: ['Analytics', 'Billing'], support: 0.3, confidence: 0.6, lift: 1.5 },
        peerPenetration: { owners: 3, peers: 4, segment: fineSegment },
      },
      {
        accountId: 'acct-04',
        product: 'Data',
        productId: 'salesforce:P-D',
        score: round4(dataScore),
        // A ⇒ D has lift 0.86, B ⇒ D 0.67, {A, B} ⇒ D is seen once: no rule qualifies.
        evidence: ['1 of 4 accounts in Manufacturing with 50 to 199 employees own it', 'List price of Data: 500'],
        estimatedValue: 500,
        rule: null,
        peerPenetration: { owners: 1, peers: 4, segment: fineSegment },
      },
    ]);
    expect(round4(cloudScore)).toBe(0.3964);
    expect(round4(dataScore)).toBe(0.2214);
  });

  it('searches one-item antecedents only when told to, and drops rules under the support floor', () => {
    const single = CrossSellConfigSchema.parse({ ...exact, maxAntecedent: 1 });
    const cloud = setup(single).recommend('acct-04')[0]!;
    // Billing ⇒ Cloud: 3 of 6, lift 0.5/0.4; it beats Analytics ⇒ Cloud (3 of 7).
    expect(cloud.rule).toEqual({ antecedent: ['Billing'], support: 0.3, confidence: 0.5, lift: 1.25 });
    expect(cloud.evidence[0]).toBe('50% of accounts that own Billing also own Cloud, 1.3x the base rate');
    const floor = CrossSellConfigSchema.parse({ ...exact, minRuleSupport: 0.35 });
    const noRule = setup(floor).recommend('acct-04')[0]!;
    expect(noRule.rule).toBeNull();
    expect(noRule.evidence[0]).toBe('3 of 4 accounts in Manufacturing with 50 to 199 employees own it');
  });

  it('never recommends what the account owns, and names a product only when one active product stands for the family', () => {
    const { recommend } = setup();
    // acct-09 owns Cloud; Retail under 50 has 4 other accounts: A 2, B 1, D 4.
    // Analytics: 0.75·(3/4·3/5) + 0.25·2/4 = 0.4625; Billing: 0.75·0.45 + 0.25·1/4 = 0.4;
    // Data: never owned with Cloud, so 0.25·4/4 = 0.25.
    const recs = recommend('acct-09');
    expect(recs.map((r) => [r.product, r.score])).toEqual([
      ['Analytics', 0.4625],
      ['Billing', 0.4],
      ['Data', 0.25],
    ]);
    expect(recs.find((r) => r.product === 'Analytics')!.productId).toBeNull();
    for (const id of accounts.map((a) => a.id)) {
      const owned = setup().ownedBy(id);
      for (const rec of recommend(id)) expect(owned.has(rec.product)).toBe(false);
    }
  });

  it('scores with cosine when configured', () => {
    const cosine = CrossSellConfigSchema.parse({ ...exact, similarity: 'cosine' });
    const { recommend } = setup(cosine);
    const affinity = ((3 / Math.sqrt(7 * 4)) * (3 / 5) + (3 / Math.sqrt(6 * 4)) * (3 / 5)) / 2;
    expect(recommend('acct-04')[0]!.score).toBe(round4(0.75 * affinity + 0.25 * 0.75));
  });

  it('leaves out items in open pipeline', () => {
    const { recommend } = setup(exact, {
      deals: [deal('D-open', 'acct-04', 'open', null)],
      lineItems: [lineItem('L-open', 'D-open', 'P-D', 10)],
    });
    expect(recommend('acct-04').map((r) => r.product)).toEqual(['Cloud']);
  });

  it('never recommends a family whose products are all inactive', () => {
    const retiredData = products.map((p) => (p.externalId === 'P-D' ? { ...p, active: false } : p));
    const { recommend } = setup(exact, { products: retiredData });
    expect(recommend('acct-04').map((r) => r.product)).toEqual(['Cloud']);
  });

  it('falls back from a small segment to industry, size band, then all customers', () => {
    const defaults = CrossSellConfigSchema.parse({});
    const { model, recommend } = setup(defaults);
    // Manufacturing 50–199, Manufacturing and 50–199 all hold 4 peers of acct-04: fewer than 5.
    const cloud = recommend('acct-04').find((r) => r.product === 'Cloud')!;
    expect(cloud.peerPenetration).toEqual({ owners: 4, peers: 9, segment: 'all customers' });
    expect(cloud.evidence).toContain('4 of 9 customer accounts own it');
    // A new Manufacturing account with 5,000 staff: no such band among customers; its industry has 5 peers.
    const newcomer = recommendCrossSell(
      model,
      'acct-new',
      ['Analytics'],
      account('acct-new', 'Manufacturing', 5000),
      noCrossSellFeedback,
      defaults,
    );
    const newcomerCloud = newcomer.find((r) => r.product === 'Cloud')!;
    expect(newcomerCloud.peerPenetration).toEqual({ owners: 3, peers: 5, segment: 'Manufacturing' });
    expect(newcomerCloud.evidence).toContain('3 of 5 accounts in Manufacturing own it');
  });

  it('ranks an account that owns nothing by peer share alone', () => {
    const { model } = setup();
    const recs = recommendCrossSell(model, 'acct-new', [], account('acct-new', 'Retail', 35), noCrossSellFeedback, exact);
    // Retail, fewer than 50: acct-05..09, 5 peers; A 2, B 1, C 1, D 4.
    expect(recs.map((r) => [r.product, r.score])).toEqual([
      ['Data', 0.8],
      ['Analytics', 0.4],
      ['Billing', 0.2],
      ['Cloud', 0.2],
    ]);
    expect(recs[0]!.peerPenetration).toEqual({ owners: 4, peers: 5, segment: 'Retail, fewer than 50 employees' });
  });

  it('publishes at most maxPerAccount opportunities scoring at least minScore', () => {
    const { recommend } = setup();
    expect(recommend('acct-04', noCrossSellFeedback, { ...exact, maxPerAccount: 1 }).map((r) => r.product)).toEqual([
      'Cloud',
    ]);
    expect(recommend('acct-04', noCrossSellFeedback, { ...exact, minScore: 0.3 }).map((r) => r.product)).toEqual([
      'Cloud',
    ]);
    expect(recommend('acct-04', noCrossSellFeedback, { ...exact, minScore: 0.5 })).toEqual([]);
  });
});

describe('invariants on random ownership', () => {
  const catalogue = ['P1', 'P2', 'P3', 'P4', 'P5', 'P6'];
  const basket = fc.uniqueArray(fc.constantFrom(...catalogue), { maxLength: catalogue.length });

  it('publishes only white space, best first, within maxPerAccount and minScore, the same every time', () => {
    fc.assert(
      fc.property(
        fc.array(basket, { minLength: 1, maxLength: 30 }),
        basket,
        basket,
        fc.integer({ min: 1, max: 4 }),
        (baskets, ownedByTarget, pipelineOfTarget, maxPerAccount) => {
          const ownership = new Map(baskets.map((b, i) => [`a${i}`, new Map(b.map((item) => [item, '2026-01-01']))]));
          ownership.set('target', new Map(ownedByTarget.map((item) => [item, '2026-01-01'])));
          const config = CrossSellConfigSchema.parse({ minCoCount: 1, minScore: 0.01, maxPerAccount });
          const inPipeline = new Map([['target', new Set(pipelineOfTarget)]]);
          const build = () => buildCrossSellModel(ownership, [], { asOf, config, inPipeline });
          const run = () => recommendCrossSell(build(), 'target', ownedByTarget, null, noCrossSellFeedback, config);
          const recs = run();
          expect(recs.length).toBeLessThanOrEqual(maxPerAccount);
          for (const rec of recs) {
            expect(ownedByTarget).not.toContain(rec.product);
            expect(pipelineOfTarget).not.toContain(rec.product);
            expect(rec.score).toBeGreaterThanOrEqual(0.01);
          }
          for (let i = 1; i < recs.length; i++) expect(recs[i - 1]!.score).toBeGreaterThanOrEqual(recs[i]!.score);
          expect(run()).toEqual(recs);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('shrinkage and ties', () => {
  // 30 accounts own X and Y, 20 own X only, one owns Z and R. The target owns X and Z.
  const ownership = new Map<string, Map<string, string>>();
  for (let n = 0; n < 51; n++) {
    const items = n < 30 ? ['X', 'Y'] : n < 50 ? ['X'] : ['R', 'Z'];
    ownership.set(`a${String(n).padStart(2, '0')}`, new Map(items.map((i) => [i, '2026-01-01'])));
  }
  const scoreOf = (config: CrossSellConfig) => {
    const model = buildCrossSellModel(ownership, [], { asOf, config });
    return scoreWhiteSpace(model, 'target', ['X', 'Z'], null, noCrossSellFeedback, config).map((s) => [
      s.item,
      round4(s.affinity),
    ]);
  };

  it('without shrinkage a pair seen once outranks a pair seen 30 times', () => {
    // R: conf(Z→R) = 1; Y: conf(X→Y) = 30/50. Affinities are divided by the 2 owned items.
    expect(scoreOf(CrossSellConfigSchema.parse({ shrinkage: 0, minCoCount: 1, popularityWeight: 0 }))).toEqual([
      ['R', 0.5],
      ['Y', 0.3],
    ]);
  });

  it('shrinkage C/(C+β) lets the well-supported pair win, and the co-count floor drops the rare one', () => {
    // β = 5: R = 1·1/6 / 2 = 0.0833, Y = 0.6·30/35 / 2 = 0.2571
    expect(scoreOf(CrossSellConfigSchema.parse({ shrinkage: 5, minCoCount: 1, popularityWeight: 0 }))).toEqual([
      ['Y', 0.2571],
      ['R', 0.0833],
    ]);
    expect(scoreOf(CrossSellConfigSchema.parse({ shrinkage: 0, minCoCount: 2, popularityWeight: 0 }))).toEqual([
      ['Y', 0.3],
      ['R', 0],
    ]);
  });

  it('breaks equal scores by item name, whatever the input order', () => {
    const forward = new Map([
      ['a', new Map([['X', ''], ['Q', '']])],
      ['b', new Map([['X', ''], ['P', '']])],
    ]);
    const backward = new Map([...forward].reverse());
    const config = CrossSellConfigSchema.parse({ minCoCount: 1, minScore: 0 });
    for (const ownershipMap of [forward, backward]) {
      const model = buildCrossSellModel(ownershipMap, [], { asOf, config });
      const recs = recommendCrossSell(model, 'c', ['X'], null, noCrossSellFeedback, config);
      expect(recs.map((r) => r.product)).toEqual(['P', 'Q']);
      expect(recs[0]!.score).toBe(recs[1]!.score);
    }
  });
});

describe('feedback', () => {
  const event = (accountId: string, item: string, outcome: 'accepted' | 'rejected', at: string) =>
    CrossSellFeedbackEventSchema.parse({
      accountId,
      item,
      outcome,
      via: outcome === 'accepted' ? 'deal_created' : 'task_dismissed',
      at,
    });

  it('keeps a rejected item away from that account for the cool-down, then lets it back', () => {
    const { recommend } = setup();
    const recent = buildCrossSellFeedback([event('acct-04', 'Cloud', 'rejected', '2026-10-29')]);
    expect(recommend('acct-04', recent).map((r) => r.product)).toEqual(['Data']);
    // 180 days before asOf: the cool-down is over.
    const old = buildCrossSellFeedback([event('acct-04', 'Cloud', 'rejected', '2026-06-01')]);
    expect(recommend('acct-04', old).map((r) => r.product)).toEqual(['Cloud', 'Data']);
    // Another account's rejection does not hide it from acct-04.
    const elsewhere = buildCrossSellFeedback([event('acct-05', 'Cloud', 'rejected', '2026-11-01T10:00:00Z')]);
    expect(recommend('acct-04', elsewhere).map((r) => r.product)).toEqual(['Cloud', 'Data']);
  });

  it('keeps an accepted item away for its own cool-down, and uses only the latest outcome per account', () => {
    const { recommend } = setup();
    const accepted = buildCrossSellFeedback([event('acct-04', 'Data', 'accepted', '2026-10-01')]);
    expect(recommend('acct-04', accepted).map((r) => r.product)).toEqual(['Cloud']);
    const changedMind = buildCrossSellFeedback([
      event('acct-04', 'Data', 'rejected', '2026-01-05'),
      event('acct-04', 'Data', 'accepted', '2026-03-01'),
    ]);
    expect(changedMind.byItem.get('Data')).toEqual({ accepted: 1, rejected: 0 });
  });

  it('nudges scores by item acceptance rate (documented formula)', () => {
    const feedback = buildCrossSellFeedback([
      event('acct-05', 'Data', 'accepted', '2026-01-10'),
      event('acct-06', 'Data', 'accepted', '2026-01-10'),
      event('acct-07', 'Data', 'accepted', '2026-01-10'),
      event('acct-08', 'Cloud', 'rejected', '2026-01-10'),
    ]);
    // r̄ = (3+1)/(4+2) = 2/3. Data: r̂ = (3 + 10·2/3)/13 = 29/39 → 1 + 0.5·(29/39 − 2/3) = 27/26.
    // Cloud: r̂ = (10·2/3)/11 = 20/33 → 1 + 0.5·(20/33 − 2/3) = 32/33.
    expect(acceptanceFactor(feedback, 'Data', exact)).toBeCloseTo(27 / 26, 12);
    expect(acceptanceFactor(feedback, 'Cloud', exact)).toBeCloseTo(32 / 33, 12);
    expect(acceptanceFactor(feedback, 'Billing', exact)).toBe(1);
    const { recommend } = setup();
    const recs = recommend('acct-04', feedback);
    expect(recs.map((r) => [r.product, r.score])).toEqual([
      ['Cloud', round4((cloudScore * 32) / 33)],
      ['Data', round4((dataScore * 27) / 26)],
    ]);
    expect(recs[0]!.evidence.at(-1)).toBe('Accepted by 0 of 1 account it was suggested to');
    expect(recs[1]!.evidence.at(-1)).toBe('Accepted by 3 of 3 accounts it was suggested to');
  });

  it('rejects feedback without a date', () => {
    expect(() =>
      CrossSellFeedbackEventSchema.parse({ accountId: 'a', item: 'Cloud', outcome: 'accepted', via: 'manual', at: 'yesterday' }),
    ).toThrow(/expected a date/);
  });
});

describe('CrossSellConfigSchema', () => {
  it('fills every default', () => {
    expect(CrossSellConfigSchema.parse({})).toEqual({
      level: 'family',
      similarity: 'confidence_sum',
      shrinkage: 5,
      minCoCount: 3,
      minRuleSupport: 0.01,
      minRuleLift: 1,
      maxAntecedent: 2,
      popularityWeight: 0.3,
      peerSegment: { byIndustry: true, employeeBands: [50, 200, 1000, 5000], minPeers: 5 },
      maxPerAccount: 5,
      minScore: 0.05,
      feedback: { rejectedCooldownDays: 180, acceptedCooldownDays: 90, acceptanceWeight: 0.5, priorStrength: 10 },
    });
  });

  it('names the key that is wrong', () => {
    const result = CrossSellConfigSchema.safeParse({ peerSegment: { employeeBands: [200, 50] }, popularityWeight: 2 });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['peerSegment.employeeBands', 'popularityWeight']));
  });

  it('refuses a model without a run date', () => {
    expect(() => buildCrossSellModel(new Map(), [], { asOf: '28/11/2026' })).toThrow(/asOf must be a date/);
  });
});
