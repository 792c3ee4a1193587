/**
 * Item-item co-occurrence on binary ownership (analytics.md 1.3). With M the accounts × items 0/1
 * matrix, C = MᵀM: C_ii is how many accounts own i, C_ij how many own both i and j. N counts the
 * accounts owning at least one item (an empty basket is not a transaction).
 *
 *   conf(i → j) = C_ij / C_ii        cos(i, j) = C_ij / √(C_ii C_jj)
 *   lift(i → j) = C_ij N / (C_ii C_jj)  jac(i, j) = C_ij / (C_ii + C_jj − C_ij)
 *
 * An account's affinity for j sums sim(i, j) over the items i it owns, each term shrunk by
 * C_ij / (C_ij + β) and dropped when C_ij < the minimum co-count, so rare pairs are not
 * over-trusted. B2B catalogues have tens of families, so the dense matrix is tiny; triple counts
 * (for two-item rule antecedents) are kept sparse.
 * Pure and deterministic.
 */

export const itemSimilarities = ['confidence', 'cosine', 'lift', 'jaccard'] as const;
export type ItemSimilarity = (typeof itemSimilarities)[number];

export interface CooccurrenceOptions {
  /** also count triples (needed for rules with two-item antecedents) */
  triples?: boolean;
}

export class CooccurrenceMatrix {
  /** sorted item names; an item's index is its position here */
  readonly items: readonly string[];
  /** baskets with at least one item */
  readonly transactions: number;
  private readonly indexByItem: ReadonlyMap<string, number>;
  private readonly counts: Uint32Array;
  private readonly tripleCounts: ReadonlyMap<number, number> | null;

  private constructor(
    items: string[],
    transactions: number,
    counts: Uint32Array,
    tripleCounts: Map<number, number> | null,
  ) {
    this.items = items;
    this.transactions = transactions;
    this.indexByItem = new Map(items.map((item, i) => [item, i]));
    this.counts = counts;
    this.tripleCounts = tripleCounts;
  }

  /** Counts items, pairs (and triples when asked) over baskets; duplicate items in a basket count once. */
  static fromBaskets(baskets: Iterable<Iterable<string>>, options: CooccurrenceOptions = {}): CooccurrenceMatrix {
    const sets: string[][] = [];
    const names = new Set<string>();
    for (const basket of baskets) {
      const set = [...new Set(basket)];
      if (set.length === 0) continue;
      sets.push(set);
      for (const item of set) names.add(item);
    }
    const items = [...names].sort();
    const index = new Map(items.map((item, i) => [item, i]));
    const n = items.length;
    const counts = new Uint32Array(n * n);
    const triples = options.triples ? new Map<number, number>() : null;
    for (const set of sets) {
      const ids = set.map((item) => index.get(item)!).sort((a, b) => a - b);
      for (let x = 0; x < ids.length; x++) {
        const a = ids[x]!;
        counts[a * n + a]! += 1;
        for (let y = x + 1; y < ids.length; y++) {
          const b = ids[y]!;
          counts[a * n + b]! += 1;
          counts[b * n + a]! += 1;
          if (!triples) continue;
          for (let z = y + 1; z < ids.length; z++) {
            const key = (a * n + b) * n + ids[z]!;
            triples.set(key, (triples.get(key) ?? 0) + 1);
          }
        }
      }
    }
    return new CooccurrenceMatrix(items, sets.length, counts, triples);
  }

  indexOf(item: string): number | undefined {
    return this.indexByItem.get(item);
  }

  /** accounts owning item i */
  itemCount(i: number): number {
    return this.counts[i * this.items.length + i]!;
  }

  /** accounts owning both i and j (C_ii when i = j) */
  pairCount(i: number, j: number): number {
    return this.counts[i * this.items.length + j]!;
  }

  /** accounts owning all three distinct items; throws when triples were not counted */
  tripleCount(i: number, j: number, k: number): number {
    if (!this.tripleCounts) throw new Error('triple counts were not built: create the matrix with { triples: true }');
    let a = i;
    let b = j;
    let c = k;
    if (a > b) [a, b] = [b, a];
    if (b > c) [b, c] = [c, b];
    if (a > b) [a, b] = [b, a];
    const n = this.items.length;
    return this.tripleCounts.get((a * n + b) * n + c) ?? 0;
  }

  get hasTriples(): boolean {
    return this.tripleCounts !== null;
  }

  /** sim(i, j) from counts; 0 when a count it divides by is 0 */
  similarity(kind: ItemSimilarity, i: number, j: number): number {
    const cij = this.pairCount(i, j);
    if (cij === 0) return 0;
    const cii = this.itemCount(i);
    const cjj = this.itemCount(j);
    switch (kind) {
      case 'confidence':
        return cij / cii;
      case 'cosine':
        return cij / Math.sqrt(cii * cjj);
      case 'lift':
        return (cij * this.transactions) / (cii * cjj);
      case 'jaccard':
        return cij / (cii + cjj - cij);
    }
  }
}

export interface AffinityOptions {
  similarity: ItemSimilarity;
  /** β in C_ij / (C_ij + β); 0 turns shrinkage off */
  shrinkage: number;
  /** pairs seen together fewer times than this contribute nothing */
  minCoCount: number;
}

/**
 * Σ_{i ∈ owned} sim(i, j) · C_ij / (C_ij + β) for every item j (owned items included: callers
 * exclude them). `owned` holds item indices.
 */
export function affinityScores(
  matrix: CooccurrenceMatrix,
  owned: readonly number[],
  options: AffinityOptions,
): Float64Array {
  const n = matrix.items.length;
  const scores = new Float64Array(n);
  for (const i of owned) {
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const cij = matrix.pairCount(i, j);
      if (cij === 0 || cij < options.minCoCount) continue;
      const shrink = options.shrinkage > 0 ? cij / (cij + options.shrinkage) : 1;
      scores[j]! += matrix.similarity(options.similarity, i, j) * shrink;
    }
  }
  return scores;
}
