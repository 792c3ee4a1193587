/** HubSpot raw records → domain records, one stream spec at a time (pure: no HTTP, no Redis). */
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/schema.js';
import { RawObject } from '../../src/connectors/hubspot/raw.js';
import { activityStreams } from '../../src/connectors/hubspot/streams/activities.js';
import { contactsStream } from '../../src/connectors/hubspot/streams/contacts.js';
import { goalsStream } from '../../src/connectors/hubspot/streams/goals.js';
import { mapOwner } from '../../src/connectors/hubspot/streams/owners.js';
import { lineItemsStream, productsStream } from '../../src/connectors/hubspot/streams/products.js';
import type { MapContext } from '../../src/connectors/hubspot/streams/spec.js';
import { ticketsStream } from '../../src/connectors/hubspot/streams/tickets.js';
import { RawOwner } from '../../src/connectors/hubspot/raw.js';
import { fixture } from '../fixtures/hubspot/harness.js';

const ctx: MapContext = { config: ConfigSchema.parse({}), dealStages: new Map(), ownerIdByUserId: new Map([['123', '41629779']]) };
const stamps = { createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-11-20T10:00:00.000Z', archived: false };

function raw(id: string, properties: Record<string, string | null>, associations?: Record<string, { results: { id: string; type: string }[] }>) {
  return RawObject.parse({ id, properties: { hs_lastmodifieddate: '2026-11-20T10:00:00.000Z', ...properties }, ...stamps, ...(associations ? { associations } : {}) });
}

const call = activityStreams.find((s) => s.name === 'calls')!;
const email = activityStreams.find((s) => s.name === 'emails')!;
const task = activityStreams.find((s) => s.name === 'tasks')!;

describe('HubSpot mappers', () => {
  it('calls: direction, owner, company/deal/contact from inline associations, body as a 500-char excerpt without HTML', () => {
    const out = call.map(
      raw(
        '7001',
        { hs_timestamp: '2026-11-19T15:00:00.000Z', hs_call_title: 'QBR prep', hs_call_body: `<p>Discussed <b>Contoso</b> pricing</p>${'x'.repeat(600)}`, hs_call_direction: 'OUTBOUND', hubspot_owner_id: '41629779' },
        {
          companies: { results: [{ id: '5001', type: 'call_to_company_unlabeled' }, { id: '5001', type: 'call_to_company' }] },
          deals: { results: [{ id: '512', type: 'call_to_deal' }] },
          contacts: { results: [{ id: '901', type: 'call_to_contact' }] },
        },
      ),
      ctx,
    );
    expect(out).toHaveLength(1);
    expect(out[0]!.kind).toBe('activity');
    const a = out[0]!.record as Record<string, unknown>;
    expect({ ...a, bodyExcerpt: undefined }).toEqual({
      id: 'hubspot:7001', source: 'hubspot', externalId: '7001', updatedAt: '2026-11-20T10:00:00.000Z', type: 'call',
      accountId: 'hubspot:5001', dealId: 'hubspot:512', contactId: 'hubspot:901', ownerId: 'hubspot:41629779',
      occurredAt: '2026-11-19T15:00:00.000Z', direction: 'outbound', subject: 'QBR prep', bodyExcerpt: undefined, completed: null,
    });
    expect((a.bodyExcerpt as string).startsWith('Discussed Contoso pricing xxx')).toBe(true);
    expect((a.bodyExcerpt as string).length).toBe(500);
  });

  it('emails: INCOMING_EMAIL is inbound; tasks: completed from status; no company → accountId null', () => {
    const e = email.map(raw('7002', { hs_timestamp: '1763650800000', hs_email_subject: 'Re: renewal', hs_email_direction: 'INCOMING_EMAIL' }), ctx)[0]!.record;
    expect(e).toMatchObject({ type: 'email', direction: 'inbound', occurredAt: new Date(1763650800000).toISOString(), accountId: null });
    const t = task.map(raw('7003', { hs_timestamp: '2026-11-21T00:00:00Z', hs_task_subject: 'Send deck', hs_task_status: 'COMPLETED' }), ctx)[0]!.record;
    expect(t).toMatchObject({ type: 'task', completed: true, subject: 'Send deck', direction: null });
  });

  it('contacts: company from associatedcompanyid first, else the labelled inline association', () => {
    const withProp = contactsStream.map(RawObject.parse({ id: '901', properties: { firstname: 'Ada', lastname: 'Lovelace', email: 'ada@acme.com', jobtitle: 'CTO', associatedcompanyid: '5001', lastmodifieddate: '2026-11-20T10:00:00.000Z', createdate: '2025-01-01T00:00:00.000Z' }, ...stamps }), ctx)[0]!.record;
    expect(withProp).toEqual({ id: 'hubspot:901', source: 'hubspot', externalId: '901', updatedAt: '2026-11-20T10:00:00.000Z', accountId: 'hubspot:5001', name: 'Ada Lovelace', email: 'ada@acme.com', title: 'CTO', active: true, createdAt: '2025-01-01T00:00:00.000Z' });
    const inline = contactsStream.map(
      RawObject.parse({ id: '902', properties: { email: 'x@y.com', lastmodifieddate: '2026-11-20T10:00:00.000Z', hs_lead_status: 'UNQUALIFIED' }, ...stamps, associations: { companies: { results: [{ id: '5003', type: 'contact_to_company_unlabeled' }, { id: '5002', type: 'contact_to_company' }] } } }),
      ctx,
    )[0]!.record;
    expect(inline).toMatchObject({ accountId: 'hubspot:5002', name: 'x@y.com', active: false });
  });

  it('line items: deal from the "line items" inline key counterpart, product from hs_product_id, amount derived when missing', () => {
    const li = lineItemsStream.map(raw('9001', { name: 'Seats', quantity: '10', price: '50', amount: null, hs_product_id: '301' }, { deals: { results: [{ id: '512', type: 'line_item_to_deal' }] } }), ctx)[0]!.record;
    expect(li).toEqual({ id: 'hubspot:9001', source: 'hubspot', externalId: '9001', updatedAt: '2026-11-20T10:00:00.000Z', dealId: 'hubspot:512', productId: 'hubspot:301', name: 'Seats', quantity: 10, unitPrice: 50, amount: 500 });
    const p = productsStream.map(raw('301', { name: 'Analytics add-on', hs_sku: 'AN-1', price: '99.5', product_family: 'Analytics' }), ctx)[0]!.record;
    expect(p).toMatchObject({ name: 'Analytics add-on', sku: 'AN-1', family: 'Analytics', price: 99.5, active: true });
  });

  it('tickets: priority mapping, closed by closed_date, escalation flag; an unknown priority is a mapping error', () => {
    const t = ticketsStream.map(raw('8001', { subject: 'Outage', hs_ticket_priority: 'URGENT', closed_date: null, is_escalated: 'true', createdate: '2026-11-01T00:00:00.000Z' }, { companies: { results: [{ id: '5001', type: 'ticket_to_company' }] } }), ctx)[0]!.record;
    expect(t).toEqual({ id: 'hubspot:8001', source: 'hubspot', externalId: '8001', updatedAt: '2026-11-20T10:00:00.000Z', accountId: 'hubspot:5001', subject: 'Outage', priority: 'urgent', status: 'open', escalated: true, createdAt: '2026-11-01T00:00:00.000Z', closedAt: null });
    expect(ticketsStream.map(raw('8002', { hs_ticket_priority: 'LOW', closed_date: '2026-11-05T00:00:00Z', createdate: '2026-11-01T00:00:00Z' }), ctx)[0]!.record).toMatchObject({ priority: 'low', status: 'closed', closedAt: '2026-11-05T00:00:00.000Z', escalated: false });
    expect(() => ticketsStream.map(raw('8003', { hs_ticket_priority: 'P1', createdate: '2026-11-01T00:00:00Z' }), ctx)).toThrow('property hs_ticket_priority has an unknown value "P1" (expected LOW, MEDIUM, HIGH or URGENT)');
  });

  it('goal targets → quotas, owner through the assignee user id; a goal without owner is a mapping error', () => {
    const q = goalsStream.map(raw('6001', { hs_goal_name: 'Q4 quota', hs_target_amount: '250000', hs_start_datetime: '2026-10-01T00:00:00.000Z', hs_end_datetime: '2026-12-31T00:00:00.000Z', hs_assignee_user_id: '123' }), ctx)[0]!.record;
    expect(q).toEqual({ id: 'hubspot:6001', source: 'hubspot', externalId: '6001', updatedAt: '2026-11-20T10:00:00.000Z', ownerId: 'hubspot:41629779', periodStart: '2026-10-01', periodEnd: '2026-12-31', amount: 250000, currency: null });
    expect(() => goalsStream.map(raw('6002', { hs_target_amount: '1', hs_start_datetime: '2026-10-01', hs_end_datetime: '2026-12-31', hs_assignee_user_id: '999' }), ctx)).toThrow(/goal has no owner/);
  });

  it('owners: archived ones are inactive', () => {
    const page = fixture<{ results: unknown[] }>('owners-page.json');
    const o = mapOwner(RawOwner.parse(page.results[1]), true);
    expect(o).toEqual({ id: 'hubspot:41629780', source: 'hubspot', externalId: '41629780', updatedAt: '2026-02-01T00:00:00.000Z', name: 'Alan Turing', email: 'alan@example.com', managerId: null, teamId: null, teamName: null, active: false });
  });
});
