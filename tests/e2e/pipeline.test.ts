/**
 * The whole pipeline on real Redis, real BullMQ and both sandbox CRMs (talked to through the
 * official SDKs): a full cycle writes the expected fields and tasks and delivers the expected
 * alerts; a second cycle with no CRM change writes and sends nothing; changing one account in a CRM
 * changes exactly that account's fields and alerts.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jsforce from 'jsforce';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/logger.js';
import { createConnectors } from '../../src/jobs/connectors.js';
import { createContext, type AppContext } from '../../src/jobs/context.js';
import { enqueueCycle, waitForIdle } from '../../src/jobs/cycle.js';
import { WorkerSet } from '../../src/jobs/workers.js';
import { startSandbox, type RunningSandboxPair } from '../../src/sandbox/index.js';
import { startReceiver, type DemoReceiver } from '../../src/commands/demo.js';
import { cycleRuns } from '../../src/commands/cycleReport.js';
import type { Run } from '../../src/store/runs.js';

let sandbox: RunningSandboxPair;
let receiver: DemoReceiver;
let ctx: AppContext;
let redis: Redis;
let workers: WorkerSet;

async function cycle(): Promise<{ cycleId: string; runs: Run[] }> {
  const cycleId = await enqueueCycle(ctx, { full: false });
  expect(await waitForIdle(ctx, { timeoutMs: 120_000, pollMs: 100 })).toBe(true);
  return { cycleId, runs: await cycleRuns(ctx, cycleId) };
}

const writeback = (runs: Run[], source: string) => runs.find((r) => r.kind === 'writeback' && r.scope === source);

beforeAll(async () => {
  // The seeded data is laid out relative to today: records written during the test (cases) are dated now.
  sandbox = await startSandbox({ seed: 11, accounts: 120, bulkPageSize: 200 });
  const secret = randomBytes(16).toString('hex');
  receiver = await startReceiver(secret);
  const environ = {
    REDIS_URL: process.env.REDIS_URL,
    ACCOUNTPULSE_PREFIX: `e2e${randomUUID().slice(0, 6)}`,
    HUBSPOT_BASE_URL: sandbox.hubspot.url,
    HUBSPOT_ACCESS_TOKEN: sandbox.hubspot.token,
    SALESFORCE_INSTANCE_URL: sandbox.salesforce.url,
    SALESFORCE_ACCESS_TOKEN: sandbox.salesforce.token,
    ALERT_SIGNING_SECRET: secret,
    ACCOUNTPULSE__ALERTS__ALLOWPRIVATEURLS: 'true',
    ACCOUNTPULSE__ALERTS__ROUTES: JSON.stringify([{ name: 'leaders', type: 'webhook', url: receiver.url, match: {} }]),
    ACCOUNTPULSE__CHURN__COMPETITORS: JSON.stringify(sandbox.seedOrg.competitors),
    // the sandbox's search indexes at once: no need to leave the last 30 s for the next pass
    ACCOUNTPULSE__SYNC__SETTLE: '0s',
  };
  const loaded = loadConfig({ environ });
  const logger = createLogger({ level: 'silent' });
  redis = new Redis(process.env.REDIS_URL as string, { maxRetriesPerRequest: 3 });
  ctx = createContext({ loaded, logger, redis, connectors: createConnectors(loaded, redis, logger, { bulkPageSize: 200 }), competitors: sandbox.seedOrg.competitors });
  for (const c of ctx.connectors.values()) await c.provision({ dryRun: false });
  workers = new WorkerSet(ctx);
  await workers.waitUntilReady();
}, 120_000);

afterAll(async () => {
  await workers?.close(5_000);
  await ctx?.store.wipe();
  await ctx?.queues.close();
  await ctx?.store.close();
  redis?.disconnect();
  await receiver?.close();
  await sandbox?.close();
});

describe('pipeline on both sandbox CRMs', () => {
  let first: { cycleId: string; runs: Run[] };

  it('a full cycle writes the expected fields and tasks to both CRMs and delivers every alert once', async () => {
    first = await cycle();
    expect(first.runs.filter((r) => r.status === 'failed')).toEqual([]);
    const risks = new Map<string, { score: number; band: string }>();
    for await (const page of ctx.store.insights.allChurn()) for (const r of page) risks.set(r.accountId, r);
    expect(risks.size).toBeGreaterThan(100);

    // Every account in each CRM carries its (unified) account's score and band, read back through the SDKs.
    for (const [source, connector] of ctx.connectors) {
      const accounts = (await ctx.store.records.allIds('account')).filter((id) => id.startsWith(`${source}:`));
      const unifiedOf = await ctx.store.unified.unifiedOf(accounts);
      const ext = accounts.map((id) => id.slice(source.length + 1));
      const values = await connector.readFields(ext);
      let checked = 0;
      for (const id of accounts) {
        const risk = risks.get(unifiedOf.get(id) as string);
        if (!risk) continue;
        const v = values.get(id.slice(source.length + 1));
        expect(Number(v?.churnRiskScore), `${id} score`).toBe(Math.round(risk.score));
        expect(v?.churnRiskBand, `${id} band`).toBe(risk.band);
        checked += 1;
      }
      expect(checked).toBeGreaterThan(40);
    }

    const open = await ctx.store.alerts.open();
    expect(open.length).toBeGreaterThan(0);
    const redAccounts = open.filter((a) => a.type === 'churn_band_rose' && a.reason === 'band:red').map((a) => a.subject.id);
    expect(redAccounts.length).toBeGreaterThan(0);
    // One task per red account per CRM holding it.
    const groups = await ctx.store.unified.membersOf(redAccounts);
    const expectedTasks = [...groups.values()].flat();
    const tasks = (writeback(first.runs, 'hubspot')?.counts.tasks ?? 0) + (writeback(first.runs, 'salesforce')?.counts.tasks ?? 0);
    expect(tasks).toBe(expectedTasks.length);

    // The receiver got each open alert exactly once, signed.
    expect(receiver.received.length).toBe(open.length);
    expect(receiver.received.filter((r) => !r.valid || r.event !== 'alert.opened')).toEqual([]);
    expect(new Set(receiver.received.map((r) => r.deliveryId)).size).toBe(open.length);
  }, 180_000);

  it('a second cycle with no CRM change writes nothing and sends nothing', async () => {
    const before = receiver.received.length;
    sandbox.hubspot.stats.reset();
    sandbox.salesforce.stats.reset();
    const second = await cycle();
    expect(writeback(second.runs, 'hubspot')?.counts.written ?? 0).toBe(0);
    expect(writeback(second.runs, 'salesforce')?.counts.written ?? 0).toBe(0);
    expect((writeback(second.runs, 'hubspot')?.counts.tasks ?? 0) + (writeback(second.runs, 'salesforce')?.counts.tasks ?? 0)).toBe(0);
    expect(receiver.received.slice(before).map((r) => `${r.event}: ${r.title}`)).toEqual([]);
    const writes = (s: RunningSandboxPair['hubspot']) => Object.entries(s.stats.snapshot().calls.byRoute).filter(([route]) => /^(PATCH|PUT|DELETE)|batch\/(update|create|upsert|archive)|composite\/sobjects$/.test(route) && !/batch\/read/.test(route));
    expect(writes(sandbox.hubspot)).toEqual([]);
    expect(writes(sandbox.salesforce).filter(([r]) => !r.startsWith('POST /services/data/vXX/query'))).toEqual([]);
  }, 180_000);

  it('changing one account in the CRM changes exactly that account’s fields and alerts', async () => {
    // A Salesforce-only account that is green now gets four high-priority escalated cases.
    const greens: string[] = [];
    for await (const page of ctx.store.insights.allChurn()) for (const r of page) if (r.band === 'green' && r.accountId.startsWith('salesforce:')) greens.push(r.accountId);
    const members = await ctx.store.unified.membersOf(greens);
    const target = greens.sort().find((id) => (members.get(id) ?? []).length === 1) as string;
    expect(target).toBeDefined();
    const before = (await ctx.store.insights.churn([target])).get(target);
    const conn = new jsforce.Connection({ instanceUrl: sandbox.salesforce.url, accessToken: sandbox.salesforce.token, version: '62.0' });
    const accountId = target.slice('salesforce:'.length);
    const created = await conn.sobject('Case').create(Array.from({ length: 4 }, (_, i) => ({ AccountId: accountId, Subject: `Outage ${i}`, Priority: 'High', Status: 'New', IsEscalated: true })), { allOrNone: true });
    expect(created.every((c) => c.success)).toBe(true);
    const alertVersions = new Map((await ctx.store.alerts.all()).map((a) => [a.key, a.version]));
    // a pass reads up to the CRM's clock (Date header, 1 s resolution) minus 1 s: let the change age past it
    await new Promise((r) => setTimeout(r, 2_100));

    const third = await cycle();
    const after = (await ctx.store.insights.churn([target])).get(target);
    expect(after?.score).toBeGreaterThan((before?.score ?? 0) + 1);
    expect(writeback(third.runs, 'hubspot')?.counts.planned ?? 0).toBe(0);
    expect(writeback(third.runs, 'salesforce')?.counts.planned).toBe(1);
    const events = await ctx.store.runs.events(writeback(third.runs, 'salesforce')?.id as string);
    expect(events.filter((e) => e.type === 'written').flatMap((e) => e.records ?? [])).toEqual([target]);
    const changedAlerts = (await ctx.store.alerts.all()).filter((a) => alertVersions.get(a.key) !== a.version);
    expect(changedAlerts.every((a) => a.subject.id === target)).toBe(true);
  }, 180_000);
});
