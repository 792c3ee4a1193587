/**
 * Loads the HubSpot part of a SeedOrg into a portal: accounts with crm 'hubspot' or 'both' and
 * everything attached to them (contacts, deals with line items and stage/amount/close-date history,
 * activities, tickets), plus all owners, teams, products and quotas (as goal_targets).
 *
 * Mapping choices (see README): seed stages → default pipeline stage ids; deal type new/expansion/
 * renewal → newbusiness/existingbusiness/renewal; renewal date, usage index (with 6 monthly history
 * entries), product family and ticket escalation go to custom properties the loader creates.
 */
import type { SeedActivity, SeedDeal, SeedOrg, SeedStage } from '../seed/types.js';
import { findObjectType, objectTypes, type ObjectTypeDef } from './objectTypes.js';
import type { Owner } from './owners.js';
import type { HubSpotPortal } from './portal.js';
import { seedCustomProperties } from './propertyCatalog.js';
import { CompactHistoryEntry, HsRecord, type HistoryEntry, type HistorySource } from './records.js';

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

export function loadSeed(portal: HubSpotPortal, seed: SeedOrg): SeedLoadResult {
  const counts: Record<string, number> = {};
  const asOf = ms(seed.asOf);
  const add = (t: ObjectTypeDef, key: string | null, props: Record<string, string>, createdAt: number, updatedAt = createdAt): HsRecord => {
    const r = new HsRecord(portal.allocateId(), props, createdAt, Math.max(createdAt, updatedAt));
    portal.insert(t, r);
    if (key !== null) portal.seedIds.set(key, r.id);
    counts[t.name] = (counts[t.name] ?? 0) + 1;
    return r;
  };

  for (const [typeName, rows] of Object.entries(seedCustomProperties)) {
    const group = portal.properties.listGroups(typeName)[0]?.name ?? 'information';
    for (const row of rows) portal.properties.addRow(typeName, row, group, { hubspotDefined: false, readOnly: false });
  }

  // owners and teams
  const teamIds = new Map(seed.teams.map((t, i) => [t.key, { id: String(i + 1), name: t.name }]));
  const owners = new Map<string, Owner>();
  seed.owners.forEach((o, i) => {
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
      updatedAt: seed.asOf.length === 10 ? `${seed.asOf}T00:00:00.000Z` : seed.asOf,
    };
    portal.owners.add(owner);
    portal.seedIds.set(o.key, owner.id);
    owners.set(o.key, owner);
  });
  const ownerId = (key: string) => owners.get(key)?.id ?? '';

  const products = new Map<string, HsRecord>();
  for (const p of seed.products) {
    products.set(p.key, add(type('products'), p.key, {
      name: p.name, price: String(p.price), hs_sku: p.sku, product_family: p.family, hs_product_type: 'service', description: `${p.family}: ${p.name}`,
    }, ms('2020-01-01')));
  }

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
      r.history = {
        product_usage_index: usage.map((u, i) => CompactHistoryEntry.of(String(u), asOf - (usage.length - 1 - i) * MONTH_MS, USAGE_SYNC)),
      };
    }
    companies.set(a.key, r);
  }

  const contacts = new Map<string, HsRecord>();
  for (const c of seed.contacts) {
    const company = companies.get(c.accountKey);
    if (!company) continue;
    const r = add(type('contacts'), c.key, {
      firstname: c.firstName, lastname: c.lastName, email: c.email, jobtitle: c.title,
      company: company.props.name ?? '', associatedcompanyid: company.id, lifecyclestage: 'customer',
      hs_lead_status: c.active ? 'CONNECTED' : 'UNQUALIFIED', hubspot_owner_id: company.props.hubspot_owner_id ?? '',
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
    r.history = dealHistory(d, props, createdAt, owner?.userId);
    portal.associations.add('deals', r.id, 'companies', company.id, { primary: true });
    for (const li of d.lineItems) {
      const product = products.get(li.productKey);
      const item = add(type('line_items'), li.key, {
        name: product?.props.name ?? li.productKey, quantity: String(li.quantity), price: String(li.unitPrice),
        amount: String(li.quantity * li.unitPrice), hs_product_id: product?.id ?? '', hs_sku: product?.props.hs_sku ?? '',
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

  for (const q of seed.quotas) {
    const owner = owners.get(q.ownerKey);
    if (!owner) continue;
    add(type('goal_targets'), null, {
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
  trimLinkArrays(portal);
  return { counts };
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
function dealHistory(d: SeedDeal, props: Record<string, string>, createdAt: number, userId: number | undefined): Record<string, HistoryEntry[]> {
  const source = historySource(userId);
  const fields = { stage: 'dealstage', amount: 'amount', closeDate: 'closedate' } as const;
  const convert = (field: keyof typeof fields, v: string): string =>
    field === 'stage' ? (stageIds[v as SeedStage] ?? v) : field === 'closeDate' ? datetime(v) : v;
  const out: Record<string, HistoryEntry[]> = {};
  for (const field of Object.keys(fields) as (keyof typeof fields)[]) {
    const name = fields[field];
    const changes = d.history.filter((h) => h.field === field);
    const entries: HistoryEntry[] = [];
    if (changes.length === 0) {
      if (props[name] !== undefined) entries.push(CompactHistoryEntry.of(props[name], createdAt, source));
    } else {
      const first = changes[0]!;
      if (first.from !== null) entries.push(CompactHistoryEntry.of(convert(field, first.from), createdAt, source));
      for (const c of changes) entries.push(CompactHistoryEntry.of(convert(field, c.to), ms(c.at), source));
    }
    if (entries.length > 0) out[name] = entries;
  }
  return out;
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
 * Copies every association array to its exact length: arrays grown by push keep up to ~17 spare
 * slots, which at a million linked records is megabytes of empty space.
 */
function trimLinkArrays(portal: HubSpotPortal): void {
  for (const t of objectTypes) {
    for (const r of portal.store(t).all()) {
      const links = r.links;
      if (!links) continue;
      for (const [to, targets] of Object.entries(links)) if (typeof targets !== 'string') links[to] = targets.slice();
    }
  }
}
