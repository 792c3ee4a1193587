import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { ApiBudget, BudgetReserveReached } from '../../src/connectors/budget.js';
import { withRetries } from '../../src/connectors/retry.js';
import { testStore } from '../helpers/redis.js';
import type { Store } from '../../src/store/index.js';

let store: Store;
let redis: Redis;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ store, redis, cleanup } = await testStore());
});
afterAll(async () => cleanup());

/** A fake clock: sleeping advances it, so window waits are exact and instant. */
function fakeClock(start = 1_000_000) {
  let t = start;
  const slept: number[] = [];
  return { now: () => t, sleep: async (ms: number) => { slept.push(ms); t += ms; }, slept };
}

describe('ApiBudget (shared through Redis)', () => {
  it('admits at most max*(1-headroom) calls per window across two processes, then waits for the window', async () => {
    const clock = fakeClock();
    const mk = () => new ApiBudget({ redis, key: store.keys.budget('hubspot', 'p1'), crm: 'HubSpot portal p1', lanes: { default: { windowMs: 10_000, max: 20 } }, reserve: 0.2, now: clock.now, sleep: clock.sleep, headroom: 0.1 });
    const a = mk();
    const b = mk();
    for (let i = 0; i < 9; i++) {
      await a.acquire();
      await b.acquire();
    }
    expect(clock.slept).toEqual([]);
    await a.acquire(); // the 19th call must wait for the window to slide
    expect(clock.slept).toEqual([10_000]);
    expect((await a.status()).calls).toBe(19);
  });

  it('a 429 pauses every process sharing the budget', async () => {
    const clock = fakeClock();
    const key = store.keys.budget('hubspot', 'p2');
    const a = new ApiBudget({ redis, key, crm: 'p2', lanes: { default: { windowMs: 10_000, max: 100 } }, reserve: 0.2, now: clock.now, sleep: clock.sleep });
    const b = new ApiBudget({ redis, key, crm: 'p2', lanes: { default: { windowMs: 10_000, max: 100 } }, reserve: 0.2, now: clock.now, sleep: clock.sleep });
    await a.penalize(2_500);
    await b.acquire();
    expect(clock.slept).toEqual([2_500]);
    expect((await b.status()).rateLimited).toBe(1);
  });

  it('stops under the daily reserve, counting calls made since the last report', async () => {
    const clock = fakeClock();
    const budget = new ApiBudget({ redis, key: store.keys.budget('salesforce', 'org'), crm: 'Salesforce org 00D1', lanes: { default: { windowMs: 1_000, max: 1_000 } }, reserve: 0.2, now: clock.now, sleep: clock.sleep });
    await budget.observe({ dailyLimit: 1_000, dailyRemaining: 203 });
    await budget.acquire();
    await budget.acquire();
    await budget.acquire(); // 200 left: exactly the reserve, still allowed
    await budget.acquire(); // 199 left after this one
    const err = await budget.acquire().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BudgetReserveReached);
    expect((err as Error).message).toBe('Salesforce org 00D1: daily API allowance nearly spent (199 of 1000 calls left, reserve 20%); stopping at the checkpoint, the run resumes when the allowance resets');
    await budget.observe({ dailyRemaining: 900 });
    await expect(budget.acquire()).resolves.toBeUndefined();
  });
});

describe('withRetries', () => {
  it('retries transient failures with growing waits, honours a server wait, and gives up at maxAttempts', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await withRetries(
      async () => {
        calls += 1;
        if (calls < 3) throw Object.assign(new Error('503'), { status: 503 });
        return 'ok';
      },
      { classify: (e) => ({ retry: (e as { status?: number }).status === 503, waitMs: calls === 1 ? 5_000 : 0 }), sleep: async (ms) => { waits.push(ms); }, random: () => 1, baseMs: 100 },
    );
    expect(result).toBe('ok');
    expect(waits).toEqual([5_000, 200]);
    let n = 0;
    await expect(withRetries(async () => { n += 1; throw new Error('boom'); }, { maxAttempts: 3, classify: () => ({ retry: true }), sleep: async () => {} })).rejects.toThrow('boom');
    expect(n).toBe(3);
    let m = 0;
    await expect(withRetries(async () => { m += 1; throw new Error('400'); }, { classify: () => ({ retry: false }), sleep: async () => {} })).rejects.toThrow('400');
    expect(m).toBe(1);
  });
});
