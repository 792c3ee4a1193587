/**
 * Close-date slippage of one deal in one period, read from its closeDate history
 * (Salesforce OpportunityHistory PrevCloseDate → CloseDate, HubSpot closedate property history).
 *
 * - a push is a change whose new close date is later than the previous one, made during the period
 *   up to `asOf`; days pushed = Σ (new − previous) over those pushes;
 * - a commit deal slipped out of the period when (a) a change up to `asOf` moved its close date from
 *   inside the period to after its end while its forecast category was Commit, and it was not won in
 *   the period after all, or (b) it is still open in Commit with a close date in the period already
 *   past (before `asOf`).
 * Pure: no I/O.
 */
import type { DealHistory, ForecastCategory } from './model.js';
import type { Period } from './insights.js';
import { fieldValueBeforeDay, type PreparedDeal } from './deal-inputs.js';
import { dayNumber } from './periods.js';

export interface DealSlippage {
  pushCount: number;
  daysPushed: number;
  slippedOutOfCommit: boolean;
}

/** History and CRM spell categories differently ("Best Case", "BestCase", "best_case"): compare normalized. */
export function normalizeForecastCategory(value: string | null): ForecastCategory | null {
  if (value === null) return null;
  const key = value.toLowerCase().replace(/[\s_-]+/g, '');
  const categories: Record<string, ForecastCategory> = {
    pipeline: 'pipeline',
    bestcase: 'best_case',
    commit: 'commit',
    closed: 'closed',
    closedwon: 'closed',
    omitted: 'omitted',
    notforecasted: 'omitted',
  };
  return categories[key] ?? null;
}

export function dealSlippage(
  prepared: PreparedDeal,
  rows: readonly DealHistory[] | undefined,
  period: Period,
  asOf: string,
): DealSlippage {
  const { deal, closeDay } = prepared;
  const start = dayNumber(period.start);
  const end = dayNumber(period.end);
  const asOfDay = dayNumber(asOf);
  let pushCount = 0;
  let daysPushed = 0;
  let movedOutWhileCommit = false;
  for (const row of rows ?? []) {
    if (row.field !== 'closeDate' || row.from === null || row.to === null) continue;
    const changedDay = dayNumber(row.changedAt);
    if (changedDay > asOfDay) continue;
    const from = dayNumber(row.from);
    const to = dayNumber(row.to);
    if (to > from && changedDay >= start) {
      pushCount += 1;
      daysPushed += to - from;
    }
    if (from >= start && from <= end && to > end) {
      const categoryThen = normalizeForecastCategory(fieldValueBeforeDay(rows, 'forecastCategory', changedDay, deal.forecastCategory));
      if (categoryThen === 'commit') movedOutWhileCommit = true;
    }
  }
  const inPeriod = closeDay !== null && closeDay >= start && closeDay <= end;
  const wonInPeriod = deal.status === 'won' && inPeriod;
  const overdueCommit = deal.status === 'open' && deal.forecastCategory === 'commit' && inPeriod && closeDay < asOfDay;
  return { pushCount, daysPushed, slippedOutOfCommit: (movedOutWhileCommit && !wonInPeriod) || overdueCommit };
}
