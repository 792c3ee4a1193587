/**
 * deals → Deal, plus DealHistory rows from the stage / amount / close-date / forecast history
 * (HubSpot has no OpportunityHistory; propertiesWithHistory is its equivalent). Status and
 * probability come from the pipeline stage (fetched once per run), falling back to the deal's own
 * computed properties. hs_merged_object_ids is read too: the runner deletes the deals (and their
 * history) merged away into a record.
 */
import { recordId, type Deal, type DealHistory, type DealHistoryField, type DealType, type ForecastCategory } from '../../../domain/model.js';
import type { Mapped, ObjectStreamSpec } from './spec.js';
import { associatedIds, bool, date, instant, modifiedAt, num, text } from '../values.js';
import { MERGED_IDS_PROPERTY, type RawObject } from '../raw.js';

const historyFields: Record<string, DealHistoryField> = {
  dealstage: 'stage',
  amount: 'amount',
  closedate: 'closeDate',
  hs_forecast_category: 'forecastCategory',
};

const dealTypes: Record<string, DealType> = { newbusiness: 'new', existingbusiness: 'expansion', renewal: 'renewal' };

const forecastCategories: Record<string, ForecastCategory> = {
  pipeline: 'pipeline',
  best_case: 'best_case',
  bestcase: 'best_case',
  commit: 'commit',
  closed: 'closed',
  closed_won: 'closed',
  omit: 'omitted',
  omitted: 'omitted',
  not_forecasted: 'omitted',
};

function historyOf(raw: RawObject, dealId: string): DealHistory[] {
  const out: DealHistory[] = [];
  for (const [property, field] of Object.entries(historyFields)) {
    const entries = [...(raw.propertiesWithHistory?.[property] ?? [])].sort((a, b) => a.timestamp.localeCompare(b.timestamp));
    let previous: string | null = null;
    entries.forEach((e, i) => {
      const to = e.value ?? null;
      const externalId = `${raw.id}:${field}:${Date.parse(e.timestamp)}:${i}`;
      out.push({ id: recordId('hubspot', externalId), source: 'hubspot', externalId, updatedAt: e.timestamp, dealId, field, from: previous, to, changedAt: e.timestamp });
      previous = to;
    });
  }
  return out;
}

export const dealsStream: ObjectStreamSpec = {
  name: 'deals',
  objectType: 'deals',
  kind: 'deal',
  modifiedProperty: 'hs_lastmodifieddate',
  scope: 'crm.objects.deals.read',
  associations: ['companies'],
  propertiesWithHistory: Object.keys(historyFields),
  needs: ['dealStages'],
  properties: () => [
    'dealname', 'amount', 'deal_currency_code', 'dealstage', 'pipeline', 'closedate', 'dealtype', 'hubspot_owner_id',
    'hs_forecast_category', 'hs_deal_stage_probability', 'hs_is_closed', 'hs_is_closed_won', 'createdate', 'hs_lastmodifieddate',
    MERGED_IDS_PROPERTY,
  ],
  map: (raw, ctx) => {
    const p = raw.properties;
    const id = recordId('hubspot', raw.id);
    const stageId = text(p, 'dealstage') ?? 'unknown';
    const stage = ctx.dealStages.get(stageId);
    const closed = stage?.isClosed ?? bool(p, 'hs_is_closed') ?? false;
    const probability = stage?.probability ?? num(p, 'hs_deal_stage_probability');
    const wonFlag = bool(p, 'hs_is_closed_won');
    const won = closed && (wonFlag ?? probability === 1);
    const status = !closed ? 'open' : won ? 'won' : 'lost';
    const forecastRaw = text(p, 'hs_forecast_category')?.toLowerCase();
    const forecastCategory: ForecastCategory =
      status === 'won' ? 'closed' : status === 'lost' ? 'omitted' : ((forecastRaw && forecastCategories[forecastRaw]) || 'pipeline');
    const company = associatedIds(raw, 'companies')[0];
    const owner = text(p, 'hubspot_owner_id');
    const currency = text(p, 'deal_currency_code');
    const deal: Deal = {
      id,
      source: 'hubspot',
      externalId: raw.id,
      updatedAt: modifiedAt(raw, 'hs_lastmodifieddate'),
      name: text(p, 'dealname') ?? `Deal ${raw.id}`,
      accountId: company ? recordId('hubspot', company) : null,
      ownerId: owner ? recordId('hubspot', owner) : null,
      amount: num(p, 'amount'),
      currency: currency && currency.length === 3 ? currency.toUpperCase() : null,
      status,
      stage: stage?.label ?? stageId,
      stageId,
      pipeline: stage?.pipelineLabel ?? text(p, 'pipeline'),
      probability: probability === null ? null : Math.min(1, Math.max(0, probability)),
      forecastCategory,
      closeDate: date(p, 'closedate'),
      type: dealTypes[text(p, 'dealtype') ?? ''] ?? null,
      createdAt: instant(p, 'createdate') ?? raw.createdAt ?? null,
    };
    const out: Mapped[] = [{ kind: 'deal', record: deal }];
    for (const h of historyOf(raw, id)) out.push({ kind: 'dealHistory', record: h });
    return out;
  },
};
