/**
 * Activities folded into per-account aggregates (see domain/activity.ts), idempotently.
 *
 * Several sync jobs fold into the same accounts at once (calls, emails, notes are separate
 * streams), so a page is folded in an optimistic transaction: WATCH the page's accounts, read
 * aggregates and fingerprints, fold in memory, MULTI/EXEC the writes, and redo the page if another
 * writer got there first. The aggregate and fingerprint keys of an account share a hash tag.
 */
import type { Redis } from 'ioredis';
import {
  ActivityAggregateSchema,
  emptyAggregate,
  foldActivity,
  unfoldActivity,
  type ActivityAggregate,
} from '../domain/activity.js';
import type { Activity } from '../domain/model.js';
import type { Keys } from './keys.js';

export interface FoldResult {
  /** activities whose contribution changed (new or edited) */
  folded: number;
  /** activities seen before with the same content */
  unchanged: number;
  /** activities without an account (not folded; counted so the run can report them) */
  withoutAccount: number;
  /** accounts whose aggregate changed */
  accountIds: string[];
}

export interface ActivityRemoval {
  id: string;
  accountId: string | null;
}

const MAX_TX_RETRIES = 20;

/** Whether an activity is a touch with the customer: everything but tasks not yet completed. */
export function isTouch(activity: Pick<Activity, 'type' | 'completed'>): boolean {
  return activity.type !== 'task' || activity.completed === true;
}

export class ActivityStore {
  /** WATCH is per connection: folds run one at a time on a dedicated connection. */
  private readonly tx: Redis;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly competitors: readonly string[] = [],
  ) {
    this.tx = redis.duplicate();
  }

  async close(): Promise<void> {
    await this.queue.catch(() => {});
    this.tx.disconnect();
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => {});
    return run;
  }

  fold(activities: readonly Activity[]): Promise<FoldResult> {
    return this.serial(() => this.foldNow(activities));
  }

  remove(removals: readonly ActivityRemoval[]): Promise<{ removed: number; accountIds: string[] }> {
    return this.serial(() => this.removeNow(removals));
  }

  private async foldNow(activities: readonly Activity[]): Promise<FoldResult> {
    const byAccount = new Map<string, Activity[]>();
    let withoutAccount = 0;
    for (const a of activities) {
      if (!a.accountId) {
        withoutAccount += 1;
        continue;
      }
      const list = byAccount.get(a.accountId) ?? [];
      list.push(a);
      byAccount.set(a.accountId, list);
    }
    const accountIds = [...byAccount.keys()];
    if (accountIds.length === 0) return { folded: 0, unchanged: 0, withoutAccount, accountIds: [] };

    for (let attempt = 0; attempt < MAX_TX_RETRIES; attempt++) {
      const watched = accountIds.flatMap((id) => [this.keys.activityAggregate(id), this.keys.activityFingerprints(id)]);
      await this.tx.watch(...watched);
      const { aggs, fps } = await this.read(accountIds, byAccount);
      let folded = 0;
      let unchanged = 0;
      const multi = this.tx.multi();
      const touched: string[] = [];
      for (const accountId of accountIds) {
        const agg = aggs.get(accountId) as ActivityAggregate;
        const prints = fps.get(accountId) as Map<string, string | null>;
        let accountChanged = false;
        for (const activity of byAccount.get(accountId) ?? []) {
          if (!isTouch(activity)) {
            // An open task is a plan, not a touch (AccountPulse's own tasks are open tasks too):
            // it counts once it is completed; if it was counted and reopened, it stops counting.
            const prev = prints.get(activity.id);
            if (prev) {
              unfoldActivity(agg, activity.id, prev);
              prints.delete(activity.id);
              multi.hdel(this.keys.activityFingerprints(accountId), activity.id);
              folded += 1;
              accountChanged = true;
            } else unchanged += 1;
            continue;
          }
          const fp = foldActivity(agg, activity, prints.get(activity.id) ?? null, this.competitors);
          if (fp === null) {
            unchanged += 1;
            continue;
          }
          prints.set(activity.id, fp);
          multi.hset(this.keys.activityFingerprints(accountId), activity.id, fp);
          folded += 1;
          accountChanged = true;
        }
        if (accountChanged) {
          multi.set(this.keys.activityAggregate(accountId), JSON.stringify(agg));
          touched.push(accountId);
        }
      }
      if (touched.length === 0) {
        await this.tx.unwatch();
        return { folded, unchanged, withoutAccount, accountIds: [] };
      }
      const res = await multi.exec();
      if (res !== null) return { folded, unchanged, withoutAccount, accountIds: touched };
    }
    throw new Error(`activity fold: ${MAX_TX_RETRIES} write conflicts in a row on ${accountIds.length} accounts; another writer keeps changing them`);
  }

  private async read(accountIds: string[], byAccount: Map<string, { id: string }[]>) {
    const pipe = this.tx.pipeline();
    for (const id of accountIds) {
      pipe.get(this.keys.activityAggregate(id));
      const ids = (byAccount.get(id) ?? []).map((a) => a.id);
      pipe.hmget(this.keys.activityFingerprints(id), ...(ids.length ? ids : ['-']));
    }
    const res = (await pipe.exec()) ?? [];
    const aggs = new Map<string, ActivityAggregate>();
    const fps = new Map<string, Map<string, string | null>>();
    accountIds.forEach((id, i) => {
      const raw = res[2 * i]?.[1] as string | null;
      aggs.set(id, raw ? ActivityAggregateSchema.parse(JSON.parse(raw)) : emptyAggregate(id));
      const values = (res[2 * i + 1]?.[1] as (string | null)[]) ?? [];
      const ids = (byAccount.get(id) ?? []).map((a) => a.id);
      fps.set(id, new Map(ids.map((aid, j) => [aid, values[j] ?? null])));
    });
    return { aggs, fps };
  }

  private async removeNow(removals: readonly ActivityRemoval[]): Promise<{ removed: number; accountIds: string[] }> {
    const byAccount = new Map<string, { id: string }[]>();
    for (const r of removals) {
      if (!r.accountId) continue;
      const list = byAccount.get(r.accountId) ?? [];
      list.push({ id: r.id });
      byAccount.set(r.accountId, list);
    }
    const accountIds = [...byAccount.keys()];
    for (let attempt = 0; attempt < MAX_TX_RETRIES; attempt++) {
      if (accountIds.length === 0) return { removed: 0, accountIds: [] };
      await this.tx.watch(...accountIds.flatMap((id) => [this.keys.activityAggregate(id), this.keys.activityFingerprints(id)]));
      const { aggs, fps } = await this.read(accountIds, byAccount);
      const multi = this.tx.multi();
      let removed = 0;
      const touched: string[] = [];
      for (const accountId of accountIds) {
        const agg = aggs.get(accountId) as ActivityAggregate;
        let changed = false;
        for (const { id } of byAccount.get(accountId) ?? []) {
          const fp = fps.get(accountId)?.get(id);
          if (!fp) continue;
          unfoldActivity(agg, id, fp);
          multi.hdel(this.keys.activityFingerprints(accountId), id);
          removed += 1;
          changed = true;
        }
        if (changed) {
          multi.set(this.keys.activityAggregate(accountId), JSON.stringify(agg));
          touched.push(accountId);
        }
      }
      if (touched.length === 0) {
        await this.tx.unwatch();
        return { removed: 0, accountIds: [] };
      }
      if ((await multi.exec()) !== null) return { removed, accountIds: touched };
    }
    throw new Error(`activity removal: ${MAX_TX_RETRIES} write conflicts in a row; another writer keeps changing the same accounts`);
  }

  async aggregates(accountIds: readonly string[]): Promise<Map<string, ActivityAggregate>> {
    const out = new Map<string, ActivityAggregate>();
    for (let i = 0; i < accountIds.length; i += 1000) {
      const chunk = accountIds.slice(i, i + 1000);
      if (chunk.length === 0) continue;
      const pipe = this.redis.pipeline();
      for (const id of chunk) pipe.get(this.keys.activityAggregate(id));
      const res = (await pipe.exec()) ?? [];
      chunk.forEach((id, j) => {
        const raw = res[j]?.[1] as string | null;
        out.set(id, raw ? (JSON.parse(raw) as ActivityAggregate) : emptyAggregate(id));
      });
    }
    return out;
  }
}
