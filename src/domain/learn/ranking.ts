/**
 * Ranking metrics for the cross-sell hold-out evaluation (analytics.md 1.3): the leave-one-out
 * HR/NDCG protocol of He et al. (NCF) and the P@k / MAP definitions of recometrics.
 *
 * For one user: `ranked` is the recommendation list, best first (owned items already removed);
 * `relevant` holds the held-out items. With R = |relevant| and rel_i = 1 when ranked[i] is relevant:
 *   HR@k   = 1 if any of the top k is relevant, else 0
 *   P@k    = (Σ_{i≤k} rel_i) / k
 *   AP@k   = (Σ_{i≤k} rel_i · P@i) / min(k, R)
 *   NDCG@k = (Σ_{i≤k} rel_i / log2(i + 1)) / (Σ_{i≤min(k,R)} 1 / log2(i + 1))
 * The evaluation reports each as the mean over users with at least one relevant item.
 * Pure, no I/O.
 */

export function hitRateAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  const top = Math.min(k, ranked.length);
  for (let i = 0; i < top; i++) if (relevant.has(ranked[i]!)) return 1;
  return 0;
}

export function precisionAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  return hitsInTop(ranked, relevant, k) / k;
}

export function averagePrecisionAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  if (relevant.size === 0) return 0;
  const top = Math.min(k, ranked.length);
  let hits = 0;
  let sum = 0;
  for (let i = 0; i < top; i++) {
    if (!relevant.has(ranked[i]!)) continue;
    hits += 1;
    sum += hits / (i + 1);
  }
  return sum / Math.min(k, relevant.size);
}

export function ndcgAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  if (relevant.size === 0) return 0;
  const top = Math.min(k, ranked.length);
  let dcg = 0;
  for (let i = 0; i < top; i++) if (relevant.has(ranked[i]!)) dcg += 1 / Math.log2(i + 2);
  let ideal = 0;
  for (let i = 0; i < Math.min(k, relevant.size); i++) ideal += 1 / Math.log2(i + 2);
  return dcg / ideal;
}

function hitsInTop(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  const top = Math.min(k, ranked.length);
  let hits = 0;
  for (let i = 0; i < top; i++) if (relevant.has(ranked[i]!)) hits += 1;
  return hits;
}

export interface RankingSummary {
  /** users with at least one relevant item (others are skipped, not counted as misses) */
  users: number;
  /** HR@k per requested k */
  hitRate: Record<number, number>;
  /** P@k per requested k */
  precision: Record<number, number>;
  /** MAP@k and NDCG@k at `mapK` */
  map: number;
  ndcg: number;
  mapK: number;
}

export interface RankingEvaluatorOptions {
  /** cut-offs for HR@k and P@k, e.g. [1, 3, 10] */
  ks: readonly number[];
  /** cut-off for MAP and NDCG, default 10 */
  mapK?: number;
}

/** Accumulates per-user metrics and reports their means. */
export class RankingEvaluator {
  private readonly ks: readonly number[];
  private readonly mapK: number;
  private users = 0;
  private readonly hitSums = new Map<number, number>();
  private readonly precisionSums = new Map<number, number>();
  private apSum = 0;
  private ndcgSum = 0;

  constructor(options: RankingEvaluatorOptions) {
    if (options.ks.length === 0 || options.ks.some((k) => !Number.isInteger(k) || k < 1)) {
      throw new RangeError(`ranking cut-offs must be positive integers, got [${options.ks.join(', ')}]`);
    }
    this.ks = [...options.ks];
    this.mapK = options.mapK ?? 10;
    for (const k of this.ks) {
      this.hitSums.set(k, 0);
      this.precisionSums.set(k, 0);
    }
  }

  /** Adds one user's ranking; a user with no relevant items is ignored. */
  add(ranked: readonly string[], relevant: ReadonlySet<string>): void {
    if (relevant.size === 0) return;
    this.users += 1;
    for (const k of this.ks) {
      this.hitSums.set(k, this.hitSums.get(k)! + hitRateAtK(ranked, relevant, k));
      this.precisionSums.set(k, this.precisionSums.get(k)! + precisionAtK(ranked, relevant, k));
    }
    this.apSum += averagePrecisionAtK(ranked, relevant, this.mapK);
    this.ndcgSum += ndcgAtK(ranked, relevant, this.mapK);
  }

  summary(): RankingSummary {
    const mean = (sum: number): number => (this.users > 0 ? sum / this.users : 0);
    const hitRate: Record<number, number> = {};
    const precision: Record<number, number> = {};
    for (const k of this.ks) {
      hitRate[k] = mean(this.hitSums.get(k)!);
      precision[k] = mean(this.precisionSums.get(k)!);
    }
    return {
      users: this.users,
      hitRate,
      precision,
      map: mean(this.apSum),
      ndcg: mean(this.ndcgSum),
      mapK: this.mapK,
    };
  }
}
