/**
 * Child rows by parent id for one reference field (e.g. Task.WhatId): subqueries, roll-ups and
 * Task/Event AccountId read it. Each parent's children form a linked list through the child
 * rows, in the order they were linked: per parent key prefix, `heads`/`tails` (Int32, chunked)
 * are indexed by the parent id's counter (IdCodec; counters of a prefix are dense) and `next` by
 * child row. That is 4 bytes per child and 8 per parent, where a Map of arrays costs ~100 bytes
 * per parent.
 * Parent ids that do not encode (or with a far-off counter) go to a Map of row lists.
 * All entries are row + 1, so 0 means none.
 */
import { int32s, type ChunkedArray } from './chunked.js';
import { IdCodec } from './ids.js';

/** a parent counter this far past the current array goes to the Map (a hand-typed huge id) */
const MAX_COUNTER_GAP = 1_000_000;

interface ParentLists {
  heads: ChunkedArray;
  tails: ChunkedArray;
}

export class ChildIndex {
  private byPrefix = new Map<number, ParentLists>();
  private next = int32s(0);
  private byText = new Map<string, number[]>();

  constructor(private readonly codec: IdCodec) {}

  /** Child rows of `parentId`, in the order they were linked (a fresh array). */
  rows(parentId: string): number[] {
    const out: number[] = [];
    const code = this.codec.encode(parentId);
    if (code === code) {
      const lists = this.byPrefix.get(IdCodec.prefixOf(code));
      const counter = IdCodec.counterOf(code);
      if (lists && counter < lists.heads.length) {
        for (let entry = lists.heads.get(counter); entry !== 0; entry = this.next.get(entry - 1)) out.push(entry - 1);
      }
    }
    const listed = this.byText.size ? this.byText.get(parentId) : undefined;
    if (listed) out.push(...listed);
    return out;
  }

  add(parentId: string, row: number): void {
    this.next.set(row, 0);
    const code = this.codec.encode(parentId);
    const lists = code === code ? this.listsOf(IdCodec.prefixOf(code)) : undefined;
    const counter = code === code ? IdCodec.counterOf(code) : -1;
    if (!lists || counter >= lists.heads.length + MAX_COUNTER_GAP) {
      const listed = this.byText.get(parentId);
      if (listed) listed.push(row);
      else this.byText.set(parentId, [row]);
      return;
    }
    lists.heads.fill(counter + 1);
    lists.tails.fill(counter + 1);
    const tail = lists.tails.get(counter);
    if (tail === 0) lists.heads.set(counter, row + 1);
    else this.next.set(tail - 1, row + 1);
    lists.tails.set(counter, row + 1);
  }

  remove(parentId: string, row: number): void {
    const listed = this.byText.size ? this.byText.get(parentId) : undefined;
    const at = listed ? listed.indexOf(row) : -1;
    if (listed && at >= 0) {
      listed.splice(at, 1);
      if (listed.length === 0) this.byText.delete(parentId);
      return;
    }
    const code = this.codec.encode(parentId);
    const lists = code === code ? this.byPrefix.get(IdCodec.prefixOf(code)) : undefined;
    const counter = code === code ? IdCodec.counterOf(code) : -1;
    if (!lists || counter >= lists.heads.length) return;
    let previous = 0;
    for (let entry = lists.heads.get(counter); entry !== 0; previous = entry, entry = this.next.get(entry - 1)) {
      if (entry !== row + 1) continue;
      const after = this.next.get(row);
      if (previous === 0) lists.heads.set(counter, after);
      else this.next.set(previous - 1, after);
      if (lists.tails.get(counter) === entry) lists.tails.set(counter, previous);
      this.next.set(row, 0);
      return;
    }
  }

  /** Drops spare capacity once a bulk load is done. */
  trim(): void {
    this.next.trim();
    for (const lists of this.byPrefix.values()) {
      lists.heads.trim();
      lists.tails.trim();
    }
  }

  private listsOf(prefix: number): ParentLists {
    let lists = this.byPrefix.get(prefix);
    if (!lists) this.byPrefix.set(prefix, (lists = { heads: int32s(0), tails: int32s(0) }));
    return lists;
  }
}
