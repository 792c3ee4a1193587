/**
 * Killing a worker process (SIGKILL) in the middle of a cycle and starting a new one ends with the
 * same CRM state and the same delivered alerts as an uninterrupted cycle: two sandboxes from the
 * same seed, one cycle each; the crashed one runs in `accountpulse worker` child processes.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { enqueueCycle, waitForIdle } from '../../src/jobs/cycle.js';
import { WorkerSet } from '../../src/jobs/workers.js';
import { startSide, startWorkerProcess, type Side } from '../helpers/cycleSide.js';

const sides: Side[] = [];
const children: ChildProcess[] = [];

async function side(): Promise<Side> {
  const s = await startSide({ seed: 23, accounts: 150 });
  sides.push(s);
  return s;
}

function worker(environ: Record<string, string>): ChildProcess {
  const child = startWorkerProcess(environ);
  children.push(child);
  return child;
}

/** What each CRM shows for AccountPulse's fields on every account, plus the tasks created. */
async function crmState(s: Side): Promise<Record<string, unknown>> {
  const state: Record<string, unknown> = {};
  for (const [source, connector] of s.ctx.connectors) {
    const ids = (await s.ctx.store.records.allIds('account')).filter((id) => id.startsWith(`${source}:`)).map((id) => id.slice(source.length + 1)).sort();
    const values = await connector.readFields(ids);
    for (const id of ids) {
      const v = values.get(id) ?? {};
      state[`${source}:${id}`] = { score: v.churnRiskScore ?? null, band: v.churnRiskBand ?? null, trend: v.churnRiskTrend ?? null, top: v.crossSellTop ?? null };
    }
  }
  return state;
}

async function tasksCreated(s: Side): Promise<number> {
  let n = 0;
  for (const source of s.ctx.connectors.keys()) n += (await s.ctx.store.ledger.taskIds(source, await s.redis.hkeys(s.ctx.store.keys.ledgerTasks(source)))).size;
  return n;
}

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const s of sides) await s.close();
});

describe('a worker killed mid-cycle', () => {
  it('ends with the same CRM state and the same delivered alerts as an uninterrupted cycle', async () => {
    const clean = await side();
    const workers = new WorkerSet(clean.ctx);
    await workers.waitUntilReady();
    await enqueueCycle(clean.ctx, { full: true });
    expect(await waitForIdle(clean.ctx, { timeoutMs: 120_000, pollMs: 100 })).toBe(true);
    await workers.close(2_000);

    const crashed = await side();
    const first = worker(crashed.environ);
    await enqueueCycle(crashed.ctx, { full: true });
    // Kill it once part of the cycle is done and part is not.
    const deadline = Date.now() + 90_000;
    for (;;) {
      const runs = await crashed.ctx.store.runs.list(0, 200);
      if (runs.filter((r) => r.kind === 'sync' && r.status === 'succeeded').length >= 6) break;
      if (Date.now() > deadline) throw new Error('the first worker made no progress');
      await new Promise((r) => setTimeout(r, 50));
    }
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const killedWhilePending = await crashed.ctx.queues.pending();
    expect(killedWhilePending).toBeGreaterThan(0);

    const second = worker(crashed.environ);
    expect(await waitForIdle(crashed.ctx, { timeoutMs: 150_000, pollMs: 200 })).toBe(true);
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));

    expect(await crmState(crashed)).toEqual(await crmState(clean));
    expect(await tasksCreated(crashed)).toBe(await tasksCreated(clean));
    const delivered = (s: Side) => [...new Set(s.receiver.received.map((r) => r.title))].sort();
    expect(delivered(crashed)).toEqual(delivered(clean));
    // At least once with a stable id: a state may be re-sent only under the same delivery id.
    const byTitle = new Map<string, Set<string>>();
    for (const r of crashed.receiver.received) byTitle.set(r.title, (byTitle.get(r.title) ?? new Set()).add(r.deliveryId));
    expect([...byTitle.values()].every((ids) => ids.size === 1)).toBe(true);
    expect(crashed.receiver.received.every((r) => r.valid)).toBe(true);
  }, 300_000);
});
