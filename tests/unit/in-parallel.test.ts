import { describe, expect, it } from 'vitest';
import { mapInParallel } from '../../src/connectors/inParallel.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('mapInParallel', () => {
  it('keeps input order with at most `limit` calls in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapInParallel([5, 1, 4, 2, 3, 0, 6], 3, async (n, i) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      for (let k = 0; k < n; k++) await tick();
      inFlight -= 1;
      return `${i}:${n}`;
    });
    expect(out).toEqual(['0:5', '1:1', '2:4', '3:2', '4:3', '5:0', '6:6']);
    expect(most).toBe(3);
  });

  it('starts nothing after a failure, waits for the calls in flight, then throws the first error', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const run = mapInParallel([0, 1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n);
      await tick();
      if (n === 1) throw new Error('batch 1 refused');
      await tick();
      finished.push(n);
      return n;
    });
    await expect(run).rejects.toThrow('batch 1 refused');
    expect(started).toEqual([0, 1]);
    expect(finished).toEqual([0]);
  });

  it('returns [] for no items without calling', async () => {
    let calls = 0;
    expect(await mapInParallel([], 4, async () => ++calls)).toEqual([]);
    expect(calls).toBe(0);
  });
});
