/**
 * ForecastingQuota (Collaborative Forecasts) → Quota. Only amount quotas. The period end comes
 * from the quota's Period; without one, a quarter from StartDate is assumed. Reading it needs
 * "View All Forecasts" or "Allow Forecasting"; without them Salesforce hides the object.
 */
import { z } from 'zod';
import { recordId, type Quota } from '../../../domain/model.js';
import { modstamp, sfBase, sfBoolean, sfDate, sfId, sfNumber, sfParent, sfString } from '../raw.js';
import { defineStream } from './spec.js';

export const QuotaRow = z.object({
  ...sfBase,
  QuotaOwnerId: sfId,
  QuotaAmount: sfNumber,
  StartDate: sfDate.refine((v) => v !== null, 'StartDate is required'),
  IsAmount: sfBoolean,
  Period: sfParent({ EndDate: sfDate }),
  CurrencyIsoCode: sfString.optional(),
});
export type QuotaRow = z.infer<typeof QuotaRow>;

function quarterEnd(start: string): string {
  const d = new Date(`${start}T00:00:00.000Z`);
  const end = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 3, d.getUTCDate() - 1));
  return end.toISOString().slice(0, 10);
}

export function mapQuota(row: QuotaRow): Quota {
  if (row.QuotaAmount === null) throw new Error('amount quota without QuotaAmount');
  if (row.QuotaAmount < 0) throw new Error(`negative QuotaAmount ${row.QuotaAmount}`);
  const start = row.StartDate as string;
  return {
    id: recordId('salesforce', row.Id),
    source: 'salesforce',
    externalId: row.Id,
    updatedAt: modstamp(row),
    ownerId: recordId('salesforce', row.QuotaOwnerId),
    periodStart: start,
    periodEnd: row.Period?.EndDate ?? quarterEnd(start),
    amount: row.QuotaAmount,
    currency: row.CurrencyIsoCode && row.CurrencyIsoCode.length === 3 ? row.CurrencyIsoCode : null,
  };
}

export const QUOTA_PERMISSION_HINT =
  'reading ForecastingQuota needs the "View All Forecasts" or "Allow Forecasting" permission for the integration user (Collaborative Forecasts enabled); or configure quotas in config (quota section) instead';

export const quotasStream = defineStream({
  name: 'quotas',
  sobject: 'ForecastingQuota',
  kind: 'quota',
  bulk: false,
  filter: 'IsAmount = true',
  fields: () => ['Id', 'SystemModstamp', 'QuotaOwnerId', 'QuotaAmount', 'StartDate', 'IsAmount', 'Period.EndDate'],
  raw: QuotaRow,
  map: (row) => [mapQuota(row)],
  permissionHint: QUOTA_PERMISSION_HINT,
});
