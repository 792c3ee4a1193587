/**
 * `accountpulse demo`: the main job on embedded defaults, with no credentials and no network.
 * Starts a local Redis, the CRM sandbox with a seeded company, and a local alert receiver; runs one
 * full cycle through the real pipeline (BullMQ workers: sync → score → write back → alerts);
 * prints a report; then serves the dashboard until Ctrl-C (`--no-serve` exits instead).
 */
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { z } from 'zod';
import { ensureRedis } from '../store/localRedis.js';
import { startSandbox, type RunningSandboxPair } from '../sandbox/index.js';
import { enqueueCycle, waitForIdle } from '../jobs/cycle.js';
import { WorkerSet } from '../jobs/workers.js';
import type { AppContext } from '../jobs/context.js';
import { verifySignature, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../delivery/signing.js';
import { startHttpServer } from '../http/server.js';
import { periodOf } from '../domain/periods.js';
import { boot, ExitError, shutdown } from './runtime.js';
import { cycleRuns, totals } from './cycleReport.js';
import { analyticsSettings } from '../jobs/settings.js';
import { createLogger } from '../logger.js';

const Flags = z.object({
  serve: z.boolean(),
  accounts: z.coerce.number().int().min(20, 'at least 20').max(100_000, 'at most 100000'),
  seed: z.coerce.number().int().nonnegative(),
  port: z.coerce.number().int().min(0).max(65535),
  'as-of': z.iso.date().optional(),
});

/** A webhook receiver standing in for Slack/Teams/your endpoint: verifies and keeps what arrives. */
export interface DemoReceiver {
  url: string;
  received: { deliveryId: string; event: string; title: string; valid: boolean }[];
  close(): Promise<void>;
}

export async function startReceiver(secret: string): Promise<DemoReceiver> {
  const received: DemoReceiver['received'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const valid = verifySignature(secret, req.headers[TIMESTAMP_HEADER.toLowerCase()] as string | undefined, body, req.headers[SIGNATURE_HEADER.toLowerCase()] as string | undefined);
      try {
        const env = JSON.parse(body) as { deliveryId: string; event: string; alert: { title: string } };
        received.push({ deliveryId: env.deliveryId, event: env.event, title: env.alert.title, valid });
      } catch {
        received.push({ deliveryId: '?', event: 'unparseable', title: '', valid });
      }
      res.writeHead(valid ? 200 : 401).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/alerts`, received, close: () => new Promise((r) => server.close(() => r())) };
}

const money = (n: number | null | undefined) => (n === null || n === undefined ? 'n/a' : `$${Math.round(n).toLocaleString('en-US')}`);
const pct = (n: number | null | undefined) => (n === null || n === undefined ? 'n/a' : `${Math.round(n * 100)}%`);

/** Minimum calls for reading N records per object at the API's largest page (crm-apis.md §5). */
function minimumCalls(sandbox: RunningSandboxPair): { hubspot: number; salesforce: number } {
  const org = sandbox.seedOrg;
  const inCrm = (crm: 'hubspot' | 'salesforce') => new Set(org.accounts.filter((a) => a.crm === crm || a.crm === 'both').map((a) => a.key));
  const hs = inCrm('hubspot');
  const sf = inCrm('salesforce');
  const count = (set: Set<string>) => {
    const deals = org.deals.filter((d) => set.has(d.accountKey));
    return {
      accounts: set.size,
      contacts: org.contacts.filter((c) => set.has(c.accountKey)).length,
      deals: deals.length,
      lineItems: deals.reduce((n, d) => n + d.lineItems.length, 0),
      activities: org.activities.filter((a) => set.has(a.accountKey)),
      tickets: org.tickets.filter((t) => set.has(t.accountKey)).length,
      history: deals.reduce((n, d) => n + d.history.length, 0),
    };
  };
  const h = count(hs);
  const s = count(sf);
  const pages = (n: number, size: number) => Math.max(1, Math.ceil(n / size));
  const byType = (acts: typeof h.activities, types: string[]) => acts.filter((a) => types.includes(a.type)).length;
  // HubSpot: one list page per 100 records per object (associations inline), owners, products, goals, pipelines.
  const hubspot =
    [h.accounts, h.contacts, h.deals, h.lineItems, h.tickets, org.products.length, org.quotas.length, org.owners.length].reduce((n, c) => n + pages(c, 100), 0) +
    (['call', 'email', 'meeting', 'note', 'task'] as const).reduce((n, t) => n + pages(byType(h.activities, [t]), 100), 0) +
    1; // pipelines
  // Salesforce: one query page per 2,000 rows per object; Task holds calls, emails, tasks and notes, Event meetings.
  const salesforce =
    [s.accounts, s.contacts, s.deals, s.lineItems, s.tickets, org.products.length, org.quotas.length, org.owners.length, s.history].reduce((n, c) => n + pages(c, 2000), 0) +
    pages(byType(s.activities, ['call', 'email', 'task', 'note']), 2000) +
    pages(byType(s.activities, ['meeting']), 2000) +
    1; // OpportunityStage
  return { hubspot, salesforce };
}

export interface DemoResult {
  report: string;
  ctx: AppContext;
  sandbox: RunningSandboxPair;
  receiver: DemoReceiver;
}

export async function runDemo(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { 'no-serve': { type: 'boolean', default: false }, accounts: { type: 'string', default: '400' }, seed: { type: 'string', default: '42' }, port: { type: 'string', default: '8080' }, 'as-of': { type: 'string' } } });
  const parsed = Flags.safeParse({ ...values, serve: !values['no-serve'] });
  if (!parsed.success) throw new ExitError(`demo: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}`, 2);
  const flags = parsed.data;
  const say = (s: string) => process.stdout.write(`${s}\n`);

  const redis = await ensureRedis({ log: (m) => say(m) });
  say(`Redis         ${redis.started ? `started locally at ${redis.url}` : `using ${redis.url}`}`);
  const sandbox = await startSandbox({ seed: flags.seed, accounts: flags.accounts, asOf: flags['as-of'], bulkPageSize: 500 });
  say(`HubSpot       ${sandbox.hubspot.url}  (sandbox, token ${sandbox.hubspot.token.slice(0, 12)}…)`);
  say(`Salesforce    ${sandbox.salesforce.url}  (sandbox, session ${sandbox.salesforce.token.slice(0, 8)}…)`);
  say(`Seeded        ${sandbox.seedOrg.accounts.length} accounts, ${sandbox.seedOrg.deals.length} deals, ${sandbox.seedOrg.activities.length} activities, ${sandbox.seedOrg.owners.length} owners (seed ${flags.seed}, as of ${sandbox.seedOrg.asOf})`);

  const secret = randomBytes(24).toString('hex');
  const apiToken = randomBytes(24).toString('hex');
  const receiver = await startReceiver(secret);
  const dir = mkdtempSync(join(tmpdir(), 'accountpulse-demo-'));
  const configFile = join(dir, 'demo.yaml');
  writeFileSync(
    configFile,
    stringify({
      alerts: { routes: [{ name: 'demo-receiver', type: 'webhook', url: receiver.url, match: {} }], allowPrivateUrls: true, deliveryTimeout: '5s' },
      churn: { competitors: sandbox.seedOrg.competitors },
    }),
  );
  const environ: NodeJS.ProcessEnv = {
    ...process.env,
    REDIS_URL: redis.url,
    ACCOUNTPULSE_PREFIX: `demo${process.pid}`,
    ACCOUNTPULSE_CONFIG: configFile,
    HUBSPOT_BASE_URL: sandbox.hubspot.url,
    HUBSPOT_ACCESS_TOKEN: sandbox.hubspot.token,
    SALESFORCE_INSTANCE_URL: sandbox.salesforce.url,
    SALESFORCE_ACCESS_TOKEN: sandbox.salesforce.token,
    ALERT_SIGNING_SECRET: secret,
    API_TOKEN: apiToken,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
  };
  const loggerLevel = environ.LOG_LEVEL as string;
  const ctx = await boot({ environ, logger: createLogger({ level: loggerLevel, secrets: [secret, apiToken, sandbox.hubspot.token, sandbox.salesforce.token] }), connectorOverrides: { bulkPageSize: 500 } });
  let http: Awaited<ReturnType<typeof startHttpServer>> | null = null;
  try {
    for (const [source, connector] of ctx.connectors) {
      const r = await connector.provision({ dryRun: false });
      say(`Provisioned   ${source}: ${r.created.length} fields created, ${r.existing.length} already there${r.manual.length ? `, ${r.manual.length} need an admin` : ''}`);
    }
    sandbox.hubspot.stats.reset();
    sandbox.salesforce.stats.reset();
    const started = Date.now();
    const workers = new WorkerSet(ctx);
    await workers.waitUntilReady();
    const cycleId = await enqueueCycle(ctx, { full: true });
    const idle = await waitForIdle(ctx, { timeoutMs: 15 * 60_000, pollMs: 250 });
    await workers.close();
    const seconds = (Date.now() - started) / 1000;
    if (!idle) throw new Error('the cycle did not finish within 15 minutes');

    const report = await buildReport(ctx, sandbox, receiver, cycleId, seconds);
    say('');
    say(report);
    if (!flags.serve) return 0;
    http = await startHttpServer(ctx, { port: flags.port, host: '127.0.0.1', expectWorkers: false });
    say(`\nDashboard     ${http.url}/?token=${apiToken}`);
    say(`API           ${http.url}/api/v1/accounts  (Authorization: Bearer ${apiToken})`);
    say('Press Ctrl-C to stop.');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    return 0;
  } finally {
    await http?.close().catch(() => {});
    await ctx.store.wipe().catch(() => {});
    await shutdown(ctx);
    await receiver.close();
    await sandbox.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function buildReport(ctx: AppContext, sandbox: RunningSandboxPair, receiver: DemoReceiver, cycleId: string, seconds: number): Promise<string> {
  const out: string[] = [];
  const settings = analyticsSettings(ctx.loaded.config);
  const asOf = ctx.now().toISOString().slice(0, 10);
  const quarter = periodOf(asOf, 'quarter', { fiscalYearStartMonth: settings.quota.fiscalYearStartMonth });
  const rows = await ctx.store.insights.attainment(quarter.id);
  const runs = await cycleRuns(ctx, cycleId);
  const t = totals(runs);

  out.push(`== Cycle ${cycleId}: ${runs.length} runs in ${seconds.toFixed(1)} s ==`);
  out.push(`read ${t['sync.read'] ?? 0} records (${t['sync.changed'] ?? 0} new or changed in the store), ${t['sync.quarantined'] ?? 0} quarantined; scored ${t['score.scored'] ?? 0} accounts`);

  out.push('', `== Attainment ${quarter.id} (${quarter.start} to ${quarter.end}) ==`);
  const org = rows.find((r) => r.scope === 'org');
  if (org) out.push(`org          won ${money(org.closedWon)} of ${money(org.quota)} (${pct(org.attainment)}), pacing ${pct(org.pacing.seasonal ?? org.pacing.linear)}, forecast ${money(org.forecast)}, commit ${money(org.rollups.commit)}`);
  for (const r of rows.filter((x) => x.scope === 'team').sort((a, b) => (b.attainment ?? -1) - (a.attainment ?? -1))) {
    out.push(`team ${r.subjectName.padEnd(22).slice(0, 22)} won ${money(r.closedWon).padStart(11)} of ${money(r.quota).padStart(11)}  ${pct(r.attainment).padStart(5)}  forecast ${money(r.forecast)}`);
  }

  const risks = [];
  for await (const page of ctx.store.insights.allChurn()) risks.push(...page);
  const bands = risks.reduce<Record<string, number>>((m, r) => ({ ...m, [r.band]: (m[r.band] ?? 0) + 1 }), {});
  out.push('', `== Churn risk: ${bands.red ?? 0} red, ${bands.amber ?? 0} amber, ${bands.green ?? 0} green ==`);
  const top = risks.sort((a, b) => b.score - a.score || a.accountId.localeCompare(b.accountId)).slice(0, 5);
  const names = new Map((await ctx.store.records.getMany('account', top.map((r) => r.accountId))).map((a) => [a.id, a.name]));
  for (const r of top) {
    out.push(`${String(Math.round(r.score)).padStart(3)} ${r.band.padEnd(5)} ${names.get(r.accountId) ?? r.accountId}`);
    for (const d of r.drivers) out.push(`          - ${d.text}`);
  }

  const xs = [...(await ctx.store.insights.crossSell(risks.map((r) => r.accountId))).values()].flat().sort((a, b) => b.score - a.score).slice(0, 5);
  const xsNames = new Map((await ctx.store.records.getMany('account', xs.map((x) => x.accountId))).map((a) => [a.id, a.name]));
  out.push('', '== Best cross-sell opportunities ==');
  for (const x of xs) out.push(`${x.score.toFixed(2)} ${xsNames.get(x.accountId) ?? x.accountId}: ${x.product}${x.estimatedValue ? ` (est. ${money(x.estimatedValue)})` : ''} — ${x.evidence[0] ?? ''}`);

  out.push('', '== Written back ==');
  for (const r of runs.filter((x) => x.kind === 'writeback')) out.push(`${r.scope.padEnd(11)} ${r.counts.written ?? 0} fields on ${r.counts.planned ?? 0} accounts, ${r.counts.tasks ?? 0} tasks, ${r.counts.failed ?? 0} failed`);

  const open = await ctx.store.alerts.open();
  out.push('', `== Alerts: ${open.length} open, ${receiver.received.length} delivered to the local receiver (${receiver.received.filter((r) => r.valid).length} with a valid signature) ==`);
  const byType = open.reduce<Record<string, number>>((m, a) => ({ ...m, [a.type]: (m[a.type] ?? 0) + 1 }), {});
  out.push(Object.entries(byType).map(([k, v]) => `${k} ${v}`).join(', '));
  for (const a of open.filter((x) => x.severity === 'critical').slice(0, 5)) out.push(`  [${a.severity}] ${a.title}`);

  const min = minimumCalls(sandbox);
  const hs = sandbox.hubspot.stats.snapshot();
  const sf = sandbox.salesforce.stats.snapshot();
  out.push('', '== API calls (whole cycle: reads, writes and tasks) ==');
  out.push(`HubSpot      ${hs.calls.total} calls (minimum for the initial read alone: ${min.hubspot}), ${hs.rateLimited} rate-limited`);
  out.push(`Salesforce   ${sf.calls.total} calls (minimum for the initial read alone: ${min.salesforce}), ${sf.errors} errors`);
  return out.join('\n');
}
