/**
 * The production churn model: the last training run's fitted model, its backtest summary and the
 * gate verdict, under one key (p:model:churn, a string of JSON), plus the lock that keeps training
 * to one run at a time across worker processes (p:model:churn:lock).
 *
 * A value that does not parse (corrupt, or written by an older version) reads as "no model" with
 * the problem in words: scoring falls back to the rule score and says why, it never throws.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Redis } from 'ioredis';
import type { TrainedChurnModel } from '../domain/learn/churnModel.js';
import type { Keys } from './keys.js';

const finite = z.number().refine(Number.isFinite, { message: 'must be a finite number' });

const TrainedChurnModelSchema = z
  .object({
    spec: z.object({ numeric: z.array(z.string()), categorical: z.array(z.string()) }),
    encoder: z.object({
      numeric: z.array(z.object({ name: z.string(), impute: finite, missingColumn: z.boolean() })),
      categorical: z.array(z.object({ name: z.string(), reference: z.string(), levels: z.array(z.string()) })),
      columns: z.array(z.string()),
      sources: z.array(z.string()),
    }),
    standardizer: z.object({ means: z.array(finite), sds: z.array(finite) }),
    fit: z.object({ intercept: finite, coefficients: z.array(finite), lambda: finite, iterations: z.number(), converged: z.boolean(), objective: z.number() }),
    baseRate: finite,
    trainedRows: z.number().int(),
    version: z.string().min(1),
  })
  // Mismatched lengths would score every account NaN: such a value is not a model.
  .refine(
    (m) => {
      const k = m.encoder.columns.length;
      return m.encoder.sources.length === k && m.standardizer.means.length === k && m.standardizer.sds.length === k && m.fit.coefficients.length === k;
    },
    { message: 'columns, sources, standardizer and coefficients must have the same length' },
  );

const Count = z.object({ rows: z.number().int(), positives: z.number().int() });

/** What the training run saw and measured (the backtest report, without the calibration tables). */
export const ChurnTrainingSummarySchema = z.object({
  asOf: z.string(),
  from: z.string(),
  split: z.string(),
  horizonDays: z.number().int(),
  accounts: z.number().int(),
  churnedAccounts: z.number().int(),
  undatedChurned: z.number().int(),
  snapshots: z.object({ total: z.number().int(), positives: z.number().int(), train: Count, test: Count }),
  learnedRocAuc: z.number().nullable(),
  ruleRocAuc: z.number().nullable(),
  learnedPrAuc: z.number().nullable(),
  rulePrAuc: z.number().nullable(),
  /** rows and positives the production model was fitted on (every snapshot whose horizon is observed) */
  production: Count.nullable(),
  messages: z.array(z.string()),
});
export type ChurnTrainingSummary = z.infer<typeof ChurnTrainingSummarySchema>;

export const StoredChurnModelSchema = z
  .object({
    /** bump when the shape changes: older values then read as "no model" until the next training run */
    schema: z.literal(1),
    trainedAt: z.string(),
    verdict: z.enum(['passed', 'failed', 'not fitted']),
    reason: z.string(),
    summary: ChurnTrainingSummarySchema.nullable(),
    model: TrainedChurnModelSchema.nullable(),
  })
  .refine((s) => (s.verdict === 'not fitted') === (s.model === null), { message: "a model is stored exactly when the verdict is not 'not fitted'" });

export type StoredChurnModel = Omit<z.infer<typeof StoredChurnModelSchema>, 'model'> & { model: TrainedChurnModel | null };

export interface ChurnModelRead {
  stored: StoredChurnModel | null;
  /** set when a value exists but is unreadable; it is then treated as no model */
  problem: string | null;
}

// Compare-and-delete: only the holder's token releases the lock.
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

export class ChurnModelStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  private key(): string {
    return `${this.keys.prefix}:model:churn`;
  }

  private lockKey(): string {
    return `${this.keys.prefix}:model:churn:lock`;
  }

  async put(value: StoredChurnModel): Promise<void> {
    // Parsed before writing too: what is stored is what the reader accepts.
    const parsed = StoredChurnModelSchema.parse(value);
    await this.redis.set(this.key(), JSON.stringify(parsed));
  }

  async get(): Promise<ChurnModelRead> {
    const raw = await this.redis.get(this.key());
    if (raw === null) return { stored: null, problem: null };
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (err) {
      return { stored: null, problem: `the stored churn model at ${this.key()} is not JSON (${(err as Error).message}); scoring uses the rule score until the next training run` };
    }
    const parsed = StoredChurnModelSchema.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || 'value'}: ${i.message}`);
      return { stored: null, problem: `the stored churn model at ${this.key()} has an unknown shape (${issues.join('; ')}); scoring uses the rule score until the next training run` };
    }
    return { stored: parsed.data, problem: null };
  }

  async clear(): Promise<void> {
    await this.redis.del(this.key());
  }

  /** Takes the training lock for `ttlMs`; returns its token, or null when another run holds it. */
  async lock(ttlMs: number): Promise<string | null> {
    const token = randomUUID();
    const ok = await this.redis.set(this.lockKey(), token, 'PX', ttlMs, 'NX');
    return ok === 'OK' ? token : null;
  }

  async unlock(token: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.lockKey(), token);
  }
}
