/**
 * `accountpulse demo`: the main job on embedded defaults. Interim version (foundation): starts a
 * local Redis, writes and reads back normalized records through the store, and says what it did.
 * The full demo (sandbox → sync → score → write back → alerts → dashboard) replaces it with the
 * pipeline (issue 8).
 */
import { parseArgs } from 'node:util';
import { ensureRedis } from '../store/localRedis.js';
import { connectRedis } from '../store/redis.js';
import { Store } from '../store/index.js';
import { recordId, type Account } from '../domain/model.js';

export async function runDemo(argv: string[]): Promise<number> {
  parseArgs({ args: argv, options: { 'no-serve': { type: 'boolean' } }, allowPositionals: false });
  const redis = await ensureRedis();
  const client = await connectRedis(redis.url);
  const store = new Store(client, { prefix: `demo-${process.pid}` });
  try {
    const now = new Date().toISOString();
    const account: Account = {
      id: recordId('hubspot', '1001'),
      source: 'hubspot',
      externalId: '1001',
      updatedAt: now,
      name: 'Northwind Logistics',
      domain: 'northwind-logistics.com',
      industry: 'Transportation',
      employees: 420,
      annualRevenue: 58_000_000,
      ownerId: recordId('hubspot', 'owner-1'),
      parentId: null,
      renewalDate: null,
      churned: null,
      createdAt: now,
      fields: {},
    };
    const first = await store.records.upsert('account', [account]);
    const again = await store.records.upsert('account', [account]);
    const back = await store.records.get('account', account.id);
    process.stdout.write(
      [
        `Redis         ${redis.started ? `started locally at ${redis.url}` : `using ${redis.url}`}`,
        `store write   ${first.changed.length} account written, replay of the same version skipped (${again.unchanged} unchanged)`,
        `store read    ${back?.name} (${back?.domain}), owner ${back?.ownerId}`,
        'The full demo (sandbox CRMs, sync, scoring, write-back, alerts, dashboard) arrives with the pipeline.',
        '',
      ].join('\n'),
    );
    return back?.name === account.name ? 0 : 1;
  } finally {
    await store.wipe();
    await store.close();
    client.disconnect();
    await redis.stop();
  }
}
