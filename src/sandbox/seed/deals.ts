/**
 * An account's deals: the first (new-business) purchase, yearly renewals, expansions that follow
 * the planted co-purchase structure, and for prospects a lost or open new-business deal. Each deal
 * carries its history (stage path, close-date pushes, amount changes) and, when won or proposed,
 * line items.
 *
 * Planted co-purchase structure (measured figures in README.md):
 * - every customer starts on one Platform product (Enterprise for large companies);
 * - Single Sign-On and Audit Log are usually bought together;
 * - an account that owns Insight Dashboards and API Access is offered Forecasting AI 75% of the
 *   time (30-200 days later, won 85%) (the "bundle leads to C" rule), others rarely;
 * - the Compliance family is rare (mostly Healthcare and Financial Services).
 */
import { PRODUCTS } from './catalog.js';
import { businessMinute } from './calendar.js';
import type { AccountPlan, SeedContext } from './context.js';
import type { SeededRandom } from './random.js';
import { seedStages, type SeedDeal, type SeedDealChange, type SeedLineItem, type SeedStage } from './types.js';

const YEAR = 365;
const PRODUCT_BY_KEY = new Map(PRODUCTS.map((p) => [p.key, p]));
/** units bought per product line, by size band */
const QUANTITY_BY_BAND: readonly (readonly [number, number])[] = [
  [1, 3],
  [2, 6],
  [4, 12],
  [8, 30],
  [20, 80],
];
const OPEN_STAGES = seedStages.slice(0, 5);
/** chance that an account owning Dashboards + API Access is offered Forecasting AI */
export const BUNDLE_UPSELL_CHANCE = 0.75;
/** chance that an open deal closing next quarter is a commit-stage deal pushed out of this quarter */
export const PUSHED_OUT_CHANCE = 0.2;

type Outcome = 'won' | 'lost' | 'open';

interface DealSpec {
  type: SeedDeal['type'];
  name: string;
  outcome: Outcome;
  createdDay: number;
  closeDay: number;
  items: LineDraft[];
  /** attach the items to the deal (the amount is their sum either way) */
  withItems: boolean;
}

/** a line item before it is attached to a deal (and given a key) */
type LineDraft = Omit<SeedLineItem, 'key'>;

interface Owned {
  quantity: number;
  unitPrice: number;
  sinceDay: number;
}

export function buildDeals(plan: AccountPlan, ctx: SeedContext): void {
  const specs = plan.customer ? customerDeals(plan, ctx) : prospectDeals(plan, ctx);
  specs.sort((a, b) => a.createdDay - b.createdDay || a.closeDay - b.closeDay);
  for (const spec of specs) {
    const deal = buildDeal(plan, ctx, spec);
    plan.deals.push(deal);
    plan.dealSpans.push({ key: deal.key, from: spec.createdDay, to: spec.outcome === 'open' ? ctx.asOf - 1 : spec.closeDay });
  }
}

function customerDeals(plan: AccountPlan, ctx: SeedContext): DealSpec[] {
  const { rng, account } = plan;
  const start = plan.contractStart ?? ctx.asOf;
  const horizon = ctx.nextQuarter.end;
  const owned = new Map<string, Owned>();
  const specs: DealSpec[] = [];
  const own = (items: LineDraft[], day: number): void => {
    for (const item of items) owned.set(item.productKey, { quantity: item.quantity, unitPrice: item.unitPrice, sinceDay: day });
  };

  const firstItems = initialBundle(plan).map((key) => lineItem(plan, key));
  specs.push({
    type: 'new',
    name: `${account.name} - New Business`,
    outcome: 'won',
    createdDay: Math.max(plan.createdDay, start - rng.int(20, 100)),
    closeDay: start,
    items: firstItems,
    withItems: true,
  });
  own(firstItems, start);

  // expansions, in time order, so each one sees what the account owned at that moment
  const lastExpansionDay = plan.risk === 'churned' && plan.decisiveRenewal !== null ? plan.decisiveRenewal - 150 : horizon;
  const events: { day: number; bundle: boolean }[] = [];
  const scheduleBundleIfOwned = (day: number): void => {
    if (owned.has('prod-dash') && owned.has('prod-api') && !owned.has('prod-fcst') && rng.chance(BUNDLE_UPSELL_CHANCE)) {
      events.push({ day: day + rng.int(30, 200), bundle: true });
    }
  };
  scheduleBundleIfOwned(start);
  const tenureYears = Math.max(0, (Math.min(lastExpansionDay, horizon) - start) / YEAR);
  const expansions = Math.min(4, rng.poisson(0.45 * tenureYears));
  for (let e = 0; e < expansions && start + 60 < lastExpansionDay; e += 1) events.push({ day: rng.int(start + 60, lastExpansionDay), bundle: false });
  let bundleOffered = false;
  while (events.length > 0) {
    events.sort((a, b) => a.day - b.day);
    const event = events.shift() as { day: number; bundle: boolean };
    if (event.day > horizon || event.day > lastExpansionDay) continue;
    let keys: string[];
    if (event.bundle) {
      if (owned.has('prod-fcst') || bundleOffered) continue;
      bundleOffered = true;
      keys = ['prod-fcst'];
    } else {
      keys = expansionProducts(rng, owned, account.industry);
    }
    if (keys.length === 0) continue;
    const closeDay = event.day;
    const outcome: Outcome = closeDay >= ctx.asOf ? 'open' : rng.chance(event.bundle ? 0.85 : plan.risk === 'churned' ? 0.35 : 0.65) ? 'won' : 'lost';
    const items = keys.map((key) => lineItem(plan, key));
    specs.push({
      type: 'expansion',
      name: `${account.name} - ${keys.map((k) => PRODUCT_BY_KEY.get(k)?.name ?? k).join(' + ')}`,
      outcome,
      createdDay: openedDay(plan, ctx, closeDay, rng.int(20, 90)),
      closeDay,
      items,
      withItems: outcome !== 'lost',
    });
    if (outcome === 'won') {
      const hadBundle = owned.has('prod-dash') && owned.has('prod-api');
      own(items, closeDay);
      if (!hadBundle) scheduleBundleIfOwned(closeDay);
    }
  }

  // yearly renewals of what is owned at the renewal date; the decisive one is lost (churned) or open
  for (let year = 1; ; year += 1) {
    const day = start + YEAR * year;
    if (day > horizon) break;
    if (plan.decisiveRenewal !== null && day > plan.decisiveRenewal) break;
    const decisive = day === plan.decisiveRenewal;
    let createdDay = day - rng.int(45, 90);
    // the decisive renewal of a risky account is always open already; others open 45-90 days ahead
    if (createdDay >= ctx.asOf && decisive) createdDay = ctx.asOf - 1 - rng.int(0, 10);
    if (createdDay >= ctx.asOf) break; // not opened yet
    const items: LineDraft[] = [];
    for (const [productKey, o] of owned) {
      if (o.sinceDay >= day) continue;
      items.push({
        productKey,
        quantity: o.quantity,
        unitPrice: Math.round((o.unitPrice * rng.between(1.02, 1.07)) / 10) * 10,
      });
    }
    const outcome: Outcome = day >= ctx.asOf ? 'open' : plan.risk === 'churned' && decisive ? 'lost' : 'won';
    specs.push({
      type: 'renewal',
      name: `${account.name} - Renewal ${ctx.iso.date(day).slice(0, 4)}`,
      outcome,
      createdDay: Math.max(plan.createdDay, createdDay),
      closeDay: day,
      items,
      withItems: outcome !== 'lost',
    });
  }
  return specs;
}

function prospectDeals(plan: AccountPlan, ctx: SeedContext): DealSpec[] {
  const { rng, account } = plan;
  const specs: DealSpec[] = [];
  if (rng.chance(0.45) && plan.createdDay + 30 < ctx.asOf - 1) {
    const closeDay = rng.int(plan.createdDay + 30, ctx.asOf - 1);
    specs.push({
      type: 'new',
      name: `${account.name} - New Business`,
      outcome: 'lost',
      createdDay: Math.max(plan.createdDay, closeDay - rng.int(20, 90)),
      closeDay,
      items: initialBundle(plan).map((key) => lineItem(plan, key)),
      withItems: false,
    });
  }
  if (rng.chance(0.6)) {
    const closeDay = rng.int(ctx.asOf, ctx.nextQuarter.end);
    specs.push({
      type: 'new',
      name: `${account.name} - New Business ${ctx.iso.date(closeDay).slice(0, 4)}`,
      outcome: 'open',
      createdDay: rng.int(Math.max(plan.createdDay, ctx.asOf - 120), ctx.asOf - 1),
      closeDay,
      items: initialBundle(plan).map((key) => lineItem(plan, key)),
      withItems: rng.chance(0.5),
    });
  }
  return specs;
}

/** the day a deal was opened: some weeks before it closes, never after today for an open deal */
function openedDay(plan: AccountPlan, ctx: SeedContext, closeDay: number, leadDays: number): number {
  let day = closeDay - leadDays;
  if (day >= ctx.asOf) day = ctx.asOf - 1 - plan.rng.int(0, 20);
  return Math.max(plan.createdDay, day);
}

function initialBundle(plan: AccountPlan): string[] {
  const { rng } = plan;
  const industry = plan.account.industry;
  const keys = [rng.chance(plan.sizeBand >= 3 ? 0.7 : 0.12) ? 'prod-core-ent' : 'prod-core'];
  if (rng.chance(0.4)) keys.push('prod-dash');
  if (rng.chance(0.35)) keys.push('prod-api');
  const sso = rng.chance(0.25);
  if (sso) keys.push('prod-sso');
  if (rng.chance(sso ? 0.7 : 0.04)) keys.push('prod-audit');
  if (rng.chance(0.2)) keys.push('prod-wfl');
  if (rng.chance(0.08)) keys.push('prod-dwh');
  if (rng.chance(industry === 'Financial Services' || industry === 'Healthcare' ? 0.16 : 0.06)) keys.push('prod-dlp');
  if (rng.chance(0.04)) keys.push('prod-fcst');
  if (rng.chance(industry === 'Healthcare' ? 0.12 : 0.002)) keys.push('prod-hipaa');
  if (rng.chance(industry === 'Financial Services' ? 0.1 : 0.002)) keys.push('prod-sox');
  return keys;
}

/** one or two products the account does not own yet, weighted by what it owns */
function expansionProducts(rng: SeededRandom, owned: Map<string, Owned>, industry: string): string[] {
  const has = (key: string): boolean => owned.has(key);
  const weights: [string, number][] = [
    ['prod-dash', 1.5],
    ['prod-api', 1.2],
    ['prod-wfl', 1],
    // Forecasting for bundle owners comes from the bundle rule only, so the rule stays measurable
    ['prod-fcst', has('prod-dash') && has('prod-api') ? 0 : 0.35],
    ['prod-dwh', has('prod-fcst') ? 2 : 0.4],
    ['prod-sso', has('prod-audit') ? 5 : 0.8],
    ['prod-audit', has('prod-sso') ? 5 : 0.3],
    ['prod-dlp', 0.5],
    ['prod-hipaa', industry === 'Healthcare' ? 0.6 : 0.01],
    ['prod-sox', industry === 'Financial Services' ? 0.6 : 0.01],
  ];
  const candidates = weights.filter(([key, w]) => w > 0 && !has(key));
  if (candidates.length === 0) return [];
  const first = rng.weighted(candidates);
  if (!rng.chance(0.3)) return [first];
  const rest = candidates.filter(([key]) => key !== first);
  return rest.length > 0 ? [first, rng.weighted(rest)] : [first];
}

function lineItem(plan: AccountPlan, productKey: string): LineDraft {
  const product = PRODUCT_BY_KEY.get(productKey);
  if (!product) throw new Error(`seed generator: unknown product "${productKey}" in a line item`);
  const [min, max] = QUANTITY_BY_BAND[plan.sizeBand] ?? [1, 3];
  return {
    productKey,
    quantity: plan.rng.int(min, max),
    unitPrice: Math.round((product.price * plan.rng.between(0.8, 1)) / 10) * 10,
  };
}

function openStage(rng: SeededRandom, spec: DealSpec, daysToClose: number): SeedStage {
  if (spec.type === 'renewal') {
    return daysToClose < 30
      ? rng.weighted<SeedStage>([['negotiation', 0.5], ['contract', 0.5]])
      : rng.weighted<SeedStage>([['qualified', 0.3], ['proposal', 0.4], ['negotiation', 0.3]]);
  }
  if (daysToClose < 30) return rng.weighted<SeedStage>([['proposal', 0.25], ['negotiation', 0.35], ['contract', 0.4]]);
  if (daysToClose < 90) return rng.weighted<SeedStage>([['qualified', 0.2], ['proposal', 0.35], ['negotiation', 0.3], ['contract', 0.15]]);
  return rng.weighted<SeedStage>([['discovery', 0.4], ['qualified', 0.4], ['proposal', 0.2]]);
}

interface Change {
  /** minutes since 1970-01-01 */
  t: number;
  field: SeedDealChange['field'];
  from: string | null;
  to: string;
}

function buildDeal(plan: AccountPlan, ctx: SeedContext, spec: DealSpec): SeedDeal {
  const { rng } = plan;
  const asOf = ctx.asOf;
  const closed = spec.outcome !== 'open';
  const createdDay = spec.createdDay;
  const lastDay = closed ? spec.closeDay : Math.max(createdDay, asOf - 1);
  const created = createdDay * 1440 + businessMinute(rng);

  // stage: where it is now, and whether it is a commit deal that slipped out of this quarter
  const inNextQuarter = spec.closeDay >= ctx.nextQuarter.start;
  const pushedOut = !closed && inNextQuarter && createdDay < asOf - 2 && rng.chance(PUSHED_OUT_CHANCE);
  const stage: SeedStage = closed ? spec.outcome as SeedStage : pushedOut ? 'contract' : openStage(rng, spec, spec.closeDay - asOf);

  let amount: number | null = spec.items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
  let drafts = spec.withItems ? spec.items : [];
  if (!closed && (stage === 'discovery' || stage === 'qualified') && rng.chance(0.08)) {
    amount = null; // data-quality path: an early deal nobody has priced
    drafts = [];
  }
  const items: SeedLineItem[] = drafts.map((d) => ({ key: ctx.keys.next('li', 8), productKey: d.productKey, quantity: d.quantity, unitPrice: d.unitPrice }));

  const changes: Change[] = [];
  // stage path from the first stage to the current one, with the odd stage skipped
  const firstIndex = spec.type === 'renewal' ? 1 : 0;
  const reachedIndex = spec.outcome === 'won' ? 4 : spec.outcome === 'lost' ? rng.int(firstIndex, 3) : OPEN_STAGES.indexOf(stage as (typeof OPEN_STAGES)[number]);
  const path: SeedStage[] = [OPEN_STAGES[firstIndex] as SeedStage];
  for (let i = firstIndex + 1; i <= reachedIndex; i += 1) {
    if (i < reachedIndex && rng.chance(0.15)) continue;
    path.push(OPEN_STAGES[i] as SeedStage);
  }
  if (closed) path.push(stage);
  changes.push({ t: created, field: 'stage', from: null, to: path[0] as SeedStage });
  let t = created;
  for (let j = 1; j < path.length; j += 1) {
    const day = createdDay + Math.round(((lastDay - createdDay) * j) / (path.length - 1));
    t = Math.max(t + 15, day * 1440 + businessMinute(rng));
    changes.push({ t, field: 'stage', from: path[j - 1] as SeedStage, to: path[j] as SeedStage });
  }

  // amount: set at creation, revised once on a quarter of the deals
  if (amount !== null) {
    const revised = rng.chance(0.25);
    const initial = revised ? Math.max(100, Math.round((amount * rng.between(0.7, 1.3)) / 100) * 100) : amount;
    changes.push({ t: created, field: 'amount', from: null, to: String(initial) });
    if (revised && initial !== amount) {
      changes.push({ t: Math.max(created, rng.int(createdDay, lastDay) * 1440 + businessMinute(rng)), field: 'amount', from: String(initial), to: String(amount) });
    }
  }

  // close date: planned dates before the final one, each push recorded when it happened
  const planned = plannedCloseDates(rng, ctx, spec, pushedOut);
  changes.push({ t: created, field: 'closeDate', from: null, to: ctx.iso.date(planned[0] as number) });
  let pushT = created;
  for (let j = 1; j < planned.length; j += 1) {
    const previous = planned[j - 1] as number;
    let day = pushedOut ? rng.int(Math.max(createdDay + 1, asOf - 21), asOf - 1) : previous - rng.int(0, 7);
    day = Math.min(lastDay, Math.max(createdDay + 1, day));
    pushT = Math.max(pushT + 15, day * 1440 + businessMinute(rng));
    changes.push({ t: pushT, field: 'closeDate', from: ctx.iso.date(previous), to: ctx.iso.date(planned[j] as number) });
  }
  changes.sort((a, b) => a.t - b.t);

  const closeOwner = closed && plan.formerOwner && spec.closeDay < plan.formerOwner.untilDay ? plan.formerOwner.key : plan.account.ownerKey;
  return {
    key: ctx.keys.next('deal', 7),
    accountKey: plan.account.key,
    ownerKey: closeOwner,
    name: spec.name,
    amount,
    stage,
    closeDate: ctx.iso.date(spec.closeDay),
    createdAt: ctx.iso.instant(createdDay, created - createdDay * 1440),
    type: spec.type,
    history: changes.map((c) => ({ at: ctx.iso.instant(Math.floor(c.t / 1440), c.t % 1440), field: c.field, from: c.from, to: c.to })),
    lineItems: items,
  };
}

/** the close dates a deal had, first to last (the last is its close date) */
function plannedCloseDates(rng: SeededRandom, ctx: SeedContext, spec: DealSpec, pushedOut: boolean): number[] {
  if (pushedOut) {
    const committed = rng.int(Math.max(ctx.asOf, ctx.currentQuarter.start), ctx.currentQuarter.end);
    return [committed, spec.closeDay];
  }
  const pushes = rng.weighted([[0, 0.6], [1, 0.28], [2, 0.09], [3, 0.03]] as const);
  const planned = [spec.closeDay];
  for (let j = 0; j < pushes; j += 1) {
    const earlier = (planned[0] as number) - rng.int(7, 40);
    if (earlier <= spec.createdDay + 7) break;
    planned.unshift(earlier);
  }
  return planned;
}
