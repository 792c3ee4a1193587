/**
 * Configuration of the quota, pacing and forecast maths (config/default.yaml, section `quota`).
 * Every key has a default, so `QuotaConfigSchema.parse({})` is a working configuration.
 */
import { z } from 'zod';

const CurrencyCode = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code in capitals, e.g. USD');

export const QuotaTableEntrySchema = z.object({
  /** our owner id (e.g. salesforce:005…) or the owner's email, case-insensitive */
  owner: z.string().min(1),
  /** a period id under the configured fiscal calendar, e.g. FY2026-Q3 */
  period: z.string().regex(/^FY\d{4}(-(Q[1-4]|M(0[1-9]|1[0-2])))?$/, 'a period id like FY2026, FY2026-Q3 or FY2026-M08'),
  /** in the corporate currency */
  amount: z.number().nonnegative(),
});
export type QuotaTableEntry = z.infer<typeof QuotaTableEntrySchema>;

export const QuotaConfigSchema = z.object({
  /** 1 = January; fiscal years are named by the calendar year in which they end */
  fiscalYearStartMonth: z.number().int().min(1).max(12).default(1),
  corporateCurrency: CurrencyCode.default('USD'),
  /** units of corporate currency per 1 unit of the keyed currency, e.g. { EUR: 1.08 } */
  currencyRates: z.record(CurrencyCode, z.number().positive()).default({}),
  /**
   * A deal or quota in a currency with no rate: 'exclude' leaves its amount out of every sum (and
   * says so in a note); 'as_corporate' takes the number as if it were corporate currency (noted too).
   */
  unknownCurrency: z.enum(['exclude', 'as_corporate']).default('exclude'),
  /** quotas the middleware owns; an entry wins over a CRM quota for the same owner and period */
  quotas: z.array(QuotaTableEntrySchema).default([]),
  /** N: past periods of the same kind whose bookings curve gives the seasonal pacing F */
  seasonalHistoryPeriods: z.number().int().min(1).default(4),
  /** below this many usable past periods, seasonal pacing falls back to linear (with a note) */
  seasonalMinPeriods: z.number().int().min(1).default(2),
  /** a stage's learned probability is used once at least this many closed deals passed through it */
  stageProbabilityMinDeals: z.number().int().min(1).default(30),
  /** past periods averaged for the creation run-rate term of the forecast */
  runRateLookbackPeriods: z.number().int().min(1).default(4),
  /** trailing window (days, ending at asOf) for win rate, average deal size and cycle time */
  winRateLookbackDays: z.number().int().min(1).default(365),
  /** at most this many record references per data-quality note (the count is always complete) */
  noteRecordLimit: z.number().int().min(0).default(20),
});
export type QuotaConfig = z.infer<typeof QuotaConfigSchema>;
export type QuotaConfigInput = z.input<typeof QuotaConfigSchema>;
