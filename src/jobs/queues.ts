/**
 * The BullMQ queues of a cycle and their payloads. Every stage is a queue, so more worker
 * processes (containers) mean more throughput; queue keys carry a hash tag ({prefix}) so Redis
 * Cluster keeps each queue's keys in one slot.
 *
 *   cycle ─► sync ×(CRM, stream) ──► plan ─► score ×batch, attainment ──► evaluate ─► writeback ×CRM
 *                                                                                  └► deliver ×(alert, route)
 *   dryRun (on the evaluate queue: one at a time) computes a cycle without writing; see dryRunJob.ts
 *   churn-model (on the score queue, daily from the scheduler) trains the learned churn model; see churnModelJob.ts
 *
 * `plan` waits for every sync of its cycle and `evaluate` for every score batch (BullMQ flows: a
 * parent runs when its children are done; a failed child is recorded, not blocking).
 */
import { z } from 'zod';
import { FlowProducer, Queue, UnrecoverableError, type ConnectionOptions, type DefaultJobOptions, type Job } from 'bullmq';

export const queueNames = ['sync', 'score', 'evaluate', 'writeback', 'deliver'] as const;
export type QueueName = (typeof queueNames)[number];

const Source = z.enum(['hubspot', 'salesforce']);

export const SyncPayload = z.object({
  cycleId: z.string().min(1),
  source: Source,
  stream: z.string().min(1),
  full: z.boolean().default(false),
  /** targeted re-read (webhook change notices); absent = read the stream from its checkpoint */
  externalIds: z.array(z.string()).max(1000).optional(),
  dryRun: z.boolean().default(false),
});
export type SyncPayload = z.infer<typeof SyncPayload>;

export const PlanPayload = z.object({ cycleId: z.string().min(1), full: z.boolean().default(false), dryRun: z.boolean().default(false) });
export type PlanPayload = z.infer<typeof PlanPayload>;

export const ScorePayload = z.object({ cycleId: z.string().min(1), accountIds: z.array(z.string().min(3)).max(5000), dryRun: z.boolean().default(false) });
export type ScorePayload = z.infer<typeof ScorePayload>;

export const AttainmentPayload = z.object({ cycleId: z.string().min(1), dryRun: z.boolean().default(false) });
export type AttainmentPayload = z.infer<typeof AttainmentPayload>;

export const EvaluatePayload = z.object({
  cycleId: z.string().min(1),
  dryRun: z.boolean().default(false),
  /** every account was rescored because the portfolio had been incomplete: rewrite texts whose figures moved */
  refreshTexts: z.boolean().default(false),
});
export type EvaluatePayload = z.infer<typeof EvaluatePayload>;

export const WritebackPayload = z.object({
  cycleId: z.string().min(1),
  source: Source,
  accountIds: z.array(z.string()),
  /** tasks to create: one per newly opened red-churn alert (dedupe key = alert key + opened at) */
  tasks: z.array(z.object({ dedupeKey: z.string(), accountId: z.string(), subject: z.string(), body: z.string(), priority: z.enum(['low', 'normal', 'high']) })).default([]),
  dryRun: z.boolean().default(false),
  refreshTexts: z.boolean().default(false),
});
export type WritebackPayload = z.infer<typeof WritebackPayload>;

export const DryRunPayload = z.object({ id: z.string().min(1).max(100), full: z.boolean().default(false), sources: z.array(Source).min(1).nullable().default(null) });
export type DryRunPayload = z.infer<typeof DryRunPayload>;

/** Training of the production churn model (churnModelJob.ts), on the score queue, outside cycles. */
export const ChurnModelPayload = z.object({
  /** what asked for it (scheduler tick id, command), for the job id and the run audit */
  trigger: z.string().min(1).max(100),
});
export type ChurnModelPayload = z.infer<typeof ChurnModelPayload>;

export const DeliverPayload = z.object({ alertKey: z.string().min(1), version: z.number().int().positive(), route: z.string().min(1) });
export type DeliverPayload = z.infer<typeof DeliverPayload>;

/** Parses a job's payload; a malformed (poisoned) one fails the job once, without retries. */
export function parsePayload<T>(schema: z.ZodType<T>, job: Job): T {
  const parsed = schema.safeParse(job.data);
  if (!parsed.success) {
    throw new UnrecoverableError(`job ${job.name} ${job.id}: malformed payload (${parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ')}); not retried`);
  }
  return parsed.data;
}

/** BullMQ job ids may not contain ':'; ours join parts with '.'. */
export function jobId(...parts: string[]): string {
  return parts.map((p) => p.replace(/[:\s]/g, '_')).join('.');
}

export interface QueueSetOptions {
  connection: ConnectionOptions;
  /** installation prefix; queues live under `{prefix}` */
  prefix: string;
  attempts: number;
  backoffMs: number;
}

export class QueueSet {
  readonly queues: Record<QueueName, Queue>;
  readonly flows: FlowProducer;
  readonly bullPrefix: string;
  readonly jobOptions: DefaultJobOptions;

  constructor(readonly options: QueueSetOptions) {
    this.bullPrefix = `{${options.prefix}}`;
    this.jobOptions = {
      attempts: options.attempts,
      backoff: { type: 'exponential', delay: options.backoffMs },
      // Completed jobs go (the run audit keeps what matters); failed ones stay for `retry`.
      removeOnComplete: { age: 3600, count: 1000 },
      removeOnFail: { age: 14 * 86_400 },
    };
    this.queues = Object.fromEntries(
      queueNames.map((n) => [n, new Queue(n, { connection: options.connection, prefix: this.bullPrefix, defaultJobOptions: this.jobOptions })]),
    ) as Record<QueueName, Queue>;
    this.flows = new FlowProducer({ connection: options.connection, prefix: this.bullPrefix });
  }

  /** Waiting, active, delayed and waiting-children jobs across all queues. */
  async pending(): Promise<number> {
    let n = 0;
    for (const q of Object.values(this.queues)) {
      const c = await q.getJobCounts('waiting', 'active', 'delayed', 'waiting-children', 'prioritized');
      n += Object.values(c).reduce((a, b) => a + b, 0);
    }
    return n;
  }

  async counts(): Promise<Record<QueueName, Record<string, number>>> {
    const out = {} as Record<QueueName, Record<string, number>>;
    for (const name of queueNames) out[name] = await this.queues[name].getJobCounts('waiting', 'active', 'delayed', 'waiting-children', 'completed', 'failed');
    return out;
  }

  /** Moves every failed job back to waiting ("retry failed jobs with one command"). */
  async retryFailed(): Promise<Record<QueueName, number>> {
    const out = {} as Record<QueueName, number>;
    for (const name of queueNames) {
      const failed = await this.queues[name].getFailed(0, -1);
      let n = 0;
      for (const job of failed) {
        await job.retry('failed');
        n += 1;
      }
      out[name] = n;
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.all([...Object.values(this.queues).map((q) => q.close()), this.flows.close()]);
  }
}
