/**
 * Turns the raw inputs of the quota maths into clean ones, with a documented rule for each defect:
 *
 * - duplicated records (same id twice): counted once, the latest `updatedAt` kept (on a tie, the later
 *   one in the input);
 * - amount null or not a finite number: the deal stays (it counts for win rate and cycle time) but its
 *   amount is left out of every sum;
 * - currency: null means corporate; another currency is converted with `currencyRates`; a currency with
 *   no rate is excluded from sums (policy 'exclude') or taken unconverted (policy 'as_corporate');
 * - negative amounts are credits (clawbacks, refunds): they reduce closed-won and pipeline sums as
 *   signed values, but are not deals: they never count in win rate, deal size, cycle or velocity.
 *
 * Also indexes deal history by deal, and collects data-quality issues additively so owner tallies
 * can be summed into team and org tallies. Pure: no I/O.
 */
import type { DataQualityNote } from './insights.js';
import type { Deal, DealHistory, RecordRef } from './model.js';
import { dayNumber } from './periods.js';
import type { QuotaConfig } from './quota-config.js';

export interface PreparedDeal {
  deal: Deal;
  /** in corporate currency; null when missing, not finite, or in a currency excluded for lack of a rate */
  amount: number | null;
  amountProblem: 'missing' | 'unknown_currency' | null;
  /** converted as-is because the currency had no rate and the policy is 'as_corporate' */
  unconverted: boolean;
  closeDay: number | null;
  createdDay: number | null;
}

export interface ConvertedAmount {
  amount: number | null;
  problem: 'missing' | 'unknown_currency' | null;
  unconverted: boolean;
}

/** Converts an amount to the corporate currency following the configured rates and policy. */
export function toCorporate(amount: number | null, currency: string | null, config: QuotaConfig): ConvertedAmount {
  if (amount === null || !Number.isFinite(amount)) return { amount: null, problem: 'missing', unconverted: false };
  if (currency === null || currency === config.corporateCurrency) {
    return { amount, problem: null, unconverted: false };
  }
  const rate = config.currencyRates[currency];
  if (rate !== undefined) return { amount: amount * rate, problem: null, unconverted: false };
  if (config.unknownCurrency === 'as_corporate') return { amount, problem: null, unconverted: true };
  return { amount: null, problem: 'unknown_currency', unconverted: false };
}

/** Keeps one record per id: the latest `updatedAt`, the later in the input on a tie. */
export function dedupeById<T extends { id: string; updatedAt: string }>(records: readonly T[]): { unique: T[]; duplicates: T[] } {
  const kept = new Map<string, T>();
  const duplicates: T[] = [];
  for (const record of records) {
    const previous = kept.get(record.id);
    if (previous === undefined) {
      kept.set(record.id, record);
      continue;
    }
    duplicates.push(record);
    if (Date.parse(record.updatedAt) >= Date.parse(previous.updatedAt)) kept.set(record.id, record);
  }
  return { unique: [...kept.values()], duplicates };
}

export function prepareDeals(deals: readonly Deal[], config: QuotaConfig): { deals: PreparedDeal[]; duplicates: Deal[] } {
  const { unique, duplicates } = dedupeById(deals);
  const prepared = unique.map((deal): PreparedDeal => {
    const converted = toCorporate(deal.amount, deal.currency, config);
    return {
      deal,
      amount: converted.amount,
      amountProblem: converted.problem,
      unconverted: converted.unconverted,
      closeDay: deal.closeDate === null ? null : dayNumber(deal.closeDate),
      createdDay: deal.createdAt === null ? null : dayNumber(deal.createdAt),
    };
  });
  return { deals: prepared, duplicates };
}

export type HistoryIndex = ReadonlyMap<string, readonly DealHistory[]>;

/** History rows per deal id, duplicates removed, oldest change first. */
export function indexHistory(history: readonly DealHistory[]): { index: HistoryIndex; duplicates: DealHistory[] } {
  const { unique, duplicates } = dedupeById(history);
  const index = new Map<string, DealHistory[]>();
  for (const row of unique) {
    const rows = index.get(row.dealId);
    if (rows) rows.push(row);
    else index.set(row.dealId, [row]);
  }
  // Sorting each deal's few rows (stable: equal times keep input order) instead of every row at
  // once: the same order per deal at a fraction of the cost on hundreds of thousands of rows.
  for (const [dealId, rows] of index) {
    if (rows.length < 2) continue;
    const timed = rows.map((row) => ({ row, at: Date.parse(row.changedAt) }));
    timed.sort((a, b) => a.at - b.at);
    index.set(dealId, timed.map((t) => t.row));
  }
  return { index, duplicates };
}

/**
 * The value a deal field had at the start of `day` (changes stamped on `day` or later are undone):
 * the `from` of the first later change of that field, else the current value.
 */
export function fieldValueBeforeDay(
  rows: readonly DealHistory[] | undefined,
  field: DealHistory['field'],
  day: number,
  current: string | null,
): string | null {
  for (const row of rows ?? []) {
    if (row.field === field && dayNumber(row.changedAt) >= day) return row.from;
  }
  return current;
}

export function dealRef(deal: Deal): RecordRef {
  return deal.closeDate === null
    ? { type: 'deal', id: deal.id, label: deal.name }
    : { type: 'deal', id: deal.id, label: deal.name, at: deal.closeDate };
}

/** Data-quality issues counted by code; additive, so owner issues sum into team and org issues. */
export class IssueTally {
  private readonly issues = new Map<string, { count: number; records: RecordRef[] }>();

  constructor(private readonly recordLimit: number) {}

  add(code: string, record?: RecordRef, count = 1): void {
    const issue = this.issues.get(code) ?? { count: 0, records: [] };
    issue.count += count;
    if (record && issue.records.length < this.recordLimit) issue.records.push(record);
    this.issues.set(code, issue);
  }

  addAll(other: IssueTally): void {
    for (const [code, issue] of other.issues) {
      const mine = this.issues.get(code) ?? { count: 0, records: [] };
      mine.count += issue.count;
      for (const record of issue.records) if (mine.records.length < this.recordLimit) mine.records.push(record);
      this.issues.set(code, mine);
    }
  }

  count(code: string): number {
    return this.issues.get(code)?.count ?? 0;
  }

  /** Notes in code order, worded by `describe(code, count)`. */
  toNotes(describe: (code: string, count: number) => string): DataQualityNote[] {
    return [...this.issues.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([code, issue]) => {
        const note: DataQualityNote = { code, message: describe(code, issue.count), count: issue.count };
        if (issue.records.length > 0) note.records = issue.records;
        return note;
      });
  }
}
