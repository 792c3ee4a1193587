/**
 * A growable typed array in fixed chunks of 16,384 elements: appending never copies what is
 * there, spare room is at most one chunk, and the elements keep their typed size (Node's V8
 * stores every plain-array element in 8 bytes). The first chunk starts small and doubles up to
 * the chunk size, so the many small tables of a test org stay small.
 *
 * Why not one doubling typed array: its backing store is off-heap memory, and the copies made
 * while a 100,000-account org loads (twice the final size in total) force extra full garbage
 * collections.
 */
type TypedArray = Float64Array | Int32Array | Uint16Array | Uint8Array;

const CHUNK_BITS = 14;
const CHUNK_SIZE = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_SIZE - 1;

export class ChunkedArray {
  private chunks: TypedArray[] = [];
  private size = 0;

  /** `make` builds a zeroed array of n elements; new elements hold `empty` until set. */
  constructor(
    private readonly make: (n: number) => TypedArray,
    private readonly empty: number,
  ) {}

  get length(): number {
    return this.size;
  }

  /** The element at `i` (`i` below length). */
  get(i: number): number {
    return this.chunks[i >>> CHUNK_BITS]![i & CHUNK_MASK]!;
  }

  /** Sets element `i` below length, or appends when `i` is the length. */
  set(i: number, value: number): void {
    if (i >= this.size) this.fill(i + 1);
    this.chunks[i >>> CHUNK_BITS]![i & CHUNK_MASK] = value;
  }

  push(value: number): void {
    this.set(this.size, value);
  }

  /** Grows to `n` elements holding `empty`. */
  fill(n: number): void {
    while (this.size < n) {
      const chunk = this.size >>> CHUNK_BITS;
      const offset = this.size & CHUNK_MASK;
      if (chunk === this.chunks.length) this.chunks.push(this.sized(this.make(chunk === 0 ? Math.min(CHUNK_SIZE, Math.max(16, n)) : CHUNK_SIZE)));
      else if (offset >= this.chunks[chunk]!.length) this.chunks[chunk] = this.grown(this.chunks[chunk]!, n - chunk * CHUNK_SIZE);
      const room = Math.min(this.chunks[chunk]!.length - offset, n - this.size);
      this.size += room;
    }
  }

  /** Drops elements from `n` on (resetting them to `empty`, as growing again expects). */
  truncate(n: number): void {
    for (let i = n; i < this.size; ) {
      const chunk = this.chunks[i >>> CHUNK_BITS]!;
      const start = i & CHUNK_MASK;
      const end = Math.min(chunk.length, start + (this.size - i));
      chunk.fill(this.empty, start, end);
      i += end - start;
    }
    if (n < this.size) this.size = n;
  }

  /** Drops the first chunk's spare room (the only chunk not allocated full size). */
  trim(): void {
    const first = this.chunks[0];
    if (this.chunks.length === 1 && first && first.length > this.size) this.chunks[0] = first.slice(0, Math.max(this.size, 1));
  }

  private sized(array: TypedArray): TypedArray {
    if (this.empty !== 0) array.fill(this.empty);
    return array;
  }

  /** the first chunk doubled (up to the chunk size), to hold at least `wanted` elements */
  private grown(chunk: TypedArray, wanted: number): TypedArray {
    let length = chunk.length;
    while (length < Math.min(wanted, CHUNK_SIZE)) length *= 2;
    const next = this.sized(this.make(Math.min(length, CHUNK_SIZE)));
    next.set(chunk as never);
    return next;
  }
}

export const float64s = (empty = Number.NaN) => new ChunkedArray((n) => new Float64Array(n), empty);
export const int32s = (empty = 0) => new ChunkedArray((n) => new Int32Array(n), empty);
export const uint16s = (empty = 0) => new ChunkedArray((n) => new Uint16Array(n), empty);
export const uint8s = (empty = 0) => new ChunkedArray((n) => new Uint8Array(n), empty);
