/**
 * Loads the HubSpot part of a SeedOrg into a portal: accounts with crm 'hubspot' or 'both' and
 * everything attached to them (contacts, deals with line items and stage/amount/close-date history,
 * activities, tickets), plus all owners, teams, products and quotas (as goal_targets).
 *
 * Mapping choices (see README): seed stages → default pipeline stage ids; deal type new/expansion/
 * renewal → newbusiness/existingbusiness/renewal; renewal date, usage index (with 6 monthly history
 * entries), product family and ticket escalation go to custom properties the loader creates.
 */
import type { SeedChunk, SeedStream } from '../seed/generate.js';
import type { SeedActivity, SeedDeal, SeedOrg, SeedQuota, SeedStage } from '../seed/types.js';
import { findObjectType, objectTypes, type ObjectTypeDef } from './objectTypes.js';
import type { Owner } from './owners.js';
import type { HubSpotPortal } from './portal.js';
import { seedCustomProperties } from './propertyCatalog.js';
import type { HistorySource, HsRecord } from './records.js';

/** One seeded history entry, before it is packed into the record's log. */
interface SeedHistoryEntry {
  name: string;
  value: string;
  timestamp: number;
  source: HistorySource;
}

export const stageIds: Record<SeedStage, string> = {
  discovery: 'appointmentscheduled',
  qualified: 'qualifiedtobuy',
  proposal: 'presentationscheduled',
  negotiation: 'decisionmakerboughtin',
  contract: 'contractsent',
  won: 'closedwon',
  lost: 'closedlost',
};

const dealTypes: Record<SeedDeal['type'], string> = { new: 'newbusiness', expansion: 'existingbusiness', renewal: 'renewal' };
const activityTypes: Record<SeedActivity['type'], string> = { call: 'calls', email: 'emails', meeting: 'meetings', task: 'tasks', note: 'notes' };
const OWNER_ID_BASE = 40_000_001;
const USER_ID_BASE = 9_000_001;
const MONTH_MS = 30 * 24 * 3600 * 1000;
const USAGE_SYNC: HistorySource = { sourceType: 'INTEGRATION', sourceId: 'usage-sync' };

function ms(iso: string): number {
  return Date.parse(iso.length === 10 ? `${iso}T00:00:00.000Z` : iso);
}

const CANONICAL_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** HubSpot's datetime form; reuses the seed's string when it already is one (saves a copy per record). */
function datetime(dateOrIso: string): string {
  return CANONICAL_ISO.test(dateOrIso) ? dateOrIso : new Date(ms(dateOrIso)).toISOString();
}

function type(name: string): ObjectTypeDef {
  return findObjectType(name)!;
}

export interface SeedLoadResult {
  counts: Record<string, number>;
}

/** Loads a whole seed org (or one CRM's part of it) in one go. */
export function loadSeed(portal: HubSpotPortal, seed: SeedOrg): SeedLoadResult {
  const loader = new SeedLoader(portal, seed);
  loader.loadRecords(seed);
  loader.loadQuotas(seed.quotas);
  return loader.finish();
}

/** Loads a streamed part chunk by chunk: only one chunk of seed records is alive at a time. */
export function loadSeedStream(portal: HubSpotPortal, stream: SeedStream): SeedLoadResult {
  const loader = new SeedLoader(portal, stream.head);
  for (const chunk of stream.chunks) loader.loadRecords(chunk);
  loader.loadQuotas(stream.head.quotas);
  return loader.finish();
}

/**
 * The loading steps: the constructor loads what records refer to (custom properties, owners and
 * teams, products); `loadRecords` takes accounts with everything that belongs to them (keys are
 * resolved within the call, so a chunk must hold whole accounts); `loadQuotas` last.
 */
export class SeedLoader {
  private readonly counts: Record<string, number> = {};
  private readonly asOf: number;
  private readonly owners = new Map<string, Owner>();
  private readonly products = new Map<string, HsRecord>();

  constructor(private readonly portal: HubSpotPortal, head: Pick<SeedOrg, 'asOf' | 'teams' | 'owners' | 'products'>) {
    this.asOf = ms(head.asOf);
    for (const [typeName, rows] of Object.entries(seedCustomProperties)) {
      const group = portal.properties.listGroups(typeName)[0]?.name ?? 'information';
      for (const row of rows) portal.properties.addRow(typeName, row, group, { hubspotDefined: false, readOnly: false });
    }

    // owners and teams
    const teamIds = new Map(head.teams.map((t, i) => [t.key, { id: String(i + 1), name: t.name }]));
    head.owners.forEach((o, i) => {
      const team = o.teamKey ? teamIds.get(o.teamKey) : undefined;
      const owner: Owner = {
        id: String(OWNER_ID_BASE + i),
        email: o.email,
        firstName: o.firstName,
        lastName: o.lastName,
        userId: USER_ID_BASE + i,
        userIdIncludingInactive: USER_ID_BASE + i,
        type: 'PERSON',
        teams: team ? [{ ...team, primary: true }] : [],
        archived: !o.active,
        createdAt: '2020-01-01T00:00:00.000Z',
        updatedAt: head.asOf.length === 10 ? `${head.asOf}T00:00:00.000Z` : head.asOf,
      };
      portal.owners.add(owner);
      portal.seedIds.set(o.key, owner.id);
      this.owners.set(o.key, owner);
    });

    for (const p of head.products) {
      this.products.set(p.key, this.add(type('products'), p.key, {
        name: p.name, price: String(p.price), hs_sku: p.sku, product_family: p.family, hs_product_type: 'service', description: `${p.family}: ${p.name}`,
      }, ms('2020-01-01')));
    }
  }

  private add(t: ObjectTypeDef, key: string | null, props: Record<string, string>, createdAt: number, updatedAt = createdAt): HsRecord {
    const r = this.portal.add(t, this.portal.allocateId(), props, createdAt, Math.max(createdAt, updatedAt));
    if (key !== null) this.portal.seedIds.set(key, r.id);
    this.counts[t.name] = (this.counts[t.name] ?? 0) + 1;
    return r;
  }

  private ownerId(key: string): string {
    return this.owners.get(key)?.id ?? '';
  }

  /** Accounts with crm 'hubspot' or 'both' and their contacts, deals, line items, activities and tickets. */
  loadRecords(seed: SeedChunk): void {
    const { portal, asOf, owners, products } = this;
    const add = this.add.bind(this);
    const ownerId = this.ownerId.bind(this);
    const companies = new Map<string, HsRecord>();
    for (const a of seed.accounts) {
      if (a.crm !== 'hubspot' && a.crm !== 'both') continue;
      const props: Record<string, string> = {
        name: a.name, domain: a.domain, industry: a.industry, numberofemployees: String(a.employees),
        annualrevenue: String(a.annualRevenue), hubspot_owner_id: ownerId(a.ownerKey), lifecyclestage: 'customer',
      };
      if (a.renewalDate) props.renewal_date = a.renewalDate;
      const usage = a.usage;
      if (usage.length > 0) props.product_usage_index = String(usage[usage.length - 1]);
      const r = add(type('companies'), a.key, props, ms(a.createdAt));
      if (usage.length > 0) {
        r.setHistory(usage.map((u, i) => ({ name: 'product_usage_index', value: String(u), timestamp: asOf - (usage.length - 1 - i) * MONTH_MS, source: USAGE_SYNC })));
      }
      companies.set(a.key, r);
    }

    const contacts = new Map<string, HsRecord>();
    for (const c of seed.contacts) {
      const company = companies.get(c.accountKey);
      if (!company) continue;
      const r = add(type('contacts'), c.key, {
        firstname: c.firstName, lastname: c.lastName, email: c.email, jobtitle: c.title,
        company: company.get('name') ?? '', associatedcompanyid: company.id, lifecyclestage: 'customer',
        hs_lead_status: c.active ? 'CONNECTED' : 'UNQUALIFIED', hubspot_owner_id: company.get('hubspot_owner_id') ?? '',
      }, ms(c.createdAt));
      portal.associations.add('contacts', r.id, 'companies', company.id, { primary: true });
      contacts.set(c.key, r);
    }

    const deals = new Map<string, HsRecord>();
    for (const d of seed.deals) {
      const company = companies.get(d.accountKey);
      if (!company) continue;
      const owner = owners.get(d.ownerKey);
      const props: Record<string, string> = {
        dealname: d.name, dealstage: stageIds[d.stage], pipeline: 'default', closedate: datetime(d.closeDate),
        hubspot_owner_id: owner?.id ?? '', dealtype: dealTypes[d.type],
      };
      if (d.amount !== null) props.amount = String(d.amount);
      const createdAt = ms(d.createdAt);
      const lastChange = d.history.reduce((m, h) => Math.max(m, ms(h.at)), createdAt);
      const r = add(type('deals'), d.key, props, createdAt, lastChange);
      r.setHistory(dealHistory(d, props, createdAt, owner?.userId));
      portal.associations.add('deals', r.id, 'companies', company.id, { primary: true });
      for (const li of d.lineItems) {
        const product = products.get(li.productKey);
        const item = add(type('line_items'), li.key, {
          name: product?.get('name') ?? li.productKey, quantity: String(li.quantity), price: String(li.unitPrice),
          amount: String(li.quantity * li.unitPrice), hs_product_id: product?.id ?? '', hs_sku: product?.get('hs_sku') ?? '',
        }, createdAt);
        portal.associations.add('deals', r.id, 'line_items', item.id);
      }
      deals.set(d.key, r);
    }

    for (const act of seed.activities) {
      const company = companies.get(act.accountKey);
      if (!company) continue;
      const t = type(activityTypes[act.type]);
      const at = ms(act.at);
      const r = add(t, act.key, activityProps(act, ownerId(act.ownerKey)), Math.min(at, asOf));
      portal.associations.add(t.name, r.id, 'companies', company.id);
      const contact = act.contactKey ? contacts.get(act.contactKey) : undefined;
      if (contact) portal.associations.add(t.name, r.id, 'contacts', contact.id);
      const deal = act.dealKey ? deals.get(act.dealKey) : undefined;
      if (deal) portal.associations.add(t.name, r.id, 'deals', deal.id);
    }

    for (const tk of seed.tickets) {
      const company = companies.get(tk.accountKey);
      if (!company) continue;
      const props: Record<string, string> = {
        subject: tk.subject, content: tk.subject, hs_pipeline: '0', hs_pipeline_stage: tk.status === 'closed' ? '4' : '1',
        hs_ticket_priority: tk.priority.toUpperCase(), is_escalated: String(tk.escalated),
      };
      if (tk.closedAt) props.closed_date = datetime(tk.closedAt);
      const r = add(type('tickets'), tk.key, props, ms(tk.createdAt), tk.closedAt ? ms(tk.closedAt) : ms(tk.createdAt));
      portal.associations.add('tickets', r.id, 'companies', company.id, { primary: true });
    }
  }

  /** Quotas, as goal_targets (after every chunk: quotas are set against all deals). */
  loadQuotas(quotas: readonly SeedQuota[]): void {
    for (const q of quotas) {
      const owner = this.owners.get(q.ownerKey);
      if (!owner) continue;
      this.add(type('goal_targets'), null, {
        hs_goal_name: `Revenue ${q.periodStart}..${q.periodEnd} – ${owner.firstName} ${owner.lastName}`,
        hs_target_amount: String(q.amount),
        hs_start_datetime: datetime(q.periodStart),
        hs_end_datetime: new Date(ms(q.periodEnd) + 24 * 3600 * 1000 - 1).toISOString(),
        hubspot_owner_id: owner.id,
        hs_assignee_user_id: String(owner.userId),
        hs_created_by_user_id: String(owner.userId),
        hs_goal_type: 'revenue',
        hs_pipeline_ids: 'default',
      }, ms(q.periodStart) - MONTH_MS);
    }
  }

  /** Trims storage to size; returns the records loaded per type. */
  finish(): SeedLoadResult {
    trimStorage(this.portal);
    return { counts: this.counts };
  }
}

/** One source per owner, shared by all of the owner's deals' history entries. */
const CRM_UI: HistorySource = { sourceType: 'CRM_UI' };
const ownerSources = new Map<number, HistorySource>();
function historySource(userId: number | undefined): HistorySource {
  if (userId === undefined) return CRM_UI;
  let source = ownerSources.get(userId);
  if (!source) ownerSources.set(userId, (source = { sourceType: 'CRM_UI', sourceId: `userId:${userId}`, updatedByUserId: userId }));
  return source;
}

/** dealstage / amount / closedate history from the seed's change log, oldest first. */
function dealHistory(d: SeedDeal, props: Record<string, string>, createdAt: number, userId: number | undefined): SeedHistoryEntry[] {
  const source = historySource(userId);
  const fields = { stage: 'dealstage', amount: 'amount', closeDate: 'closedate' } as const;
  const convert = (field: keyof typeof fields, v: string): string =>
    field === 'stage' ? (stageIds[v as SeedStage] ?? v) : field === 'closeDate' ? datetime(v) : v;
  const entries: SeedHistoryEntry[] = [];
  for (const field of Object.keys(fields) as (keyof typeof fields)[]) {
    const name = fields[field];
    const changes = d.history.filter((h) => h.field === field);
    if (changes.length === 0) {
      if (props[name] !== undefined) entries.push({ name, value: props[name], timestamp: createdAt, source });
    } else {
      const first = changes[0]!;
      if (first.from !== null) entries.push({ name, value: convert(field, first.from), timestamp: createdAt, source });
      for (const c of changes) entries.push({ name, value: convert(field, c.to), timestamp: ms(c.at), source });
    }
  }
  return entries;
}

/**
 * Engagement properties per activity type. Written as whole literals (no spread): V8 gives spread
 * results a fresh hidden class each, which costs ~170 bytes per record at a million activities.
 */
function activityProps(a: SeedActivity, ownerId: string): Record<string, string> {
  const at = datetime(a.at);
  const inbound = a.direction === 'inbound';
  switch (a.type) {
    case 'call':
      return { hs_timestamp: at, hubspot_owner_id: ownerId, hs_call_title: a.subject, hs_call_body: a.body, hs_call_direction: inbound ? 'INBOUND' : 'OUTBOUND', hs_call_status: 'COMPLETED' };
    case 'email':
      return { hs_timestamp: at, hubspot_owner_id: ownerId, hs_email_subject: a.subject, hs_email_text: a.body, hs_email_direction: inbound ? 'INCOMING_EMAIL' : 'EMAIL', hs_email_status: 'SENT' };
    case 'meeting':
      return {
        hs_timestamp: at, hubspot_owner_id: ownerId, hs_meeting_title: a.subject, hs_meeting_body: a.body, hs_meeting_start_time: at,
        hs_meeting_end_time: new Date(ms(a.at) + 30 * 60 * 1000).toISOString(), hs_meeting_outcome: 'COMPLETED',
      };
    case 'task':
      // hs_task_type TODO is HubSpot's value for a to-do task (beside EMAIL and CALL)
      return { hs_timestamp: at, hubspot_owner_id: ownerId, hs_task_subject: a.subject, hs_task_body: a.body, hs_task_status: a.completed ? 'COMPLETED' : 'NOT_STARTED', hs_task_priority: 'MEDIUM', hs_task_type: 'TODO' };
    case 'note':
      return { hs_timestamp: at, hubspot_owner_id: ownerId, hs_note_body: a.subject ? `${a.subject}\n\n${a.body}` : a.body };
  }
}

/**
 * Copies the stores' arrays (rows, columns, association lists, seed keys) to their exact length:
 * arrays grown by push keep spare slots, which at a million records is megabytes of empty space.
 */
function trimStorage(portal: HubSpotPortal): void {
  for (const t of objectTypes) portal.store(t).trim();
  portal.seedIds.trim();
}
