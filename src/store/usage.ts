/** Product-usage metrics per account (from the usage-ingest API or a mapped CRM field). */
import type { Redis } from 'ioredis';
import type { UsageMetric } from '../domain/model.js';
import type { Keys } from './keys.js';

export class UsageStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  /** Writes metrics; the same (account, metric, date) overwrites, so re-ingesting is harmless. */
  async put(metrics: readonly UsageMetric[]): Promise<void> {
    if (metrics.length === 0) return;
    const pipe = this.redis.pipeline();
    for (const m of metrics) pipe.hset(this.keys.usage(m.accountId), `${m.metric}|${m.date}`, JSON.stringify([m.value, m.source]));
    await pipe.exec();
  }

  async forAccounts(accountIds: readonly string[]): Promise<Map<string, UsageMetric[]>> {
    const pipe = this.redis.pipeline();
    for (const id of accountIds) pipe.hgetall(this.keys.usage(id));
    const res = (await pipe.exec()) ?? [];
    const out = new Map<string, UsageMetric[]>();
    accountIds.forEach((accountId, i) => {
      const h = (res[i]?.[1] as Record<string, string>) ?? {};
      const list: UsageMetric[] = [];
      for (const [field, raw] of Object.entries(h)) {
        const [metric = '', date = ''] = field.split('|');
        const [value, source] = JSON.parse(raw) as [number, UsageMetric['source']];
        list.push({ accountId, metric, date, value, source });
      }
      list.sort((a, b) => a.date.localeCompare(b.date) || a.metric.localeCompare(b.metric));
      out.set(accountId, list);
    });
    return out;
  }
}
