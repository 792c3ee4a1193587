/**
 * OpportunityHistory → DealHistory. Each row is a snapshot written when Stage, Amount, Close Date
 * or Probability changed. Amount and close date carry their previous value (PrevAmount,
 * PrevCloseDate); the previous stage is the stage of the deal's prior row, found among the rows
 * of the page or, for a row whose predecessor came in an earlier page or run, in the store.
 * One row yields up to three changes, keyed `<rowId>:stage|amount|closeDate`.
 */
import { z } from 'zod';
import { recordId, type DealHistory, type DealHistoryField } from '../../../domain/model.js';
import { modstamp, sfBase, sfDate, sfDateTimeRequired, sfId, sfNumber, sfString } from '../raw.js';
import { defineStream, type StreamEnv } from './spec.js';

export const HistoryRow = z.object({
  ...sfBase,
  OpportunityId: sfId,
  StageName: sfString,
  Amount: sfNumber,
  PrevAmount: sfNumber,
  CloseDate: sfDate,
  PrevCloseDate: sfDate,
  CreatedDate: sfDateTimeRequired,
});
export type HistoryRow = z.infer<typeof HistoryRow>;

/** Known stages per deal: (when, stage), from the store and the rows mapped so far. */
export type StageTimeline = Map<string, { at: string; stage: string; rowId: string }[]>;

const historyFields: DealHistoryField[] = ['stage', 'amount', 'closeDate'];

export function historyIds(rowId: string): string[] {
  return historyFields.map((f) => recordId('salesforce', `${rowId}:${f}`));
}

function previousStage(timeline: StageTimeline, dealId: string, row: HistoryRow): string | null {
  let best: { at: string; stage: string; rowId: string } | null = null;
  for (const e of timeline.get(dealId) ?? []) {
    if (e.rowId === row.Id) continue;
    const before = e.at < row.CreatedDate || (e.at === row.CreatedDate && e.rowId < row.Id);
    if (before && (!best || e.at > best.at || (e.at === best.at && e.rowId > best.rowId))) best = e;
  }
  return best?.stage ?? null;
}

export function mapHistoryRow(row: HistoryRow, timeline: StageTimeline): DealHistory[] {
  const dealId = recordId('salesforce', row.OpportunityId);
  const base = { source: 'salesforce' as const, updatedAt: modstamp(row), dealId, changedAt: row.CreatedDate };
  const make = (field: DealHistoryField, from: string | null, to: string | null): DealHistory => ({
    ...base,
    id: recordId('salesforce', `${row.Id}:${field}`),
    externalId: `${row.Id}:${field}`,
    field,
    from,
    to,
  });
  const out: DealHistory[] = [];
  if (row.StageName) {
    const prev = previousStage(timeline, dealId, row);
    if (prev !== row.StageName) out.push(make('stage', prev, row.StageName));
    const list = timeline.get(dealId) ?? [];
    list.push({ at: row.CreatedDate, stage: row.StageName, rowId: row.Id });
    timeline.set(dealId, list);
  }
  if (row.PrevAmount !== null && row.PrevAmount !== row.Amount) out.push(make('amount', String(row.PrevAmount), row.Amount === null ? null : String(row.Amount)));
  if (row.PrevCloseDate !== null && row.PrevCloseDate !== row.CloseDate) out.push(make('closeDate', row.PrevCloseDate, row.CloseDate));
  return out;
}

/** The stages already stored for the page's deals (stage changes keep the stage in `to`). */
export async function loadTimeline(rows: HistoryRow[], env: StreamEnv): Promise<StageTimeline> {
  const dealIds = [...new Set(rows.map((r) => recordId('salesforce', r.OpportunityId)))];
  const timeline: StageTimeline = new Map();
  if (dealIds.length === 0) return timeline;
  const idsByDeal = await env.store.records.idsByMany('dealHistory', 'dealId', dealIds);
  const ids = [...idsByDeal.values()].flat().filter((id) => id.endsWith(':stage'));
  for (const h of await env.store.records.getMany('dealHistory', ids)) {
    if (h.field !== 'stage' || !h.to) continue;
    const list = timeline.get(h.dealId) ?? [];
    list.push({ at: h.changedAt, stage: h.to, rowId: h.externalId.split(':')[0] as string });
    timeline.set(h.dealId, list);
  }
  return timeline;
}

export const dealHistoryStream = defineStream<HistoryRow, StageTimeline>({
  name: 'dealHistory',
  sobject: 'OpportunityHistory',
  kind: 'dealHistory',
  bulk: true,
  fields: () => ['Id', 'SystemModstamp', 'CreatedDate', 'OpportunityId', 'StageName', 'Amount', 'PrevAmount', 'CloseDate', 'PrevCloseDate'],
  raw: HistoryRow,
  preparePage: loadTimeline,
  map: (row, _config, timeline) => mapHistoryRow(row, timeline),
  deletedIds: historyIds,
});
