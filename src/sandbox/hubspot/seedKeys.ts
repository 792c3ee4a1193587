/**
 * Seed key ("acct-000042") → HubSpot id, for the ~1.35M seeded records of a 100,000-account org.
 * Seed keys are a prefix and a zero-padded sequence number, so per (prefix, width) the ids sit in an
 * array indexed by that number, as small integers: a few bytes a key where a Map holds two strings
 * and a hash entry. Keys or ids of any other shape go to a plain Map. Reads like a Map.
 */
const SEQUENTIAL_KEY = /^([A-Za-z][A-Za-z_]*(?:-[A-Za-z_]+)*)-(\d{1,9})$/;
const NUMERIC_ID = /^[1-9]\d{0,14}$/;

interface KeySequence {
  prefix: string;
  width: number;
  /** ids by sequence number; holes where a key is not loaded */
  ids: (number | undefined)[];
}

export class SeedKeyIndex implements Iterable<[string, string]> {
  /** "acct|6" → the sequence of that prefix and width */
  private readonly sequences = new Map<string, KeySequence>();
  private readonly others = new Map<string, string>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(key: string): string | undefined {
    const m = SEQUENTIAL_KEY.exec(key);
    if (m) {
      const id = this.sequences.get(`${m[1]}|${m[2]!.length}`)?.ids[Number(m[2])];
      if (id !== undefined) return String(id);
    }
    return this.others.get(key);
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  set(key: string, id: string): this {
    const m = SEQUENTIAL_KEY.exec(key);
    if (!m || !NUMERIC_ID.test(id)) {
      if (!this.has(key)) this.count += 1;
      this.deleteSequential(key);
      this.others.set(key, id);
      return this;
    }
    const group = `${m[1]}|${m[2]!.length}`;
    let sequence = this.sequences.get(group);
    if (!sequence) this.sequences.set(group, (sequence = { prefix: m[1]!, width: m[2]!.length, ids: [] }));
    const n = Number(m[2]);
    if (sequence.ids[n] === undefined && !this.others.has(key)) this.count += 1;
    this.others.delete(key);
    sequence.ids[n] = Number(id);
    return this;
  }

  private deleteSequential(key: string): void {
    const m = SEQUENTIAL_KEY.exec(key);
    const sequence = m ? this.sequences.get(`${m[1]}|${m[2]!.length}`) : undefined;
    if (m && sequence) sequence.ids[Number(m[2])] = undefined;
  }

  /** [key, id] pairs: sequential keys by prefix then number, then the others in insertion order. */
  *entries(): IterableIterator<[string, string]> {
    for (const s of this.sequences.values()) {
      for (let n = 0; n < s.ids.length; n++) {
        const id = s.ids[n];
        if (id !== undefined) yield [`${s.prefix}-${String(n).padStart(s.width, '0')}`, String(id)];
      }
    }
    yield* this.others.entries();
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  /** Drops spare capacity once a bulk load is done. */
  trim(): void {
    for (const s of this.sequences.values()) s.ids = s.ids.slice();
  }
}
