/**
 * The current account unification (domain/unify.ts): unified id → member ids, member id → unified
 * id. Recomputed by the plan stage; read by scoring and write-back.
 */
import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';

export class UnifiedStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  private groups(): string {
    return `${this.keys.prefix}:unify`;
  }
  private members(): string {
    return `${this.keys.prefix}:unify:member`;
  }

  /** Replaces the whole mapping. */
  async replace(groups: ReadonlyMap<string, readonly string[]>): Promise<void> {
    const tmpG = `${this.groups()}:tmp`;
    const tmpM = `${this.members()}:tmp`;
    const pipe = this.redis.pipeline().del(tmpG, tmpM);
    let n = 0;
    for (const [id, members] of groups) {
      pipe.hset(tmpG, id, JSON.stringify(members));
      for (const m of members) pipe.hset(tmpM, m, id);
      if (++n % 5000 === 0) {
        await pipe.exec();
      }
    }
    await pipe.exec();
    const swap = this.redis.multi();
    if (groups.size > 0) swap.rename(tmpG, this.groups()).rename(tmpM, this.members());
    else swap.del(this.groups(), this.members());
    await swap.exec();
  }

  async membersOf(unifiedIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (unifiedIds.length === 0) return out;
    const raws = await this.redis.hmget(this.groups(), ...unifiedIds);
    unifiedIds.forEach((id, i) => out.set(id, raws[i] ? (JSON.parse(raws[i] as string) as string[]) : [id]));
    return out;
  }

  async unifiedOf(memberIds: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (memberIds.length === 0) return out;
    const raws = await this.redis.hmget(this.members(), ...memberIds);
    memberIds.forEach((id, i) => out.set(id, raws[i] ?? id));
    return out;
  }

  async allUnifiedIds(): Promise<string[]> {
    return this.redis.hkeys(this.groups());
  }
}
