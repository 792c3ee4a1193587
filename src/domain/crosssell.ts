/**
 * Cross-sell: white space (product families an account does not own), ranked by item-item
 * co-occurrence blended with popularity among peers, each opportunity with its evidence.
 * Method and measured figures: analytics.md 1.3; peer practice: peers.md 5.
 *
 * 1. Ownership from the CRM: an account owns an item (family, or product) when a won deal of the
 *    account has a line item for it; items on open deals are "in pipeline". Both are excluded.
 * 2. One model per scoring run, from every account's ownership: co-occurrence counts (pairs and
 *    triples), item popularity overall and per peer segment (industry × employee band), typical
 *    deal value per item, and the run date the feedback cool-downs count from. Only items some
 *    customer owns can be recommended: an item nobody owns has no evidence.
 * 3. Score of white-space item j for an account owning O (|O| > 0):
 *      affinity(j) = (1/|O|) Σ_{i∈O, C_ij ≥ minCoCount} sim(i, j) · C_ij / (C_ij + β)
 *        sim = conf(i → j) = C_ij / C_ii ("confidence_sum") or C_ij / √(C_ii C_jj) ("cosine");
 *        dividing the sum by |O| keeps it in 0..1 without changing the order within an account.
 *      base(j) = (1 − w) · affinity(j) + w · peerShare(j), w = popularityWeight;
 *        an account that owns nothing gets base(j) = peerShare(j).
 *      score(j) = base(j) · (1 + φ · (r̂_j − r̄))   (feedback nudge, see `acceptanceFactor`).
 *    peerShare(j) = owners of j / peers, over the account's most specific segment with at least
 *    minPeers other customers (industry × band, industry, band, all customers). Segments are
 *    counted when the model is built, with the model's configuration.
 *    Ties are broken by item name. Scores below minScore are not published; at most
 *    maxPerAccount per account.
 * 4. Evidence: the best supporting rule (antecedent of 1–2 owned items, chosen by
 *    confidence · c / (c + β), lift > minLift, support and co-count floors), peer penetration,
 *    typical deal value, and item acceptance when there is feedback.
 *
 * Pure and deterministic: no I/O, no clock (the run date comes in as `asOf`).
 */
import { z } from 'zod';
import { CooccurrenceMatrix, affinityScores, type ItemSimilarity } from './cooccurrence.js';
import type { CrossSellOpportunity } from './insights.js';
import type { Account, Deal, LineItem, Product } from './model.js';
import { ruleMetrics, type RuleMetrics } from './rules.js';

// ---------------------------------------------------------------------------------------------
// Configuration

export const CrossSellConfigSchema = z.object({
  /** what a white-space cell is: a product family (falls back to the product name) or a product */
  level: z.enum(['family', 'product']).default('family'),
  similarity: z.enum(['confidence_sum', 'cosine']).default('confidence_sum'),
  /** β in the shrinkage C_ij / (C_ij + β) of each pair's contribution and of rule choice */
  shrinkage: z.number().min(0).default(5),
  /** pairs (and rules) seen in fewer accounts than this carry no weight */
  minCoCount: z.number().int().min(1).default(3),
  /** a rule shown as evidence needs support ≥ this share of customer accounts */
  minRuleSupport: z.number().min(0).max(1).default(0.01),
  /** a rule shown as evidence needs lift above this (1 = better than the base rate) */
  minRuleLift: z.number().min(0).default(1),
  /** largest rule antecedent searched for evidence: 1 or 2 owned items */
  maxAntecedent: z.union([z.literal(1), z.literal(2)]).default(2),
  /**
   * w: weight of peer popularity in the blend, 0..1. At 0.3 (with β 5, min co-count 3) the hold-out
   * check gives Groceries HR@10 0.650 against 0.655 for popularity alone, and Telco add-ons HR@1
   * 0.621 against 0.595 (scripts/eval/groceries-crosssell.ts).
   */
  popularityWeight: z.number().min(0).max(1).default(0.3),
  peerSegment: z
    .object({
      byIndustry: z.boolean().default(true),
      /** lower bounds of employee bands after the first (0..49, 50..199, …); empty = no size bands */
      employeeBands: z
        .array(z.number().int().positive())
        .default([50, 200, 1000, 5000])
        .refine((bands) => bands.every((b, i) => i === 0 || b > bands[i - 1]!), {
          message: 'employee band bounds must be strictly increasing, e.g. [50, 200, 1000, 5000]',
        }),
      /** a segment with fewer peers than this falls back to industry, then size band, then all customers */
      minPeers: z.number().int().min(1).default(5),
    })
    .prefault({}),
  maxPerAccount: z.number().int().min(1).default(5),
  /** opportunities scoring below this are not published */
  minScore: z.number().min(0).default(0.05),
  feedback: z
    .object({
      /** a rejected item is not suggested to that account again for this many days */
      rejectedCooldownDays: z.number().int().min(0).default(180),
      /** an accepted item (task done, deal created) is not suggested again for this many days */
      acceptedCooldownDays: z.number().int().min(0).default(90),
      /** φ: how strongly item acceptance rates nudge scores; 0 turns the nudge off */
      acceptanceWeight: z.number().min(0).max(2).default(0.5),
      /** k: pseudo-outcomes pulling an item's rate toward the overall rate */
      priorStrength: z.number().min(0).default(10),
    })
    .prefault({}),
});
export type CrossSellConfig = z.output<typeof CrossSellConfigSchema>;
export type CrossSellConfigInput = z.input<typeof CrossSellConfigSchema>;
export type CrossSellLevel = CrossSellConfig['level'];

// ---------------------------------------------------------------------------------------------
// Ownership, pipeline and item facts from CRM deals and line items

/** account id → item → date (YYYY-MM-DD) of the first won deal with a line item for it */
export type Ownership = Map<string, Map<string, string>>;

export interface ItemFacts {
  /** catalogue products that map to this item, sorted */
  productIds: string[];
  activeProductIds: string[];
  /** amount per won deal for this item (line items of one deal summed), in order of first line item */
  wonAmounts: number[];
  /** median list price of the item's active products; null when none has a price */
  listPrice: number | null;
}

export interface CrossSellFacts {
  ownership: Ownership;
  /** account id → items on its open deals (and not owned) */
  inPipeline: Map<string, Set<string>>;
  items: Map<string, ItemFacts>;
}

/** The white-space item a product stands for at the configured level. */
export function itemOfProduct(product: Pick<Product, 'name' | 'family'>, level: CrossSellLevel): string {
  const family = product.family?.trim();
  return level === 'family' && family ? family : product.name.trim();
}

/**
 * Folds deals and line items, page by page, into ownership, open pipeline and per-item facts,
 * keeping only a compact index of deals (account, status, won date) rather than the records.
 * Add a line item's deal before the line item: line items whose deal is unknown are counted in
 * `unmatchedLineItems` and otherwise ignored. Deals without an account, and lost deals, are
 * ignored. A line item with no known product counts under its own name (HubSpot line items need
 * not reference a product).
 */
export class CrossSellFactsBuilder {
  private readonly level: CrossSellLevel;
  private readonly itemByProductId: ReadonlyMap<string, string>;
  private readonly items = new Map<string, ItemFacts>();
  private readonly deals = new Map<string, { accountId: string; wonOn: string | null }>();
  private readonly ownership: Ownership = new Map();
  private readonly pipeline = new Map<string, Set<string>>();
  /** item → won deal id → summed amount, in order of first line item */
  private readonly wonAmounts = new Map<string, Map<string, number>>();
  unmatchedLineItems = 0;

  constructor(options: { products: readonly Product[]; level?: CrossSellLevel }) {
    this.level = options.level ?? 'family';
    this.itemByProductId = new Map(options.products.map((p) => [p.id, itemOfProduct(p, this.level)]));
    const listPrices = new Map<string, number[]>();
    for (const product of [...options.products].sort((a, b) => compareText(a.id, b.id))) {
      const item = itemOfProduct(product, this.level);
      const facts = this.factsOf(item);
      facts.productIds.push(product.id);
      if (!product.active) continue;
      facts.activeProductIds.push(product.id);
      if (product.price !== null) getOrCreate(listPrices, item, () => []).push(product.price);
    }
    for (const [item, prices] of listPrices) this.factsOf(item).listPrice = median(prices);
  }

  addDeals(deals: Iterable<Deal>): this {
    for (const deal of deals) {
      if (!deal.accountId || deal.status === 'lost') continue;
      const wonOn = deal.status === 'won' ? (deal.closeDate ?? (deal.createdAt ?? deal.updatedAt).slice(0, 10)) : null;
      this.deals.set(deal.id, { accountId: deal.accountId, wonOn });
    }
    return this;
  }

  addLineItems(lineItems: Iterable<LineItem>): this {
    for (const lineItem of lineItems) {
      const deal = lineItem.dealId ? this.deals.get(lineItem.dealId) : undefined;
      if (!deal) {
        this.unmatchedLineItems += 1;
        continue;
      }
      const item =
        (lineItem.productId ? this.itemByProductId.get(lineItem.productId) : undefined) ?? lineItem.name.trim();
      if (!item) continue;
      if (deal.wonOn === null) {
        getOrCreate(this.pipeline, deal.accountId, () => new Set<string>()).add(item);
        continue;
      }
      const owned = getOrCreate(this.ownership, deal.accountId, () => new Map<string, string>());
      const first = owned.get(item);
      if (first === undefined || deal.wonOn < first) owned.set(item, deal.wonOn);
      const amount = lineItem.amount ?? (lineItem.unitPrice !== null ? lineItem.unitPrice * lineItem.quantity : null);
      if (amount === null) continue;
      const byDeal = getOrCreate(this.wonAmounts, item, () => new Map<string, number>());
      byDeal.set(lineItem.dealId!, (byDeal.get(lineItem.dealId!) ?? 0) + amount);
    }
    return this;
  }

  /** The facts so far; items on open deals that the account already owns are not "in pipeline". */
  build(): CrossSellFacts {
    const items = new Map<string, ItemFacts>();
    for (const [item, facts] of this.items) {
      items.set(item, {
        productIds: [...facts.productIds],
        activeProductIds: [...facts.activeProductIds],
        wonAmounts: [],
        listPrice: facts.listPrice,
      });
    }
    for (const [item, byDeal] of this.wonAmounts) {
      const amounts = getOrCreate(items, item, () => ({ productIds: [], activeProductIds: [], wonAmounts: [], listPrice: null }))
        .wonAmounts;
      for (const amount of byDeal.values()) amounts.push(amount);
    }
    const inPipeline = new Map<string, Set<string>>();
    for (const [accountId, open] of this.pipeline) {
      const owned = this.ownership.get(accountId);
      const notOwned = new Set([...open].filter((item) => !owned?.has(item)));
      if (notOwned.size > 0) inPipeline.set(accountId, notOwned);
    }
    const ownership: Ownership = new Map([...this.ownership].map(([id, owned]) => [id, new Map(owned)]));
    return { ownership, inPipeline, items };
  }

  private factsOf(item: string): ItemFacts {
    return getOrCreate(this.items, item, () => ({ productIds: [], activeProductIds: [], wonAmounts: [], listPrice: null }));
  }
}

/** Ownership, open pipeline and item facts from whole lists (see `CrossSellFactsBuilder`). */
export function crossSellFactsFromDeals(
  deals: readonly Deal[],
  lineItems: readonly LineItem[],
  products: readonly Product[],
  level: CrossSellLevel = 'family',
): CrossSellFacts {
  return new CrossSellFactsBuilder({ products, level }).addDeals(deals).addLineItems(lineItems).build();
}

/** account id → item → first won date (see `crossSellFactsFromDeals`). */
export function ownershipFromDeals(
  deals: readonly Deal[],
  lineItems: readonly LineItem[],
  products: readonly Product[],
  level: CrossSellLevel = 'family',
): Ownership {
  return crossSellFactsFromDeals(deals, lineItems, products, level).ownership;
}

// ---------------------------------------------------------------------------------------------
// Feedback

export const CrossSellFeedbackEventSchema = z.object({
  accountId: z.string().min(1),
  item: z.string().min(1),
  outcome: z.enum(['accepted', 'rejected']),
  /** what the outcome came from */
  via: z.enum(['task_completed', 'task_dismissed', 'deal_created', 'manual']),
  /** YYYY-MM-DD or an ISO instant; only the date counts */
  at: z.string().regex(/^\d{4}-\d{2}-\d{2}/, 'expected a date such as 2026-09-26'),
  /** the task or deal behind the outcome */
  recordId: z.string().nullable().default(null),
});
export type CrossSellFeedbackEvent = z.output<typeof CrossSellFeedbackEventSchema>;

export interface CrossSellFeedback {
  /** the latest outcome per account and item */
  latest: ReadonlyMap<string, ReadonlyMap<string, CrossSellFeedbackEvent>>;
  /** per item, accounts whose latest outcome was accepted / rejected */
  byItem: ReadonlyMap<string, { accepted: number; rejected: number }>;
  accepted: number;
  rejected: number;
}

export const noCrossSellFeedback: CrossSellFeedback = { latest: new Map(), byItem: new Map(), accepted: 0, rejected: 0 };

/** Keeps each (account, item)'s latest outcome (ties: the later event in the list) and counts them per item. */
export function buildCrossSellFeedback(events: readonly CrossSellFeedbackEvent[]): CrossSellFeedback {
  const latest = new Map<string, Map<string, CrossSellFeedbackEvent>>();
  for (const event of events) {
    const perAccount = getOrCreate(latest, event.accountId, () => new Map<string, CrossSellFeedbackEvent>());
    const previous = perAccount.get(event.item);
    if (!previous || previous.at <= event.at) perAccount.set(event.item, event);
  }
  const byItem = new Map<string, { accepted: number; rejected: number }>();
  let accepted = 0;
  let rejected = 0;
  for (const perAccount of latest.values()) {
    for (const event of perAccount.values()) {
      const counts = getOrCreate(byItem, event.item, () => ({ accepted: 0, rejected: 0 }));
      if (event.outcome === 'accepted') {
        counts.accepted += 1;
        accepted += 1;
      } else {
        counts.rejected += 1;
        rejected += 1;
      }
    }
  }
  return { latest, byItem, accepted, rejected };
}

/**
 * Score multiplier from item acceptance: r̄ = (A + 1) / (A + R + 2) over all latest outcomes
 * (Laplace), r̂_j = (a_j + k·r̄) / (a_j + r_j + k) shrinks item j's rate toward r̄, and the
 * factor is 1 + φ·(r̂_j − r̄), at least 0. Without feedback it is exactly 1.
 */
export function acceptanceFactor(feedback: CrossSellFeedback, item: string, config: CrossSellConfig): number {
  const overall = (feedback.accepted + 1) / (feedback.accepted + feedback.rejected + 2);
  const counts = feedback.byItem.get(item);
  if (!counts) return 1;
  const k = config.feedback.priorStrength;
  const rate = (counts.accepted + k * overall) / (counts.accepted + counts.rejected + k);
  return Math.max(0, 1 + config.feedback.acceptanceWeight * (rate - overall));
}

/** True while an earlier outcome keeps the item away from the account (cool-down after it). */
function isCoolingDown(event: CrossSellFeedbackEvent | undefined, asOf: string, config: CrossSellConfig): boolean {
  if (!event) return false;
  const days =
    event.outcome === 'rejected' ? config.feedback.rejectedCooldownDays : config.feedback.acceptedCooldownDays;
  return daysBetween(event.at.slice(0, 10), asOf) < days;
}

// ---------------------------------------------------------------------------------------------
// Peer segments

interface Segment {
  key: string;
  /** "Manufacturing, 50 to 199 employees", "Manufacturing", "all customers" */
  label: string;
  /** words after "accounts": "in Manufacturing with 50 to 199 employees" (empty for all) */
  phrase: string;
  size: number;
  /** owners per item index */
  owners: Uint32Array;
}

type PeerSegmentConfig = CrossSellConfig['peerSegment'];

type SegmentCandidate = Pick<Segment, 'key' | 'label' | 'phrase'>;

/** Memo per configuration: there are few (industry, band) pairs and many accounts. */
const segmentMemo = new WeakMap<PeerSegmentConfig, Map<string, SegmentCandidate[]>>();

/** Candidate segments of an account, most specific first, always ending with all customers. */
function segmentsOf(
  account: Pick<Account, 'industry' | 'employees'> | null,
  config: PeerSegmentConfig,
): readonly SegmentCandidate[] {
  const industry = config.byIndustry ? account?.industry?.trim() || null : null;
  const band = config.employeeBands.length > 0 && account?.employees != null ? bandOf(account.employees, config) : null;
  let memo = segmentMemo.get(config);
  if (!memo) segmentMemo.set(config, (memo = new Map()));
  const memoKey = `${industry ?? ''}\u0001${band?.index ?? ''}`;
  const known = memo.get(memoKey);
  if (known) return known;
  const out: SegmentCandidate[] = [];
  if (industry && band) {
    out.push({
      key: `i:${industry}|b:${band.index}`,
      label: `${industry}, ${band.text} employees`,
      phrase: `in ${industry} with ${band.text} employees`,
    });
  }
  if (industry) out.push({ key: `i:${industry}`, label: industry, phrase: `in ${industry}` });
  if (band) out.push({ key: `b:${band.index}`, label: `${band.text} employees`, phrase: `with ${band.text} employees` });
  out.push({ key: 'all', label: 'all customers', phrase: '' });
  memo.set(memoKey, out);
  return out;
}

function bandOf(employees: number, config: PeerSegmentConfig): { index: number; text: string } {
  const bounds = config.employeeBands;
  let index = 0;
  while (index < bounds.length && employees >= bounds[index]!) index += 1;
  const fmt = (n: number) => formatNumber(n);
  if (index === 0) return { index, text: `fewer than ${fmt(bounds[0]!)}` };
  if (index === bounds.length) return { index, text: `${fmt(bounds[index - 1]!)} or more` };
  return { index, text: `${fmt(bounds[index - 1]!)} to ${fmt(bounds[index]! - 1)}` };
}

// ---------------------------------------------------------------------------------------------
// The model

export interface CrossSellModelOptions {
  /** scoring run date (YYYY-MM-DD): feedback cool-downs are measured from it */
  asOf: string;
  /** segments and rule counting follow this configuration (defaults when omitted) */
  config?: CrossSellConfigInput;
  inPipeline?: ReadonlyMap<string, ReadonlySet<string>>;
  /** per item catalogue facts: product ids, active products, won amounts, list price */
  items?: ReadonlyMap<string, ItemFacts>;
}

export interface CrossSellModel {
  asOf: string;
  config: CrossSellConfig;
  matrix: CooccurrenceMatrix;
  /** segment key → segment over customer accounts (those owning at least one item) */
  segments: ReadonlyMap<string, Segment>;
  /** customer account id → item indices it owns, and the segment keys it counts in */
  members: ReadonlyMap<string, { owned: ReadonlySet<number>; segmentKeys: readonly string[] }>;
  inPipeline: ReadonlyMap<string, ReadonlySet<string>>;
  /** item → typical value (median won amount per deal) and how many deals it comes from */
  typicalValue: ReadonlyMap<string, { value: number; deals: number; fromListPrice: boolean }>;
  /** item → product id when exactly one active product stands for it */
  productId: ReadonlyMap<string, string>;
  /** items with catalogue products none of which is active: never recommended */
  retired: ReadonlySet<string>;
}

/** Builds the cross-sell model once per scoring run from all accounts' ownership. */
export function buildCrossSellModel(
  ownership: ReadonlyMap<string, ReadonlyMap<string, string>>,
  accounts: Iterable<Pick<Account, 'id' | 'industry' | 'employees'>>,
  options: CrossSellModelOptions,
): CrossSellModel {
  const config = CrossSellConfigSchema.parse(options.config ?? {});
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.asOf)) {
    throw new RangeError(`asOf must be a date such as 2026-11-28, got "${options.asOf}"`);
  }
  const accountIds = [...ownership.keys()].sort(compareText);
  const matrix = CooccurrenceMatrix.fromBaskets(
    accountIds.map((id) => ownership.get(id)!.keys()),
    { triples: config.maxAntecedent === 2 },
  );
  const n = matrix.items.length;
  const accountById = new Map<string, Pick<Account, 'id' | 'industry' | 'employees'>>();
  for (const account of accounts) accountById.set(account.id, account);

  const segments = new Map<string, Segment>();
  const members = new Map<string, { owned: ReadonlySet<number>; segmentKeys: string[] }>();
  for (const accountId of accountIds) {
    const owned = new Set<number>();
    for (const item of ownership.get(accountId)!.keys()) owned.add(matrix.indexOf(item)!);
    if (owned.size === 0) continue;
    const keys: string[] = [];
    for (const candidate of segmentsOf(accountById.get(accountId) ?? null, config.peerSegment)) {
      let segment = segments.get(candidate.key);
      if (!segment) segments.set(candidate.key, (segment = { ...candidate, size: 0, owners: new Uint32Array(n) }));
      segment.size += 1;
      for (const i of owned) segment.owners[i]! += 1;
      keys.push(candidate.key);
    }
    members.set(accountId, { owned, segmentKeys: keys });
  }

  const typicalValue = new Map<string, { value: number; deals: number; fromListPrice: boolean }>();
  const productId = new Map<string, string>();
  const retired = new Set<string>();
  for (const [item, facts] of options.items ?? []) {
    if (facts.wonAmounts.length > 0) {
      typicalValue.set(item, { value: median(facts.wonAmounts), deals: facts.wonAmounts.length, fromListPrice: false });
    } else if (facts.listPrice !== null) {
      typicalValue.set(item, { value: facts.listPrice, deals: 0, fromListPrice: true });
    }
    if (facts.activeProductIds.length === 1) productId.set(item, facts.activeProductIds[0]!);
    if (facts.productIds.length > 0 && facts.activeProductIds.length === 0) retired.add(item);
  }

  return {
    asOf: options.asOf,
    config,
    matrix,
    segments,
    members,
    inPipeline: options.inPipeline ?? new Map(),
    typicalValue,
    productId,
    retired,
  };
}

// ---------------------------------------------------------------------------------------------
// Scoring

export interface ScoredItem {
  item: string;
  /** the blended, feedback-adjusted score */
  score: number;
  affinity: number;
  peerShare: number;
  feedbackFactor: number;
}

interface PeerView {
  segment: Segment;
  /** peers other than the account itself */
  peers: number;
  selfIn: boolean;
  selfOwned: ReadonlySet<number>;
}

/**
 * Every white-space item of the account, scored and ranked (best first, ties by item name):
 * items it owns, has in open pipeline, or is cooling down from feedback are left out, as are
 * retired items and items nobody owns. The evaluation ranks with this; `recommendCrossSell`
 * publishes the top of it.
 */
export function scoreWhiteSpace(
  model: CrossSellModel,
  accountId: string,
  ownedItems: Iterable<string>,
  account: Pick<Account, 'industry' | 'employees'> | null,
  feedback: CrossSellFeedback,
  config: CrossSellConfig,
): ScoredItem[] {
  return rankWhiteSpace(model, accountId, ownedItems, account, feedback, config).ranked;
}

function rankWhiteSpace(
  model: CrossSellModel,
  accountId: string,
  ownedItems: Iterable<string>,
  account: Pick<Account, 'industry' | 'employees'> | null,
  feedback: CrossSellFeedback,
  config: CrossSellConfig,
): { ranked: ScoredItem[]; owned: number[]; peers: PeerView | null } {
  const { matrix } = model;
  const ownedNames = new Set(ownedItems);
  const member = model.members.get(accountId);
  for (const i of member?.owned ?? []) ownedNames.add(matrix.items[i]!);
  const owned = [...ownedNames].map((item) => matrix.indexOf(item)).filter((i): i is number => i !== undefined);
  owned.sort((a, b) => a - b);

  const similarity: ItemSimilarity = config.similarity === 'cosine' ? 'cosine' : 'confidence';
  const sums = affinityScores(matrix, owned, {
    similarity,
    shrinkage: config.shrinkage,
    minCoCount: config.minCoCount,
  });
  const peers = choosePeers(model, accountId, account);
  const pipeline = model.inPipeline.get(accountId);
  const accountFeedback = feedback.latest.get(accountId);
  const w = config.popularityWeight;

  const ranked: ScoredItem[] = [];
  for (let j = 0; j < matrix.items.length; j++) {
    const item = matrix.items[j]!;
    if (ownedNames.has(item) || pipeline?.has(item) || model.retired.has(item)) continue;
    if (isCoolingDown(accountFeedback?.get(item), model.asOf, config)) continue;
    const affinity = ownedNames.size > 0 ? sums[j]! / ownedNames.size : 0;
    const peerShare = peers && peers.peers > 0 ? ownersAmongPeers(peers, j) / peers.peers : 0;
    const base = ownedNames.size > 0 ? (1 - w) * affinity + w * peerShare : peerShare;
    const feedbackFactor = acceptanceFactor(feedback, item, config);
    ranked.push({ item, score: base * feedbackFactor, affinity, peerShare, feedbackFactor });
  }
  ranked.sort((a, b) => b.score - a.score || compareText(a.item, b.item));
  return { ranked, owned, peers };
}

/**
 * The account's peers: its most specific segment with at least minPeers other customers, else the
 * widest one found. Segments follow the model's configuration (the one they were counted with).
 */
function choosePeers(
  model: CrossSellModel,
  accountId: string,
  account: Pick<Account, 'industry' | 'employees'> | null,
): PeerView | null {
  const member = model.members.get(accountId);
  const view = (segment: Segment): PeerView => {
    const selfIn = member?.segmentKeys.includes(segment.key) ?? false;
    return { segment, peers: segment.size - (selfIn ? 1 : 0), selfIn, selfOwned: member?.owned ?? new Set() };
  };
  let fallback: PeerView | null = null;
  for (const candidate of segmentsOf(account, model.config.peerSegment)) {
    const segment = model.segments.get(candidate.key);
    if (!segment) continue;
    const peerView = view(segment);
    if (peerView.peers >= model.config.peerSegment.minPeers) return peerView;
    fallback = peerView;
  }
  return fallback;
}

function ownersAmongPeers(peers: PeerView, j: number): number {
  return peers.segment.owners[j]! - (peers.selfIn && peers.selfOwned.has(j) ? 1 : 0);
}

// ---------------------------------------------------------------------------------------------
// Recommendations with evidence

export interface SupportingRule extends RuleMetrics {
  antecedent: string[];
  consequent: string;
  /** accounts owning antecedent and consequent */
  count: number;
  /** accounts owning the antecedent */
  antecedentCount: number;
}

/**
 * The best rule "owned items ⇒ item" for the evidence: antecedents of 1 or 2 owned items, with
 * co-count ≥ minCoCount, support ≥ minRuleSupport and lift > minRuleLift, chosen by
 * confidence · c / (c + β) (c = co-count), so 3 of 3 does not beat 60 of 80; then by confidence,
 * support, and antecedent names. Null when no rule qualifies.
 */
export function bestSupportingRule(
  model: CrossSellModel,
  ownedIndices: readonly number[],
  item: string,
  config: CrossSellConfig,
): SupportingRule | null {
  const { matrix } = model;
  const j = matrix.indexOf(item);
  if (j === undefined) return null;
  const owned = ownedIndices.filter((i) => i !== j);
  const consequentCount = matrix.itemCount(j);
  let best: { rule: SupportingRule; strength: number } | null = null;
  const consider = (antecedent: number[], antecedentCount: number, count: number): void => {
    if (count < config.minCoCount || count === 0) return;
    const metrics = ruleMetrics({
      antecedent: antecedentCount,
      rule: count,
      consequent: consequentCount,
      transactions: matrix.transactions,
    });
    if (metrics.support < config.minRuleSupport || !(metrics.lift > config.minRuleLift)) return;
    const strength = metrics.confidence * (count / (count + config.shrinkage));
    const rule: SupportingRule = {
      antecedent: antecedent.map((i) => matrix.items[i]!),
      consequent: item,
      count,
      antecedentCount,
      ...metrics,
    };
    if (!best || isStronger(rule, strength, best.rule, best.strength)) best = { rule, strength };
  };
  for (let x = 0; x < owned.length; x++) {
    const a = owned[x]!;
    consider([a], matrix.itemCount(a), matrix.pairCount(a, j));
    if (config.maxAntecedent < 2 || !matrix.hasTriples) continue;
    for (let y = x + 1; y < owned.length; y++) {
      const b = owned[y]!;
      const pair = matrix.pairCount(a, b);
      if (pair === 0) continue;
      consider([a, b], pair, matrix.tripleCount(a, b, j));
    }
  }
  return (best as { rule: SupportingRule } | null)?.rule ?? null;
}

function isStronger(rule: SupportingRule, strength: number, other: SupportingRule, otherStrength: number): boolean {
  if (strength !== otherStrength) return strength > otherStrength;
  if (rule.confidence !== other.confidence) return rule.confidence > other.confidence;
  if (rule.support !== other.support) return rule.support > other.support;
  return compareText(rule.antecedent.join('\u0001'), other.antecedent.join('\u0001')) < 0;
}

/**
 * The account's published cross-sell opportunities: white space only, best first (ties by item
 * name), at most maxPerAccount, each scoring at least minScore, with plain-language evidence.
 */
export function recommendCrossSell(
  model: CrossSellModel,
  accountId: string,
  ownedItems: Iterable<string>,
  account: Pick<Account, 'industry' | 'employees'> | null,
  feedback: CrossSellFeedback,
  config: CrossSellConfig,
): CrossSellOpportunity[] {
  const { ranked, owned, peers } = rankWhiteSpace(model, accountId, ownedItems, account, feedback, config);
  const out: CrossSellOpportunity[] = [];
  for (const scored of ranked) {
    if (out.length >= config.maxPerAccount || scored.score < config.minScore) break;
    const j = model.matrix.indexOf(scored.item)!;
    const rule = bestSupportingRule(model, owned, scored.item, config);
    const evidence: string[] = [];
    if (rule) evidence.push(ruleEvidence(rule));
    const peerPenetration =
      peers && peers.peers > 0
        ? { owners: ownersAmongPeers(peers, j), peers: peers.peers, segment: peers.segment.label }
        : null;
    if (peers && peerPenetration) evidence.push(peerEvidence(peerPenetration.owners, peerPenetration.peers, peers.segment));
    const typical = model.typicalValue.get(scored.item);
    if (typical) evidence.push(valueEvidence(scored.item, typical));
    const acceptance = feedback.byItem.get(scored.item);
    if (acceptance) evidence.push(feedbackEvidence(acceptance));
    out.push({
      accountId,
      product: scored.item,
      productId: model.productId.get(scored.item) ?? null,
      score: round(scored.score, 4),
      evidence,
      estimatedValue: typical ? round(typical.value, 2) : null,
      rule: rule
        ? {
            antecedent: rule.antecedent,
            support: round(rule.support, 4),
            confidence: round(rule.confidence, 4),
            lift: round(rule.lift, 2),
          }
        : null,
      peerPenetration,
    });
  }
  return out;
}

function ruleEvidence(rule: SupportingRule): string {
  const owners = rule.antecedent.join(' and ');
  return `${percent(rule.confidence)} of accounts that own ${owners} also own ${rule.consequent}, ${rule.lift.toFixed(1)}x the base rate`;
}

function peerEvidence(owners: number, peers: number, segment: Segment): string {
  const who = segment.phrase ? `accounts ${segment.phrase}` : 'customer accounts';
  return `${formatNumber(owners)} of ${formatNumber(peers)} ${who} own it`;
}

function valueEvidence(item: string, typical: { value: number; deals: number; fromListPrice: boolean }): string {
  if (typical.fromListPrice) return `List price of ${item}: ${formatNumber(typical.value)}`;
  const deals = typical.deals === 1 ? '1 won deal' : `${formatNumber(typical.deals)} won deals`;
  return `Typical deal for ${item}: ${formatNumber(typical.value)} (median of ${deals})`;
}

function feedbackEvidence(counts: { accepted: number; rejected: number }): string {
  const total = counts.accepted + counts.rejected;
  return `Accepted by ${counts.accepted} of ${total} ${total === 1 ? 'account' : 'accounts'} it was suggested to`;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = create()));
  return value;
}

/** Code-unit order: the same on every machine and locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/** 12345.6 → "12,346": en-US grouping without Intl, which is slow in a hot loop. */
function formatNumber(value: number): string {
  const rounded = Math.round(value);
  const digits = String(Math.abs(rounded)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return rounded < 0 ? `-${digits}` : digits;
}
