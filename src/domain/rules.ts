/**
 * Association rules (market basket): frequent itemsets and the rules derived from them.
 *
 * Definitions (analytics.md 1.3, as in Smile, JMP and R arules), over N transactions:
 *   supp(X) = |{t : X ⊆ t}| / N,  supp(X ⇒ Y) = supp(X ∪ Y),
 *   conf(X ⇒ Y) = supp(X ∪ Y) / supp(X),  lift(X ⇒ Y) = conf(X ⇒ Y) / supp(Y).
 *
 * In B2B a transaction is the set of product families one account owns. Catalogues there are
 * small, so cross-sell counts pairs and triples directly (cooccurrence.ts); the miner below is for
 * larger baskets (the Groceries check reproduces arules' `apriori(Groceries, supp=0.001, conf=0.8)`).
 * It is Apriori in its depth-first, vertical form (Eclat): every item keeps the bitset of the
 * transactions holding it, and an itemset's transactions are the AND of its items' bitsets, so a
 * support count is a popcount. Same itemsets as Apriori or FP-growth; no candidate tables.
 *
 * Pure and deterministic: output is sorted, ties broken by item names.
 */

export interface RuleMetrics {
  support: number;
  confidence: number;
  lift: number;
}

/** Support, confidence and lift of X ⇒ Y from counts (transactions holding X, X ∪ Y, Y). */
export function ruleMetrics(counts: {
  antecedent: number;
  rule: number;
  consequent: number;
  transactions: number;
}): RuleMetrics {
  const { antecedent, rule, consequent, transactions } = counts;
  const support = transactions > 0 ? rule / transactions : 0;
  const confidence = antecedent > 0 ? rule / antecedent : 0;
  const baseRate = transactions > 0 ? consequent / transactions : 0;
  const lift = baseRate > 0 ? confidence / baseRate : 0;
  return { support, confidence, lift };
}

export interface FrequentItemset {
  /** item names, sorted */
  items: string[];
  /** transactions holding every item */
  count: number;
  support: number;
}

export interface MiningOptions {
  /** fraction of transactions, 0..1; an itemset is frequent when count / N ≥ minSupport */
  minSupport: number;
  /** longest itemset mined (arules' maxlen, default 10) */
  maxLength?: number;
}

/** Frequent itemsets of size ≥ 1, sorted by size, then by count (descending), then by names. */
export function mineFrequentItemsets(
  transactions: ReadonlyArray<ReadonlyArray<string>>,
  options: MiningOptions,
): FrequentItemset[] {
  if (!(options.minSupport > 0 && options.minSupport <= 1)) {
    throw new RangeError(`minSupport must be in (0, 1], got ${options.minSupport}: pass a fraction of transactions`);
  }
  const maxLength = options.maxLength ?? 10;
  const n = transactions.length;
  // count / n ≥ minSupport, with a small tolerance so 0.001 × 9835 = 9.835 needs 10, not 9.
  const minCount = Math.max(1, Math.ceil(options.minSupport * n - 1e-9));
  const words = Math.ceil(n / 32);

  const bitsByItem = new Map<string, Uint32Array>();
  transactions.forEach((transaction, t) => {
    for (const item of transaction) {
      let bits = bitsByItem.get(item);
      if (!bits) bitsByItem.set(item, (bits = new Uint32Array(words)));
      bits[t >>> 5]! |= 1 << (t & 31);
    }
  });

  interface Node {
    item: string;
    bits: Uint32Array;
    count: number;
  }
  const roots: Node[] = [];
  for (const [item, bits] of [...bitsByItem].sort(byKey)) {
    const count = popcount(bits);
    if (count >= minCount) roots.push({ item, bits, count });
  }

  const found: FrequentItemset[] = [];
  const extend = (prefix: string[], siblings: Node[]): void => {
    siblings.forEach((node, i) => {
      const items = [...prefix, node.item];
      found.push({ items: [...items].sort(), count: node.count, support: node.count / n });
      if (items.length >= maxLength) return;
      const children: Node[] = [];
      for (let j = i + 1; j < siblings.length; j++) {
        const other = siblings[j]!;
        const bits = and(node.bits, other.bits);
        const count = popcount(bits);
        if (count >= minCount) children.push({ item: other.item, bits, count });
      }
      if (children.length > 0) extend(items, children);
    });
  };
  extend([], roots);

  return found.sort(
    (a, b) => a.items.length - b.items.length || b.count - a.count || compareNames(a.items, b.items),
  );
}

export interface AssociationRule extends RuleMetrics {
  antecedent: string[];
  /** one item: rules have single-item consequents, as arules' apriori produces */
  consequent: string;
  /** transactions holding antecedent and consequent */
  count: number;
}

export interface RuleOptions {
  minConfidence: number;
  /** keep only rules with lift ≥ minLift (default: no filter) */
  minLift?: number;
}

/**
 * Rules X ⇒ {y} from every frequent itemset of size ≥ 2, with confidence ≥ minConfidence. Every
 * subset of a frequent itemset is frequent, so all the supports needed are in `itemsets`.
 * Sorted by lift, confidence, support (all descending), then by names.
 */
export function associationRules(
  itemsets: readonly FrequentItemset[],
  transactions: number,
  options: RuleOptions,
): AssociationRule[] {
  const countByKey = new Map<string, number>();
  for (const set of itemsets) countByKey.set(itemsetKey(set.items), set.count);
  const countOf = (items: string[]): number => {
    const count = countByKey.get(itemsetKey(items));
    if (count === undefined) {
      throw new Error(`itemset {${items.join(', ')}} is missing: pass every frequent itemset, not a filtered list`);
    }
    return count;
  };

  const rules: AssociationRule[] = [];
  for (const set of itemsets) {
    if (set.items.length < 2) continue;
    for (const consequent of set.items) {
      const antecedent = set.items.filter((item) => item !== consequent);
      const metrics = ruleMetrics({
        antecedent: countOf(antecedent),
        rule: set.count,
        consequent: countOf([consequent]),
        transactions,
      });
      if (metrics.confidence < options.minConfidence) continue;
      if (options.minLift !== undefined && metrics.lift < options.minLift) continue;
      rules.push({ antecedent, consequent, count: set.count, ...metrics });
    }
  }
  return rules.sort(
    (a, b) =>
      b.lift - a.lift ||
      b.confidence - a.confidence ||
      b.support - a.support ||
      compareNames([...a.antecedent, a.consequent], [...b.antecedent, b.consequent]),
  );
}

function itemsetKey(items: readonly string[]): string {
  return [...items].sort().join('\u0001');
}

function byKey<V>(a: [string, V], b: [string, V]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

function compareNames(a: readonly string[], b: readonly string[]): number {
  const x = a.join('\u0001');
  const y = b.join('\u0001');
  return x < y ? -1 : x > y ? 1 : 0;
}

function and(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! & b[i]!;
  return out;
}

function popcount(bits: Uint32Array): number {
  let total = 0;
  for (let i = 0; i < bits.length; i++) {
    let v = bits[i]!;
    v = v - ((v >>> 1) & 0x55555555);
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
    total += (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  return total;
}
