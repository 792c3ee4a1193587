/**
 * The worker processes' side: one BullMQ Worker per queue, each dispatching by job name to its
 * stage, with per-queue concurrency from the configuration. Any number of processes (containers)
 * may run these against one Redis. Closing waits for running jobs up to a grace period, then
 * releases them (BullMQ hands a stalled job to another worker).
 */
import { Worker, type Job } from 'bullmq';
import type { AppContext } from './context.js';
import { durationMs } from '../config/schema.js';
import { queueNames, type QueueName } from './queues.js';
import { processSync } from './syncJob.js';
import { processPlan } from './planJob.js';
import { processScore } from './scoreJob.js';
import { processAttainment } from './attainmentJob.js';
import { processEvaluate } from './evaluateJob.js';
import { processWriteback } from './writebackJob.js';
import { processDeliver } from './deliverJob.js';
import { processDryRun } from './dryRunJob.js';
import { processChurnModel } from './churnModelJob.js';

type Processor = (ctx: AppContext, job: Job) => Promise<unknown>;

const processors: Record<QueueName, Record<string, Processor>> = {
  sync: { sync: processSync },
  score: { plan: processPlan, score: processScore, attainment: processAttainment, 'churn-model': processChurnModel },
  evaluate: { evaluate: processEvaluate, dryRun: processDryRun },
  writeback: { writeback: processWriteback },
  deliver: { deliver: processDeliver },
};

export interface WorkerSetOptions {
  queues?: readonly QueueName[];
}

export class WorkerSet {
  readonly workers: Worker[] = [];

  constructor(
    private readonly ctx: AppContext,
    options: WorkerSetOptions = {},
  ) {
    const conc = ctx.loaded.config.queues.concurrency;
    const concurrency: Record<QueueName, number> = { sync: conc.sync, score: conc.score, evaluate: 1, writeback: conc.writeback, deliver: conc.alert };
    for (const name of options.queues ?? queueNames) {
      const worker = new Worker(name, (job) => this.process(name, job), {
        connection: ctx.connection,
        prefix: ctx.queues.bullPrefix,
        concurrency: concurrency[name],
        // A sync waiting out a rate-limit window keeps its lock renewed; a dead process's job is retried.
        lockDuration: durationMs(ctx.loaded.config.queues.lockDuration),
        stalledInterval: durationMs(ctx.loaded.config.queues.stalledInterval),
        maxStalledCount: 2,
      });
      worker.on('failed', (job, err) => {
        ctx.logger.warn({ queue: name, job: job?.name, jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'job failed');
      });
      worker.on('error', (err) => ctx.logger.error({ queue: name, err: err.message }, 'worker error'));
      this.workers.push(worker);
    }
  }

  private async process(queue: QueueName, job: Job): Promise<unknown> {
    const processor = processors[queue][job.name];
    if (!processor) throw new Error(`queue ${queue}: no processor for job name "${job.name}" (job ${job.id}); it was enqueued by a newer or older version`);
    const started = process.hrtime.bigint();
    let outcome = 'ok';
    try {
      return await processor(this.ctx, job);
    } catch (err) {
      outcome = 'error';
      throw err;
    } finally {
      this.ctx.metrics.jobDuration.observe({ queue, name: job.name, outcome }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  async waitUntilReady(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
  }

  /** Stops taking jobs, lets running ones finish within `graceMs`, then releases the rest. */
  async close(graceMs = 20_000): Promise<void> {
    const graceful = Promise.all(this.workers.map((w) => w.close()));
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
    if ((await Promise.race([graceful.then(() => 'done' as const), timer])) === 'timeout') {
      this.ctx.logger.warn({ graceMs }, 'grace period over: releasing running jobs to other workers');
      await Promise.all(this.workers.map((w) => w.close(true)));
    }
  }
}
