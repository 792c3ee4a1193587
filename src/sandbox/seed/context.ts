/**
 * What every part of the generator shares: "today", the quarters around it, interned date
 * strings, key counters, and the per-account plan (the hidden facts behind one account's records).
 */
import { IsoStrings, quarterOf, quarterShift, type Quarter } from './calendar.js';
import type { SeededRandom } from './random.js';
import type { SeedAccount, SeedContact, SeedDeal } from './types.js';

export interface SeedContext {
  seed: number;
  /** "today" as a day number; past events happen before it, open deals close on or after it */
  asOf: number;
  currentQuarter: Quarter;
  nextQuarter: Quarter;
  iso: IsoStrings;
  keys: KeyCounters;
}

export function createContext(seed: number, asOf: number): SeedContext {
  return {
    seed,
    asOf,
    currentQuarter: quarterOf(asOf),
    nextQuarter: quarterShift(asOf, 1),
    iso: new IsoStrings(),
    keys: new KeyCounters(),
  };
}

/** Sequential keys per record kind ("deal-0000042"); widths fit a 100,000-account org. */
export class KeyCounters {
  private readonly counters = new Map<string, number>();

  next(prefix: string, width: number): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return `${prefix}-${String(n).padStart(width, '0')}`;
  }
}

/**
 * churned: the renewal is lost or due soon and every signal points at it;
 * atRisk: the same signals, weaker, on accounts that do not churn (the realistic false positives);
 * healthy: the rest.
 */
export type RiskProfile = 'healthy' | 'atRisk' | 'churned';

/** The hidden facts about one account that its records are generated from. */
export interface AccountPlan {
  account: SeedAccount;
  rng: SeededRandom;
  risk: RiskProfile;
  /** has a contract (prospects have none) */
  customer: boolean;
  /** 0 (10-49 employees) .. 4 (5,000+) */
  sizeBand: number;
  createdDay: number;
  /** first contract day (customers) */
  contractStart: number | null;
  /** the renewal that is lost (past) or due (future) on churned and at-risk accounts */
  decisiveRenewal: number | null;
  /** the rep who held the account before leaving; deals closed before `untilDay` are theirs */
  formerOwner: { key: string; untilDay: number } | null;
  contacts: SeedContact[];
  deals: SeedDeal[];
  /** day spans [created, closed or today] of the account's deals, for activity references */
  dealSpans: { key: string; from: number; to: number }[];
}
