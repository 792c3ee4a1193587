/**
 * The cross-sell model of a cycle, built from every account's won line items (all accounts are the
 * base rates), keyed to unified account ids. Built once per cycle per process and reused by every
 * score batch of that cycle the process runs.
 */
import { buildCrossSellFeedback, buildCrossSellModel, crossSellFactsFromDeals, type CrossSellFeedback, type CrossSellModel } from '../domain/crosssell.js';
import type { Account, Deal, LineItem, Product } from '../domain/model.js';
import type { Store } from '../store/index.js';
import type { CrossSellFeedbackEntry } from '../store/insights.js';
import type { AnalyticsSettings } from './settings.js';

export interface CycleModel {
  model: CrossSellModel;
  /** unified account id → owned items */
  owned: Map<string, Set<string>>;
  feedback: CrossSellFeedback;
}

const cache = new Map<string, Promise<CycleModel>>();

async function collect<K extends 'deal' | 'lineItem' | 'product' | 'account'>(store: Store, kind: K) {
  const out = [];
  for await (const page of store.records.scan(kind, 2000)) out.push(...page);
  return out;
}

/**
 * Feedback the CRM gives without anyone clicking: an opportunity AccountPulse published that now
 * shows up in the account's open pipeline or among its won products was taken up (accepted).
 */
async function derivedAcceptances(store: Store, ownership: Map<string, Map<string, string>>, inPipeline: Map<string, Set<string>>, known: ReadonlySet<string>, asOf: string): Promise<CrossSellFeedbackEntry[]> {
  const out: CrossSellFeedbackEntry[] = [];
  for await (const page of store.insights.allCrossSell()) {
    for (const [accountId, opportunities] of page) {
      for (const o of opportunities) {
        if (known.has(`${accountId}|${o.product}`)) continue;
        if (inPipeline.get(accountId)?.has(o.product) || ownership.get(accountId)?.has(o.product)) {
          out.push({ accountId, item: o.product, outcome: 'accepted', via: 'deal_created', at: asOf, recordId: null });
        }
      }
    }
  }
  return out;
}

export async function buildCycleModel(store: Store, settings: AnalyticsSettings, asOf: string, persistFeedback = true): Promise<CycleModel> {
  const [deals, lineItems, products, accounts] = await Promise.all([
    collect(store, 'deal') as Promise<Deal[]>,
    collect(store, 'lineItem') as Promise<LineItem[]>,
    collect(store, 'product') as Promise<Product[]>,
    collect(store, 'account') as Promise<Account[]>,
  ]);
  const facts = crossSellFactsFromDeals(deals, lineItems, products, settings.crossSell.level);
  const unifiedOf = await store.unified.unifiedOf([...new Set([...facts.ownership.keys(), ...facts.inPipeline.keys(), ...accounts.map((a) => a.id)])]);
  const ownership = new Map<string, Map<string, string>>();
  for (const [member, items] of facts.ownership) {
    const u = unifiedOf.get(member) ?? member;
    const into = ownership.get(u) ?? new Map<string, string>();
    for (const [item, first] of items) {
      const cur = into.get(item);
      if (!cur || first < cur) into.set(item, first);
    }
    ownership.set(u, into);
  }
  const inPipeline = new Map<string, Set<string>>();
  for (const [member, items] of facts.inPipeline) {
    const u = unifiedOf.get(member) ?? member;
    const into = inPipeline.get(u) ?? new Set<string>();
    for (const i of items) if (!ownership.get(u)?.has(i)) into.add(i);
    inPipeline.set(u, into);
  }
  const unifiedAccounts = accounts.filter((a) => (unifiedOf.get(a.id) ?? a.id) === a.id);
  const model = buildCrossSellModel(ownership, unifiedAccounts, { asOf, config: settings.crossSell, inPipeline, items: facts.items });
  const stored = await store.insights.feedback();
  const derived = await derivedAcceptances(store, ownership, inPipeline, new Set(stored.map((e) => `${e.accountId}|${e.item}`)), asOf);
  if (persistFeedback && derived.length) await store.insights.putFeedback(derived);
  const feedback = buildCrossSellFeedback(
    [...stored, ...derived].map((e) => ({ accountId: e.accountId, item: e.item, outcome: e.outcome, via: e.via ?? ('manual' as const), at: e.at, recordId: e.recordId })),
  );
  return { model, owned: new Map([...ownership].map(([k, v]) => [k, new Set(v.keys())])), feedback };
}

export function cycleModel(store: Store, settings: AnalyticsSettings, cycleId: string, asOf: string, persistFeedback = true): Promise<CycleModel> {
  let m = cache.get(cycleId);
  if (!m) {
    m = buildCycleModel(store, settings, asOf, persistFeedback);
    cache.set(cycleId, m);
    m.catch(() => cache.delete(cycleId));
    // Keep the last few cycles only.
    while (cache.size > 3) cache.delete(cache.keys().next().value as string);
  }
  return m;
}
