/**
 * Computed insights: the current churn risk per account with a bounded score history (for trends
 * and "previous"), attainment per period, and cross-sell opportunities with their feedback.
 */
import type { Redis } from 'ioredis';
import type { Attainment, ChurnRisk, CrossSellOpportunity } from '../domain/insights.js';
import type { Keys } from './keys.js';

export const CHURN_HISTORY_KEPT = 104;

export interface ChurnHistoryPoint {
  at: string;
  score: number;
  band: ChurnRisk['band'];
}

export interface CrossSellFeedbackEntry {
  accountId: string;
  item: string;
  outcome: 'accepted' | 'rejected';
  /** where the outcome came from (a person through the API, a deal created for the product…) */
  via?: 'task_completed' | 'task_dismissed' | 'deal_created' | 'manual';
  at: string;
  /** the CRM record that says so (completed task, created deal) */
  recordId: string | null;
}

export class InsightStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  async putChurn(risks: readonly ChurnRisk[]): Promise<void> {
    if (risks.length === 0) return;
    const pipe = this.redis.pipeline();
    for (const r of risks) {
      pipe.hset(this.keys.churn(), r.accountId, JSON.stringify(r));
      pipe.lpush(this.keys.churnHistory(r.accountId), JSON.stringify({ at: r.scoredAt, score: r.score, band: r.band } satisfies ChurnHistoryPoint));
      pipe.ltrim(this.keys.churnHistory(r.accountId), 0, CHURN_HISTORY_KEPT - 1);
    }
    await pipe.exec();
  }

  async churn(accountIds: readonly string[]): Promise<Map<string, ChurnRisk>> {
    const out = new Map<string, ChurnRisk>();
    for (let i = 0; i < accountIds.length; i += 1000) {
      const chunk = accountIds.slice(i, i + 1000);
      if (!chunk.length) continue;
      const raws = await this.redis.hmget(this.keys.churn(), ...chunk);
      chunk.forEach((id, j) => {
        const raw = raws[j];
        if (raw) out.set(id, JSON.parse(raw) as ChurnRisk);
      });
    }
    return out;
  }

  async *allChurn(pageSize = 1000): AsyncGenerator<ChurnRisk[]> {
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(this.keys.churn(), cursor, 'COUNT', pageSize);
      cursor = next;
      const page: ChurnRisk[] = [];
      for (let i = 1; i < flat.length; i += 2) page.push(JSON.parse(flat[i] as string) as ChurnRisk);
      if (page.length) yield page;
    } while (cursor !== '0');
  }

  async churnHistory(accountId: string, limit = CHURN_HISTORY_KEPT): Promise<ChurnHistoryPoint[]> {
    const raws = await this.redis.lrange(this.keys.churnHistory(accountId), 0, limit - 1);
    return raws.map((r) => JSON.parse(r) as ChurnHistoryPoint);
  }

  /** churnHistory for many accounts in one round trip (pipelined), keyed by account id. */
  async churnHistories(accountIds: readonly string[], limit = CHURN_HISTORY_KEPT): Promise<Map<string, ChurnHistoryPoint[]>> {
    const out = new Map<string, ChurnHistoryPoint[]>();
    if (accountIds.length === 0) return out;
    const pipe = this.redis.pipeline();
    for (const id of accountIds) pipe.lrange(this.keys.churnHistory(id), 0, limit - 1);
    const replies = (await pipe.exec()) ?? [];
    accountIds.forEach((id, i) => {
      const [err, raws] = replies[i] ?? [new Error('no reply'), null];
      if (err) throw new Error(`reading the churn history of ${id} from Redis failed: ${err.message}`);
      out.set(id, (raws as string[]).map((r) => JSON.parse(r) as ChurnHistoryPoint));
    });
    return out;
  }

  async putAttainment(rows: readonly Attainment[]): Promise<void> {
    if (rows.length === 0) return;
    const pipe = this.redis.pipeline();
    for (const a of rows) pipe.hset(this.keys.attainment(a.period.id), `${a.scope}:${a.subjectId}`, JSON.stringify(a));
    await pipe.exec();
  }

  async attainment(periodId: string): Promise<Attainment[]> {
    const raw = await this.redis.hgetall(this.keys.attainment(periodId));
    return Object.values(raw).map((v) => JSON.parse(v) as Attainment);
  }

  /** Replaces the opportunities of each given account (an empty list clears them). */
  async putCrossSell(byAccount: ReadonlyMap<string, readonly CrossSellOpportunity[]>): Promise<void> {
    if (byAccount.size === 0) return;
    const pipe = this.redis.pipeline();
    for (const [accountId, list] of byAccount) {
      if (list.length) pipe.hset(this.keys.crossSell(), accountId, JSON.stringify(list));
      else pipe.hdel(this.keys.crossSell(), accountId);
    }
    await pipe.exec();
  }

  async crossSell(accountIds: readonly string[]): Promise<Map<string, CrossSellOpportunity[]>> {
    const out = new Map<string, CrossSellOpportunity[]>();
    if (accountIds.length === 0) return out;
    const raws = await this.redis.hmget(this.keys.crossSell(), ...accountIds);
    accountIds.forEach((id, i) => {
      const raw = raws[i];
      if (raw) out.set(id, JSON.parse(raw) as CrossSellOpportunity[]);
    });
    return out;
  }

  async putFeedback(entries: readonly CrossSellFeedbackEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const pipe = this.redis.pipeline();
    for (const e of entries) pipe.hset(this.keys.crossSellFeedback(), `${e.accountId}|${e.item}`, JSON.stringify(e));
    await pipe.exec();
  }

  /** Every account's published opportunities, in pages. */
  async *allCrossSell(pageSize = 1000): AsyncGenerator<[string, CrossSellOpportunity[]][]> {
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(this.keys.crossSell(), cursor, 'COUNT', pageSize);
      cursor = next;
      const page: [string, CrossSellOpportunity[]][] = [];
      for (let i = 0; i < flat.length; i += 2) page.push([flat[i] as string, JSON.parse(flat[i + 1] as string) as CrossSellOpportunity[]]);
      if (page.length) yield page;
    } while (cursor !== '0');
  }

  async feedback(): Promise<CrossSellFeedbackEntry[]> {
    const raw = await this.redis.hgetall(this.keys.crossSellFeedback());
    return Object.values(raw).map((v) => JSON.parse(v) as CrossSellFeedbackEntry);
  }
}
