/** The store: every Redis repository over one connection and one key prefix. */
import type { Redis } from 'ioredis';
import { ActivityStore } from './activities.js';
import { AlertStore } from './alerts.js';
import { CheckpointStore } from './checkpoints.js';
import { ChurnModelStore } from './churnModels.js';
import { DeliveryLog } from './deliveries.js';
import { DryRunStore } from './dryRuns.js';
import { HealthStore } from './health.js';
import { UnifiedStore } from './unified.js';
import { InsightStore } from './insights.js';
import { Keys } from './keys.js';
import { WriteLedger } from './ledger.js';
import { QuarantineStore } from './quarantine.js';
import { RecordStore } from './records.js';
import { RunLog } from './runs.js';
import { UsageStore } from './usage.js';

export interface StoreOptions {
  prefix?: string;
  /** competitor names found in activity text at fold time */
  competitors?: readonly string[];
}

export class Store {
  readonly keys: Keys;
  readonly records: RecordStore;
  readonly activities: ActivityStore;
  readonly checkpoints: CheckpointStore;
  readonly quarantine: QuarantineStore;
  readonly usage: UsageStore;
  readonly insights: InsightStore;
  readonly ledger: WriteLedger;
  readonly alerts: AlertStore;
  readonly runs: RunLog;
  readonly deliveries: DeliveryLog;
  readonly health: HealthStore;
  readonly unified: UnifiedStore;
  readonly dryRuns: DryRunStore;
  readonly churnModels: ChurnModelStore;

  constructor(
    readonly redis: Redis,
    options: StoreOptions = {},
  ) {
    this.keys = new Keys(options.prefix ?? 'ap');
    this.records = new RecordStore(redis, this.keys);
    this.activities = new ActivityStore(redis, this.keys, options.competitors ?? []);
    this.checkpoints = new CheckpointStore(redis, this.keys);
    this.quarantine = new QuarantineStore(redis, this.keys);
    this.usage = new UsageStore(redis, this.keys);
    this.insights = new InsightStore(redis, this.keys);
    this.ledger = new WriteLedger(redis, this.keys);
    this.alerts = new AlertStore(redis, this.keys);
    this.runs = new RunLog(redis, this.keys);
    this.deliveries = new DeliveryLog(redis, this.keys);
    this.health = new HealthStore(redis, this.keys);
    this.unified = new UnifiedStore(redis, this.keys);
    this.dryRuns = new DryRunStore(redis, this.keys);
    this.churnModels = new ChurnModelStore(redis, this.keys);
  }

  async close(): Promise<void> {
    await this.activities.close();
  }

  /** Deletes every key of this installation (tests, `--reset`). Uses SCAN, never KEYS. */
  async wipe(): Promise<number> {
    let removed = 0;
    for (const pattern of [`${this.keys.prefix}:*`, `${this.keys.queuePrefix()}:*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        if (keys.length) removed += await this.redis.unlink(...keys);
      } while (cursor !== '0');
    }
    return removed;
  }
}

export { Keys } from './keys.js';
export type { UpsertResult, DeleteResult } from './records.js';
export type { FoldResult, ActivityRemoval } from './activities.js';
export type { LedgerEntry, LedgerValue, FailedWrite } from './ledger.js';
export type { Run, RunEvent, RunKind, RunStatus } from './runs.js';
export type { DeliveryRecord } from './deliveries.js';
export type { HealthProblem } from './health.js';
export type { ChurnHistoryPoint, CrossSellFeedbackEntry } from './insights.js';
