/**
 * The cross-sell hold-out protocol (analytics.md 1.3, "Evaluation protocol"), on any ownership:
 * per account, hide the items first bought on its latest purchase date (its newest items), train
 * on everyone's remaining items, rank every item the account does not own in training, and score
 * the rankings against the hidden items. The production scorer is compared with popularity (items
 * ranked by how many training accounts own them). The same split runs on Groceries in
 * scripts/eval/groceries-crosssell.ts. Pure and deterministic.
 */
import { CrossSellConfigSchema, buildCrossSellModel, noCrossSellFeedback, scoreWhiteSpace, type CrossSellConfigInput } from '../crosssell.js';
import type { Account } from '../model.js';
import { RankingEvaluator, type RankingSummary } from './ranking.js';

export interface HoldOutCase {
  accountId: string;
  /** items the account owns in training, sorted */
  owned: string[];
  /** hidden items, to be found */
  heldOut: Set<string>;
}

export interface HoldOutSplit {
  /** account id → item → first-won date, without the hidden items */
  training: Map<string, Map<string, string>>;
  cases: HoldOutCase[];
}

/**
 * Hides, for each account owning at least `minItems` items, the items first bought on its latest
 * date. An account whose items were all bought on one date keeps them all and is not evaluated
 * (nothing would be left to rank from); so is an account owning fewer than `minItems`.
 */
export function holdOutNewest(ownership: ReadonlyMap<string, ReadonlyMap<string, string>>, minItems = 2): HoldOutSplit {
  const training = new Map<string, Map<string, string>>();
  const cases: HoldOutCase[] = [];
  for (const accountId of [...ownership.keys()].sort()) {
    const items = ownership.get(accountId)!;
    let latest = '';
    for (const date of items.values()) if (date > latest) latest = date;
    const kept = new Map<string, string>();
    const heldOut = new Set<string>();
    for (const [item, date] of items) {
      if (date === latest) heldOut.add(item);
      else kept.set(item, date);
    }
    if (items.size >= minItems && kept.size > 0 && heldOut.size > 0) {
      training.set(accountId, kept);
      cases.push({ accountId, owned: [...kept.keys()].sort(), heldOut });
    } else {
      training.set(accountId, new Map(items));
    }
  }
  return { training, cases };
}

export interface HoldOutEvaluation {
  evaluatedAccounts: number;
  heldOutItems: number;
  /** distinct items in the training ownership (the candidates) */
  items: number;
  production: RankingSummary;
  popularity: RankingSummary;
}

export interface HoldOutOptions {
  /** accounts for peer segments (industry, employees) */
  accounts: Iterable<Pick<Account, 'id' | 'industry' | 'employees'>>;
  config?: CrossSellConfigInput;
  /** the model's run date (YYYY-MM-DD) */
  asOf: string;
  ks?: number[];
  mapK?: number;
}

/** Ranks each case's white space with the production scorer and with popularity, and scores both. */
export function evaluateHoldOut(split: HoldOutSplit, options: HoldOutOptions): HoldOutEvaluation {
  const config = CrossSellConfigSchema.parse(options.config ?? {});
  const accounts = [...options.accounts];
  const accountById = new Map(accounts.map((a) => [a.id, a]));
  // No feedback and no pipeline: both come from after the hidden purchases and would leak them.
  const model = buildCrossSellModel(split.training, accounts, { asOf: options.asOf, config });
  const { matrix } = model;
  const popularityOrder = matrix.items
    .map((item, j) => ({ item, count: matrix.itemCount(j) }))
    .sort((a, b) => b.count - a.count || (a.item < b.item ? -1 : a.item > b.item ? 1 : 0))
    .map((x) => x.item);
  const ks = options.ks ?? [1, 3, 10];
  const production = new RankingEvaluator({ ks, mapK: options.mapK ?? 10 });
  const popularity = new RankingEvaluator({ ks, mapK: options.mapK ?? 10 });
  let heldOutItems = 0;
  for (const c of split.cases) {
    heldOutItems += c.heldOut.size;
    const account = accountById.get(c.accountId) ?? null;
    production.add(
      scoreWhiteSpace(model, c.accountId, c.owned, account, noCrossSellFeedback, config).map((s) => s.item),
      c.heldOut,
    );
    const owned = new Set(c.owned);
    popularity.add(popularityOrder.filter((item) => !owned.has(item)), c.heldOut);
  }
  return {
    evaluatedAccounts: split.cases.length,
    heldOutItems,
    items: matrix.items.length,
    production: production.summary(),
    popularity: popularity.summary(),
  };
}
