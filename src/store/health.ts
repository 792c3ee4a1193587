/**
 * Connection health per CRM (authentication failures, budget reserve reached, error rates), kept so
 * the alert stage can raise and resolve sync-health alerts and /readyz can report it.
 */
import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';

export interface HealthProblem {
  source: string;
  problem: 'auth' | 'budget' | 'error_rate';
  message: string;
  at: string;
}

export class HealthStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  private key(): string {
    return `${this.keys.prefix}:health`;
  }

  async report(p: HealthProblem): Promise<void> {
    await this.redis.hset(this.key(), `${p.source}|${p.problem}`, JSON.stringify(p));
  }

  /** Clears a problem (or all of a source's problems) once it is gone. */
  async clear(source: string, problem?: HealthProblem['problem']): Promise<void> {
    const fields = problem ? [`${source}|${problem}`] : (['auth', 'budget', 'error_rate'] as const).map((p) => `${source}|${p}`);
    await this.redis.hdel(this.key(), ...fields);
  }

  async all(): Promise<HealthProblem[]> {
    const raw = await this.redis.hgetall(this.key());
    return Object.values(raw)
      .map((v) => JSON.parse(v) as HealthProblem)
      .sort((a, b) => a.source.localeCompare(b.source) || a.problem.localeCompare(b.problem));
  }
}
