/**
 * Seed key ("acct-000042") → CRM id, for the million-odd seeded records of a 100,000-account org.
 * Seed keys are a prefix and a zero-padded number, so per (prefix, width) the ids sit in a
 * Float64Array indexed by that number, each as a number the CRM's `IdEncoding` gives: 8 bytes a key
 * where a Map holds two strings and a hash entry (~280 bytes). Keys, or ids that do not encode, go
 * to a plain Map. Reads like a Map.
 */
export interface IdEncoding {
  /** the id as a number, or NaN when it has no numeric form */
  encode(id: string): number;
  decode(code: number): string;
}

const MAX_NUMBER_GAP = 1_000_000;
const SEQUENTIAL_KEY = /^([A-Za-z][A-Za-z_]*(?:-[A-Za-z_]+)*)-(\d{1,9})$/;

interface KeySequence {
  prefix: string;
  width: number;
  /** id codes by number; NaN where no key is set */
  codes: Float64Array;
}

export class SeedKeyIndex implements Iterable<[string, string]> {
  /** "acct|6" -> the sequence of that prefix and width */
  private readonly sequences = new Map<string, KeySequence>();
  private readonly others = new Map<string, string>();
  private count = 0;

  constructor(private readonly encoding: IdEncoding) {}

  get size(): number {
    return this.count;
  }

  get(key: string): string | undefined {
    const m = SEQUENTIAL_KEY.exec(key);
    if (m) {
      const code = this.sequences.get(`${m[1]}|${m[2]!.length}`)?.codes[Number(m[2])];
      if (code !== undefined && code === code) return this.encoding.decode(code);
    }
    return this.others.get(key);
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  set(key: string, id: string): this {
    const had = this.has(key);
    const m = SEQUENTIAL_KEY.exec(key);
    const code = this.encoding.encode(id);
    // a far-off number (a hand-written key) would allocate a huge array: keep it in the Map
    if (!m || code !== code || Number(m[2]) > this.limitOf(m[1]!, m[2]!.length)) {
      if (m) this.sequences.get(`${m[1]}|${m[2]!.length}`)?.codes.fill(Number.NaN, Number(m[2]), Number(m[2]) + 1);
      this.others.set(key, id);
    } else {
      const n = Number(m[2]);
      const sequence = this.sequence(m[1]!, m[2]!.length, n);
      sequence.codes[n] = code;
      this.others.delete(key);
    }
    if (!had) this.count += 1;
    return this;
  }

  /** [key, id] pairs: sequential keys by prefix then number, then the others in insertion order. */
  *entries(): IterableIterator<[string, string]> {
    for (const s of this.sequences.values()) {
      for (let n = 0; n < s.codes.length; n++) {
        const code = s.codes[n]!;
        if (code === code) yield [`${s.prefix}-${String(n).padStart(s.width, '0')}`, this.encoding.decode(code)];
      }
    }
    yield* this.others.entries();
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  /** Drops spare capacity (the doubling's tail) once a bulk load is done. */
  trim(): void {
    for (const s of this.sequences.values()) {
      let end = s.codes.length;
      while (end > 0 && s.codes[end - 1] !== s.codes[end - 1]) end -= 1;
      if (end < s.codes.length) s.codes = s.codes.slice(0, end);
    }
  }

  /** the highest number a sequence takes without a jump of more than a million */
  private limitOf(prefix: string, width: number): number {
    return (this.sequences.get(`${prefix}|${width}`)?.codes.length ?? 0) + MAX_NUMBER_GAP;
  }

  /** The sequence of (prefix, width), grown to hold number `n`. */
  private sequence(prefix: string, width: number, n: number): KeySequence {
    const group = `${prefix}|${width}`;
    let sequence = this.sequences.get(group);
    if (!sequence) this.sequences.set(group, (sequence = { prefix, width, codes: new Float64Array(0) }));
    if (n >= sequence.codes.length) {
      const grown = new Float64Array(Math.max(n + 1, sequence.codes.length * 2, 16)).fill(Number.NaN);
      grown.set(sequence.codes);
      sequence.codes = grown;
    }
    return sequence;
  }
}
