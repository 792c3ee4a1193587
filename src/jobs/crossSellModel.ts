/**
 * The cross-sell model of a cycle, built from every account's won line items (all accounts are the
 * base rates), keyed to unified account ids. Built once per cycle per process and reused by every
 * score batch of that cycle the process runs.
 */
import { buildCrossSellFeedback, buildCrossSellModel, crossSellFactsFromDeals, type CrossSellFeedback, type CrossSellModel } from '../domain/crosssell.js';
import type { Account, Deal, LineItem, Product } from '../domain/model.js';
import type { Store } from '../store/index.js';
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

export async function buildCycleModel(store: Store, settings: AnalyticsSettings, asOf: string): Promise<CycleModel> {
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
  const feedbackEntries = await store.insights.feedback();
  const feedback = buildCrossSellFeedback(
    feedbackEntries.map((e) => ({ accountId: e.accountId, item: e.item, outcome: e.outcome, via: 'manual' as const, at: e.at, recordId: e.recordId })),
  );
  return { model, owned: new Map([...ownership].map(([k, v]) => [k, new Set(v.keys())])), feedback };
}

export function cycleModel(store: Store, settings: AnalyticsSettings, cycleId: string, asOf: string): Promise<CycleModel> {
  let m = cache.get(cycleId);
  if (!m) {
    m = buildCycleModel(store, settings, asOf);
    cache.set(cycleId, m);
    m.catch(() => cache.delete(cycleId));
    // Keep the last few cycles only.
    while (cache.size > 3) cache.delete(cache.keys().next().value as string);
  }
  return m;
}
