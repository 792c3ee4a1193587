/**
 * The Salesforce org's daily allowance is set so that the 20% reserve is reached halfway through a
 * full sync: the cycle stops at the reserve (nothing more is called), a sync_health alert (budget)
 * is delivered; then a new day (the org's usage and AccountPulse's budget reset) and the next cycle
 * resumes from the checkpoints, completes, and resolves the alert. The end state is the clean one.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { endState, runCycleInProcess, startSide, type Side } from '../helpers/cycleSide.js';

const SEED = 53;
const ACCOUNTS = 120;
const RESERVE = 0.2;
const sides: Side[] = [];
/** the two end states, kept for the task check below */
let compared: { expected: Awaited<ReturnType<typeof endState>>; actual: Awaited<ReturnType<typeof endState>> } | null = null;

afterAll(async () => {
  for (const s of sides) await s.close();
});

const sfCalls = (side: Side) => side.sandbox.salesforce.stats.snapshot().calls.total;

async function resetBudget(side: Side, source: string): Promise<void> {
  // what ApiBudget.reset() does, for every budget of that CRM: forget the reported allowance
  const keys = await side.redis.keys(`${side.ctx.store.keys.prefix}:budget:${source}:*`);
  if (keys.length) await side.redis.del(...keys);
}

describe('daily budget nearly spent', () => {
  it('stops at the reserve with a sync_health alert, resumes the next day from the checkpoints and resolves it', async () => {
    const clean = await startSide({ seed: SEED, accounts: ACCOUNTS });
    sides.push(clean);
    const provisioning = sfCalls(clean);
    await runCycleInProcess(clean, { full: true });
    const cycleCalls = sfCalls(clean) - provisioning;
    await runCycleInProcess(clean, { full: false });
    const expected = await endState(clean, { volatile: ['updatedAt'] });

    // the reserve is reached once half the cycle's calls are made
    const dailyLimit = Math.ceil((provisioning + cycleCalls / 2) / (1 - RESERVE));
    const spent = await startSide({ seed: SEED, accounts: ACCOUNTS, sandbox: { salesforceDaily: dailyLimit } });
    sides.push(spent);
    console.log(`Salesforce: provisioning ${provisioning} calls, a full cycle ${cycleCalls}; daily limit ${dailyLimit}, reserve from ${Math.floor(dailyLimit * (1 - RESERVE))}`);

    await runCycleInProcess(spent, { full: true });
    const used = sfCalls(spent);
    const runs = await spent.ctx.store.runs.list(0, 500);
    const stopped = runs.filter((r) => r.kind === 'sync' && r.scope.startsWith('salesforce') && r.status === 'stopped');
    const concurrency = spent.ctx.loaded.config.queues.concurrency.sync;
    console.log(`day 1: ${used} Salesforce calls; ${stopped.length} sync runs stopped: ${stopped.map((r) => r.scope).join(', ')}; other runs: ${runs.filter((r) => r.kind !== 'sync').map((r) => `${r.kind}:${r.scope}=${r.status}${r.kind === 'writeback' ? JSON.stringify(r.counts) : ''}`).join(', ')}`);
    expect(stopped.length).toBeGreaterThan(0);
    // nothing after the reserve: at most the calls already in flight when it was reached
    expect(used).toBeLessThanOrEqual(Math.floor(dailyLimit * (1 - RESERVE)) + concurrency);
    expect(used).toBeLessThan(dailyLimit);
    const health = (await spent.ctx.store.alerts.all()).filter((a) => a.type === 'sync_health');
    expect(health.map((a) => ({ state: a.state, title: a.title, reason: a.reason }))).toEqual([{ state: 'open', title: 'salesforce: daily API budget reserve reached', reason: expect.stringContaining('budget') }]);
    expect(spent.receiver.received.filter((r) => r.title === 'salesforce: daily API budget reserve reached').map((r) => r.event)).toEqual(['alert.opened']);

    // a new day, with the org's usual allowance (the tiny one only made day 1 stop part-way; how far
    // the stopped streams got depends on how many ran at once, so day 2 must not depend on it)
    await fetch(`${spent.sandbox.salesforce.url}/__sandbox/reset`, { method: 'POST' });
    (spent.sandbox.salesforce as unknown as { org: { dailyLimit: number } }).org.dailyLimit = 100_000;
    await resetBudget(spent, 'salesforce');
    await runCycleInProcess(spent, { full: false });
    const day2 = (await spent.ctx.store.runs.list(0, 500)).filter((r) => r.kind === 'sync' && !runs.some((old) => old.id === r.id));
    expect(day2.filter((r) => r.status !== 'succeeded').map((r) => `${r.scope}: ${r.status} ${r.message}`)).toEqual([]);

    // the test's own read-back of every account's fields is not the product's to budget: another day
    await fetch(`${spent.sandbox.salesforce.url}/__sandbox/reset`, { method: 'POST' });
    await resetBudget(spent, 'salesforce');
    const actual = await endState(spent, { volatile: ['updatedAt'] });
    expect(actual.store).toEqual(expected.store);
    // Day 1 scored nobody: Salesforce's first load was not complete, so which accounts are one
    // company and the portfolio the models learn from were unknown (planJob defers everyone). Trends
    // and cross-sell then match a clean run exactly.
    expect(actual.crm).toEqual(expected.crm);
    compared = { expected, actual };
    const withoutHealth = (alerts: Record<string, string>) => Object.fromEntries(Object.entries(alerts).filter(([k]) => !k.startsWith('sync_health')));
    expect(withoutHealth(actual.alerts)).toEqual(withoutHealth(expected.alerts));
    expect(Object.entries(actual.alerts).filter(([k]) => k.startsWith('sync_health')).map(([, v]) => v)).toEqual(['resolved: salesforce: daily API budget reserve reached']);
    expect(spent.receiver.received.filter((r) => r.title === 'salesforce: daily API budget reserve reached').map((r) => r.event)).toEqual(['alert.opened', 'alert.resolved']);
    expect(actual.delivered.delivered.filter((d) => !d.includes('budget reserve'))).toEqual(expected.delivered.delivered);
    expect(actual.delivered.titlesWithSeveralIds).toEqual([]);
  });

  // Accounts of a CRM whose sync stopped are not scored until it completes (planJob), so the tasks of
  // alerts opened on the resumed day are created as in a clean run.
  it('creates every task the clean run creates', () => {
    expect(compared).not.toBeNull();
    expect(compared?.actual.tasks).toEqual(compared?.expected.tasks);
  });
});
