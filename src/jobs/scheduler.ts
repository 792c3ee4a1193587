/**
 * Recurring work through BullMQ job schedulers (one definition shared by every process; upserting
 * is idempotent): incremental syncs every `sync.incrementalEvery`, a full reconciliation on
 * `sync.reconcileCron`, the weekly digest on `sync.digestCron`, and the daily training of the
 * learned churn model on `churn.learnedTrainCron` (its own setting: it should run after the nightly
 * reconciliation has refreshed the data, not with it, and never inside a cycle). A scheduler tick
 * enqueues a `tick` job on the sync queue whose processor starts the cycle.
 */
import { Queue, Worker, type Job } from 'bullmq';
import { durationMs } from '../config/schema.js';
import type { AppContext } from './context.js';
import { enqueueCycle } from './cycle.js';
import { sendWeeklyDigest } from './digestJob.js';
import { enqueueChurnModelTraining } from './churnModelJob.js';
import { analyticsSettings } from './settings.js';

export const SCHEDULER_QUEUE = 'schedule';

export class Scheduler {
  private readonly queue: Queue;
  private worker: Worker | null = null;

  constructor(private readonly ctx: AppContext) {
    this.queue = new Queue(SCHEDULER_QUEUE, { connection: ctx.connection, prefix: ctx.queues.bullPrefix });
  }

  async install(): Promise<void> {
    const s = this.ctx.loaded.config.sync;
    await this.queue.upsertJobScheduler('incremental', { every: durationMs(s.incrementalEvery) }, { name: 'incremental', data: {}, opts: { removeOnComplete: 100, removeOnFail: 100 } });
    await this.queue.upsertJobScheduler('reconcile', { pattern: s.reconcileCron, tz: 'UTC' }, { name: 'reconcile', data: {}, opts: { removeOnComplete: 30, removeOnFail: 30 } });
    await this.queue.upsertJobScheduler('digest', { pattern: s.digestCron, tz: 'UTC' }, { name: 'digest', data: {}, opts: { removeOnComplete: 30, removeOnFail: 30 } });
    const churn = analyticsSettings(this.ctx.loaded.config).churn;
    await this.queue.upsertJobScheduler('churn-model', { pattern: churn.learnedTrainCron, tz: 'UTC' }, { name: 'churn-model', data: {}, opts: { removeOnComplete: 30, removeOnFail: 30 } });
  }

  /** Runs the ticks in this process (any one process may; BullMQ hands each tick to one). */
  start(): void {
    this.worker = new Worker(SCHEDULER_QUEUE, (job) => this.tick(job), { connection: this.ctx.connection, prefix: this.ctx.queues.bullPrefix, concurrency: 1 });
  }

  private async tick(job: Job): Promise<string> {
    const tickId = `${job.name}-${job.timestamp}`;
    if (job.name === 'incremental') return enqueueCycle(this.ctx, { cycleId: tickId });
    if (job.name === 'reconcile') return enqueueCycle(this.ctx, { cycleId: tickId, full: true });
    // Trained under every churn.model setting: the verdict tells a person whether to opt in to auto.
    if (job.name === 'churn-model') return enqueueChurnModelTraining(this.ctx, tickId);
    const digest = await sendWeeklyDigest(this.ctx);
    return digest.key;
  }

  async list(): Promise<{ id: string; next: number | null; pattern: string | null; every: number | null }[]> {
    const s = await this.queue.getJobSchedulers(0, -1);
    return s.map((x) => ({ id: x.key, next: x.next ?? null, pattern: x.pattern ?? null, every: x.every ? Number(x.every) : null }));
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }
}
