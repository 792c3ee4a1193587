/**
 * The parts under the Salesforce sandbox's columnar store: ids as numbers (IdCodec), chunked
 * typed arrays, the child index as linked lists, and the seed key -> id index.
 */
import { describe, expect, it } from 'vitest';
import { ChildIndex } from '../../src/sandbox/salesforce/child-index.js';
import { float64s, int32s } from '../../src/sandbox/salesforce/chunked.js';
import { IdCodec, IdFactory, keyPrefixes, toId18 } from '../../src/sandbox/salesforce/ids.js';
import { SeedIdIndex } from '../../src/sandbox/salesforce/seed-ids.js';

describe('IdCodec', () => {
  it('encodes factory ids to numbers and decodes them to the same 18 characters', () => {
    const codec = new IdCodec();
    const factory = new IdFactory();
    const ids = [...Array.from({ length: 70 }, () => factory.next(keyPrefixes.Task)), factory.next(keyPrefixes.Account)];
    const codes = ids.map((id) => codec.encode(id));
    expect(codes.every((c) => Number.isFinite(c))).toBe(true);
    expect(new Set(codes).size).toBe(ids.length);
    expect(codes.map((c) => codec.decode(c))).toEqual(ids);
    expect(IdCodec.counterOf(codes[69]!)).toBe(70);
    expect(IdCodec.prefixOf(codes[70]!)).not.toBe(IdCodec.prefixOf(codes[0]!));
  });

  it('gives NaN for ids it cannot rebuild: other pods, 15 characters, a wrong suffix', () => {
    const codec = new IdCodec();
    expect(codec.encode('001xx000003DGb2AAG')).toBeNaN();
    expect(codec.encode('0015g0000000001')).toBeNaN();
    const good = toId18('0015g0000000001');
    expect(codec.encode(good)).not.toBeNaN();
    expect(codec.encode(`${good.slice(0, 15)}ZZZ`)).toBeNaN();
    expect(codec.encode('')).toBeNaN();
  });
});

describe('ChunkedArray', () => {
  it('appends, sets and truncates across chunk boundaries, new elements holding the empty value', () => {
    const doubles = float64s();
    doubles.fill(20_000);
    expect(doubles.length).toBe(20_000);
    expect(doubles.get(19_999)).toBeNaN();
    doubles.set(16_384, 1.5);
    doubles.push(7);
    expect([doubles.get(16_384), doubles.get(20_000), doubles.length]).toEqual([1.5, 7, 20_001]);
    const ints = int32s(-1);
    for (let i = 0; i < 40_000; i++) ints.push(i * 3);
    expect([ints.get(0), ints.get(16_383), ints.get(16_384), ints.get(39_999)]).toEqual([0, 49_149, 49_152, 119_997]);
    ints.truncate(10);
    expect(ints.length).toBe(10);
    ints.set(12, 5);
    expect([ints.get(10), ints.get(11), ints.get(12)]).toEqual([-1, -1, 5]);
  });
});

describe('ChildIndex', () => {
  it('lists children in link order, unlinks from the head, middle and tail, and keeps odd parent ids apart', () => {
    const codec = new IdCodec();
    const factory = new IdFactory();
    const index = new ChildIndex(codec);
    const [p1, p2] = [factory.next(keyPrefixes.Account), factory.next(keyPrefixes.Account)];
    for (const row of [4, 1, 9, 7]) index.add(p1, row);
    index.add(p2, 2);
    index.add('001xx000003DGb2AAG', 3);
    expect(index.rows(p1)).toEqual([4, 1, 9, 7]);
    index.remove(p1, 9);
    expect(index.rows(p1)).toEqual([4, 1, 7]);
    index.remove(p1, 4);
    index.remove(p1, 7);
    expect(index.rows(p1)).toEqual([1]);
    index.add(p1, 8);
    expect(index.rows(p1)).toEqual([1, 8]);
    expect(index.rows(p2)).toEqual([2]);
    expect(index.rows('001xx000003DGb2AAG')).toEqual([3]);
    index.remove('001xx000003DGb2AAG', 3);
    expect(index.rows('001xx000003DGb2AAG')).toEqual([]);
    expect(index.rows(factory.next(keyPrefixes.Account))).toEqual([]);
  });
});

describe('SeedIdIndex', () => {
  it('maps sequential and other seed keys to ids, reads like a Map and iterates every pair', () => {
    const factory = new IdFactory();
    const index = new SeedIdIndex();
    const a = factory.next(keyPrefixes.Account);
    const b = factory.next(keyPrefixes.Account);
    index.set('acct-000001', a).set('acct-000002', b).set('quota:owner-0001:2026-01-01', b).set('deal-2', 'hand-typed');
    index.set('acct-000001', b);
    expect(index.size).toBe(4);
    expect([index.get('acct-000001'), index.get('acct-000002'), index.get('quota:owner-0001:2026-01-01'), index.get('deal-2')]).toEqual([b, b, b, 'hand-typed']);
    expect(index.get('acct-000003')).toBeUndefined();
    expect(index.get('acct-00001')).toBeUndefined();
    expect(new Map(index)).toEqual(new Map([['acct-000001', b], ['acct-000002', b], ['quota:owner-0001:2026-01-01', b], ['deal-2', 'hand-typed']]));
  });
});
