/**
 * Inbound HubSpot webhooks end to end: the sandbox delivers signed change events to a local
 * receiver; the v3 verifier accepts them (and rejects a tampered copy), the parser turns them into
 * targets, and a targeted syncRecords brings the store up to date.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@hubspot/api-client';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/schema.js';
import { EnvSchema } from '../../src/config/env.js';
import { HubSpotConnector } from '../../src/connectors/hubspot/connector.js';
import { parseHubSpotEvents, verifyHubSpotSignature, type WebhookRequest } from '../../src/connectors/hubspot/webhooks.js';
import { smallSeedOrg } from '../../src/sandbox/hubspot/fixtures.js';
import { startHubSpotSandbox } from '../../src/sandbox/hubspot/server.js';
import { Store } from '../../src/store/index.js';

const secret = 'sandbox-app-secret';
const received: WebhookRequest[] = [];
let receiver: Server;
let receiverUrl: string;
let sb: Awaited<ReturnType<typeof startHubSpotSandbox>>;
let redis: Redis;
let store: Store;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method ?? 'POST',
        url: `${receiverUrl.replace(/\/hooks$/, '')}${req.url}`,
        rawBody: Buffer.concat(chunks).toString('utf8'),
        signature: req.headers['x-hubspot-signature-v3'] as string | undefined,
        timestamp: req.headers['x-hubspot-request-timestamp'] as string | undefined,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  sb = await startHubSpotSandbox({ seed: smallSeedOrg({ accounts: 10 }), port: 0, webhook: { url: receiverUrl, clientSecret: secret, flushDelayMs: 5 } });
  redis = new Redis(process.env.REDIS_URL as string);
  store = new Store(redis, { prefix: `test-hs-${randomUUID().slice(0, 8)}` });
});
afterAll(async () => {
  await store.wipe();
  await store.close();
  redis.disconnect();
  await sb.close();
  await new Promise((r) => receiver.close(r));
});

it('a signed change event from HubSpot becomes a targeted re-read', async () => {
  const logger = pino({ level: 'silent' });
  const env = EnvSchema.parse({ HUBSPOT_BASE_URL: sb.url, HUBSPOT_ACCESS_TOKEN: sb.token, ACCOUNTPULSE_PREFIX: store.keys.prefix });
  const hs = new HubSpotConnector({ env, config: ConfigSchema.parse({}), redis, logger, portalKey: store.keys.prefix });
  await hs.syncStream('companies', { store, logger });
  const ids = await store.records.allIds('account');
  const target = ids[0]!.replace('hubspot:', '');

  const client = new Client({ accessToken: sb.token, basePath: sb.url });
  await client.crm.companies.basicApi.update(target, { properties: { name: 'Renamed by a person' } });
  // bounded wait for the sandbox's delivery (it batches for a few ms)
  for (let i = 0; i < 200 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  expect(received.length).toBeGreaterThan(0);

  const request = received[0]!;
  expect(verifyHubSpotSignature(secret, request)).toEqual({ ok: true });
  expect(verifyHubSpotSignature(secret, { ...request, rawBody: request.rawBody.replace(target, '1') })).toMatchObject({ ok: false });
  expect(verifyHubSpotSignature('wrong-secret', request)).toMatchObject({ ok: false });

  const { targets, skipped } = parseHubSpotEvents(JSON.parse(request.rawBody));
  expect(skipped).toEqual([]);
  expect(targets).toEqual([{ objectType: 'companies', objectId: target, changeType: 'change' }]);

  const result = await hs.syncRecords('companies', targets.map((t) => t.objectId), { store, logger });
  expect(result).toMatchObject({ read: 1, changed: 1, calls: 1, complete: true });
  expect(await store.records.get('account', `hubspot:${target}`)).toMatchObject({ name: 'Renamed by a person' });
});
