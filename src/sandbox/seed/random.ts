/**
 * Seeded randomness for the generator: one small deterministic stream (mulberry32) per account, so
 * the same seed always gives the same org and one account's draws never shift another's.
 */
import { mulberry32 } from '../common/faults.js';

/** Mixes the org seed and a stream number into one 32-bit seed (murmur3 finaliser). */
export function streamSeed(seed: number, stream: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(stream + 1, 0x85ebca77)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class SeededRandom {
  private readonly next01: () => number;

  constructor(seed: number) {
    this.next01 = mulberry32(seed);
  }

  /** uniform in [0, 1) */
  next(): number {
    return this.next01();
  }

  /** integer in [min, max], both inclusive */
  int(min: number, max: number): number {
    return min + Math.floor(this.next01() * (max - min + 1));
  }

  /** uniform in [min, max) */
  between(min: number, max: number): number {
    return min + this.next01() * (max - min);
  }

  chance(probability: number): boolean {
    return this.next01() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('SeededRandom.pick: cannot pick from an empty list');
    return items[Math.floor(this.next01() * items.length)] as T;
  }

  /** picks a value with probability proportional to its weight */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of choices) total += w;
    let r = this.next01() * total;
    for (const [value, w] of choices) {
      r -= w;
      if (r < 0) return value;
    }
    const last = choices[choices.length - 1];
    if (!last) throw new Error('SeededRandom.weighted: no choices');
    return last[0];
  }

  /** Poisson count: Knuth's method for small means, a rounded normal for large ones */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 40) return Math.max(0, Math.round(this.normal(mean, Math.sqrt(mean))));
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.next01();
    while (p > limit) {
      k += 1;
      p *= this.next01();
    }
    return k;
  }

  /** normal draw (Box-Muller) */
  normal(mean: number, sd: number): number {
    const u = 1 - this.next01();
    const v = this.next01();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
