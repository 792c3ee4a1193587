/**
 * A cycle run by `accountpulse worker` child processes that are SIGKILLed at three random points
 * of its progress (a new worker started after each), with the Redis server itself crashed
 * (SIGKILL, AOF with fsync on every write) and restarted on the same port while a worker is busy,
 * ends exactly where a clean cycle of the same seed ends: the same stored records, CRM fields,
 * tasks and alerts, each alert delivered under one delivery id.
 *
 * The kill points are drawn from RESILIENCE_SEED (printed; set it to replay a failure).
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { enqueueCycle, waitForIdle } from '../../src/jobs/cycle.js';
import { mulberry32 } from '../../src/sandbox/common/faults.js';
import { cleanRun, endState, killAndWait, runCycleInProcess, startSide, startWorkerProcess, type Side } from '../helpers/cycleSide.js';
import { RestartableRedis } from '../helpers/restartableRedis.js';

const SEED = 43;
const ACCOUNTS = 120;
const sides: Side[] = [];
const children: ChildProcess[] = [];
let privateRedis: RestartableRedis | undefined;

afterAll(async () => {
  for (const c of children) await killAndWait(c);
  for (const s of sides) await s.close();
  await privateRedis?.stop();
});

async function finishedRuns(side: Side): Promise<number> {
  return (await side.ctx.store.runs.list(0, 1000)).filter((r) => r.kind !== 'cycle' && r.status !== 'running').length;
}

async function waitForProgress(side: Side, atLeast: number, what: string): Promise<number> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const n = await finishedRuns(side);
    if (n >= atLeast) return n;
    if (Date.now() > deadline) throw new Error(`no progress to ${atLeast} finished runs (${what}); stuck at ${n}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('workers killed at random points and Redis crashed mid-cycle', () => {
  it('end with the same store, CRM fields, tasks and delivered alerts as a clean cycle', async () => {
    const { clean, expected } = await cleanRun({ seed: SEED, accounts: ACCOUNTS }, sides);
    const total = await finishedRuns(clean);
    expect(total).toBeGreaterThan(10);

    const seed = Number(process.env.RESILIENCE_SEED ?? Date.now() % 1_000_000);
    const random = mulberry32(seed);
    // three kill points in three different thirds of the cycle's runs, and a Redis crash between the 2nd and 3rd
    const kills = [0.05 + random() * 0.2, 0.35 + random() * 0.2, 0.7 + random() * 0.2].map((f) => Math.max(1, Math.floor(f * total)));
    const redisCrash = Math.floor((kills[1]! + kills[2]!) / 2);
    console.log(`RESILIENCE_SEED=${seed}: kills after ${kills.join(', ')} of ${total} runs, Redis crash after ${redisCrash}`);

    privateRedis = await RestartableRedis.start();
    const crashed = await startSide({ seed: SEED, accounts: ACCOUNTS, redisUrl: privateRedis.url });
    sides.push(crashed);
    await enqueueCycle(crashed.ctx, { full: true });

    const killedAt: number[] = [];
    let crashedRedisAt: number | null = null;
    for (const [i, point] of kills.entries()) {
      const worker = startWorkerProcess(crashed.environ);
      children.push(worker);
      if (i === 2) {
        crashedRedisAt = await waitForProgress(crashed, Math.max(redisCrash, (killedAt.at(-1) ?? 0) + 1), 'before the Redis crash');
        await privateRedis.crashAndRestart();
      }
      // each kill at a later point than the one before, even if a worker ran past the next planned point
      killedAt.push(await waitForProgress(crashed, Math.max(point, (killedAt.at(-1) ?? 0) + 1), `kill ${i + 1}`));
      await killAndWait(worker);
      expect(await crashed.ctx.queues.pending(), `work left after kill ${i + 1}`).toBeGreaterThan(0);
    }
    const last = startWorkerProcess(crashed.environ);
    children.push(last);
    expect(await waitForIdle(crashed.ctx, { timeoutMs: 180_000, pollMs: 200 })).toBe(true);
    await killAndWait(last, 'SIGTERM');
    console.log(`killed after ${killedAt.join(', ')} finished runs, Redis crashed after ${crashedRedisAt}`);
    expect(new Set(killedAt).size).toBe(3);

    const actual = await endState(crashed);
    expect(actual.store).toEqual(expected.store);
    expect(actual.crm).toEqual(expected.crm);
    expect(actual.tasks).toEqual(expected.tasks);
    expect(actual.alerts).toEqual(expected.alerts);
    expect(actual.delivered).toEqual(expected.delivered);
    expect(actual.delivered.titlesWithSeveralIds).toEqual([]);
    expect(expected.delivered.delivered.length).toBeGreaterThan(0);
  });
});
