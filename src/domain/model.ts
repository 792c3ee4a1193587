/**
 * The normalized model: one shape for every record, whichever CRM it came from.
 *
 * Every record carries `source` (the CRM), `externalId` (its id there) and `id`, our key, which is
 * `${source}:${externalId}` (see `recordId`). References between records (a deal's account, an
 * activity's owner) use our ids, so the analytics never see a CRM-specific id format.
 *
 * Pure: zod and types only, no I/O. Connectors parse raw CRM payloads with their own raw schemas
 * and then produce these; the store and the jobs read and write these.
 */
import { z } from 'zod';

export const crmSources = ['hubspot', 'salesforce'] as const;
export const CrmSource = z.enum(crmSources);
export type CrmSource = z.infer<typeof CrmSource>;

/** Our key for a CRM record: stable, readable, and unique across CRMs. */
export function recordId(source: CrmSource, externalId: string): string {
  return `${source}:${externalId}`;
}

/** Splits `recordId` back; returns null for a key that is not ours. */
export function parseRecordId(id: string): { source: CrmSource; externalId: string } | null {
  const i = id.indexOf(':');
  if (i <= 0) return null;
  const source = id.slice(0, i);
  if (source !== 'hubspot' && source !== 'salesforce') return null;
  const externalId = id.slice(i + 1);
  return externalId ? { source, externalId } : null;
}

/** ISO-8601 instant with a zone, e.g. 2026-09-26T14:03:00.000Z. */
export const IsoDateTime = z.iso.datetime({ offset: true });
/** Calendar date, e.g. 2026-09-26 (CRM close dates and period bounds are dates, not instants). */
export const IsoDate = z.iso.date();

const recordBase = {
  id: z.string().min(3),
  source: CrmSource,
  externalId: z.string().min(1),
  /** CRM last-modified stamp (SystemModstamp / hs_lastmodifieddate); drives incremental sync and dedupe. */
  updatedAt: IsoDateTime,
};

/** A reference to a CRM record, used in explanations and audit ("call 00T…, 2026-09-26"). */
export const RecordRef = z.object({
  type: z.string(),
  id: z.string(),
  label: z.string().optional(),
  at: z.string().optional(),
});
export type RecordRef = z.infer<typeof RecordRef>;

/** A value from a field the configuration maps into the model (custom properties / __c fields). */
export const MappedValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type MappedValue = z.infer<typeof MappedValue>;

export const Account = z.object({
  ...recordBase,
  name: z.string(),
  /** Normalized website domain (lower case, no scheme, no www.), used to unify accounts across CRMs. */
  domain: z.string().nullable(),
  industry: z.string().nullable(),
  employees: z.number().int().nonnegative().nullable(),
  annualRevenue: z.number().nullable(),
  ownerId: z.string().nullable(),
  parentId: z.string().nullable(),
  /** Next renewal or contract end, when the CRM has one (mapped field or renewal deal). */
  renewalDate: IsoDate.nullable(),
  /** Churn label for the learned model: true when the configured churn field says so. */
  churned: z.boolean().nullable(),
  createdAt: IsoDateTime.nullable(),
  /** Fields the configuration maps in (signal name → value). */
  fields: z.record(z.string(), MappedValue),
});
export type Account = z.infer<typeof Account>;

export const Contact = z.object({
  ...recordBase,
  accountId: z.string().nullable(),
  name: z.string(),
  email: z.string().nullable(),
  title: z.string().nullable(),
  /** false when the CRM marks the person as gone (inactive, bounced, left the company). */
  active: z.boolean(),
  createdAt: IsoDateTime.nullable(),
});
export type Contact = z.infer<typeof Contact>;

export const Owner = z.object({
  ...recordBase,
  name: z.string(),
  email: z.string().nullable(),
  /** Our id of the owner's manager (Salesforce User.ManagerId); null at the top. */
  managerId: z.string().nullable(),
  teamId: z.string().nullable(),
  teamName: z.string().nullable(),
  active: z.boolean(),
});
export type Owner = z.infer<typeof Owner>;

export const dealStatuses = ['open', 'won', 'lost'] as const;
export const DealStatus = z.enum(dealStatuses);
export type DealStatus = z.infer<typeof DealStatus>;

/** Salesforce's standard categories; HubSpot's map onto them (closed won → closed, not forecasted → omitted). */
export const forecastCategories = ['pipeline', 'best_case', 'commit', 'closed', 'omitted'] as const;
export const ForecastCategory = z.enum(forecastCategories);
export type ForecastCategory = z.infer<typeof ForecastCategory>;

export const dealTypes = ['new', 'renewal', 'expansion'] as const;
export const DealType = z.enum(dealTypes);
export type DealType = z.infer<typeof DealType>;

export const Deal = z.object({
  ...recordBase,
  name: z.string(),
  accountId: z.string().nullable(),
  ownerId: z.string().nullable(),
  /** null when the CRM has no amount; the analytics count such deals and say so. */
  amount: z.number().nullable(),
  /** ISO 4217 code; null means the org's corporate currency. */
  currency: z.string().length(3).nullable(),
  status: DealStatus,
  stage: z.string(),
  stageId: z.string(),
  pipeline: z.string().nullable(),
  /** Stage probability 0..1 as the CRM states it. */
  probability: z.number().min(0).max(1).nullable(),
  forecastCategory: ForecastCategory,
  closeDate: IsoDate.nullable(),
  type: DealType.nullable(),
  createdAt: IsoDateTime.nullable(),
});
export type Deal = z.infer<typeof Deal>;

export const dealHistoryFields = ['stage', 'amount', 'closeDate', 'probability', 'forecastCategory'] as const;
export const DealHistoryField = z.enum(dealHistoryFields);
export type DealHistoryField = z.infer<typeof DealHistoryField>;

/**
 * One change of one deal field (Salesforce OpportunityHistory rows, HubSpot property history).
 * Values are strings as the CRM reports them (a stage id, an amount, a date).
 */
export const DealHistory = z.object({
  ...recordBase,
  dealId: z.string(),
  field: DealHistoryField,
  from: z.string().nullable(),
  to: z.string().nullable(),
  changedAt: IsoDateTime,
});
export type DealHistory = z.infer<typeof DealHistory>;

export const Product = z.object({
  ...recordBase,
  name: z.string(),
  sku: z.string().nullable(),
  /** Product family for the white-space matrix; falls back to the product name when the CRM has none. */
  family: z.string().nullable(),
  price: z.number().nullable(),
  active: z.boolean(),
});
export type Product = z.infer<typeof Product>;

export const LineItem = z.object({
  ...recordBase,
  dealId: z.string().nullable(),
  productId: z.string().nullable(),
  name: z.string(),
  quantity: z.number(),
  unitPrice: z.number().nullable(),
  amount: z.number().nullable(),
});
export type LineItem = z.infer<typeof LineItem>;

export const activityTypes = ['call', 'email', 'meeting', 'task', 'note'] as const;
export const ActivityType = z.enum(activityTypes);
export type ActivityType = z.infer<typeof ActivityType>;

export const Activity = z.object({
  ...recordBase,
  type: ActivityType,
  accountId: z.string().nullable(),
  dealId: z.string().nullable(),
  contactId: z.string().nullable(),
  ownerId: z.string().nullable(),
  occurredAt: IsoDateTime,
  direction: z.enum(['inbound', 'outbound']).nullable(),
  subject: z.string().nullable(),
  /** At most 500 characters of the body: enough for competitor mentions and explanations. */
  bodyExcerpt: z.string().max(500).nullable(),
  /** Tasks: completed or not; other types null. */
  completed: z.boolean().nullable(),
});
export type Activity = z.infer<typeof Activity>;

export const ticketPriorities = ['low', 'medium', 'high', 'urgent'] as const;
export const TicketPriority = z.enum(ticketPriorities);
export type TicketPriority = z.infer<typeof TicketPriority>;

export const Ticket = z.object({
  ...recordBase,
  accountId: z.string().nullable(),
  subject: z.string(),
  priority: TicketPriority,
  status: z.enum(['open', 'closed']),
  escalated: z.boolean(),
  createdAt: IsoDateTime,
  closedAt: IsoDateTime.nullable(),
});
export type Ticket = z.infer<typeof Ticket>;

export const quotaSources = ['hubspot', 'salesforce', 'config'] as const;
export const Quota = z.object({
  /** `${source}:${externalId}` for CRM quotas; `config:${ownerId}:${periodStart}` for configured ones. */
  id: z.string(),
  source: z.enum(quotaSources),
  externalId: z.string(),
  updatedAt: IsoDateTime,
  ownerId: z.string(),
  periodStart: IsoDate,
  periodEnd: IsoDate,
  amount: z.number().nonnegative(),
  currency: z.string().length(3).nullable(),
});
export type Quota = z.infer<typeof Quota>;

/** Product-usage figure for an account on a day, from the usage API or a mapped CRM field. */
export const UsageMetric = z.object({
  accountId: z.string(),
  metric: z.string().min(1),
  date: IsoDate,
  value: z.number().finite(),
  source: z.enum(['api', 'crm_field']),
});
export type UsageMetric = z.infer<typeof UsageMetric>;

/** The record types the store keeps, with their schema: the single list the store and connectors share. */
export const recordSchemas = {
  account: Account,
  contact: Contact,
  owner: Owner,
  deal: Deal,
  dealHistory: DealHistory,
  product: Product,
  lineItem: LineItem,
  activity: Activity,
  ticket: Ticket,
  quota: Quota,
} as const;
export type RecordKind = keyof typeof recordSchemas;
export const recordKinds = Object.keys(recordSchemas) as RecordKind[];
export type RecordOf<K extends RecordKind> = z.infer<(typeof recordSchemas)[K]>;
export type AnyRecord = RecordOf<RecordKind>;

/** A record a connector could not map, kept with its reason so nothing is silently dropped. */
export const QuarantinedRecord = z.object({
  source: CrmSource,
  stream: z.string(),
  externalId: z.string().nullable(),
  reason: z.string(),
  raw: z.unknown(),
  at: IsoDateTime,
});
export type QuarantinedRecord = z.infer<typeof QuarantinedRecord>;
