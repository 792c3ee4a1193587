/**
 * tickets → Ticket: HubSpot priority LOW/MEDIUM/HIGH/URGENT, closed when closed_date is set.
 * hs_merged_object_ids is read too: the runner deletes the tickets merged away into a record.
 */
import { recordId, type Ticket, type TicketPriority } from '../../../domain/model.js';
import { MERGED_IDS_PROPERTY } from '../raw.js';
import type { ObjectStreamSpec } from './spec.js';
import { associatedIds, bool, instant, modifiedAt, text } from '../values.js';
import { MappingError } from '../values.js';

/** Portal property marking an escalated ticket (the sandbox seeds `is_escalated`); absent is fine. */
export const ESCALATED_PROPERTY = 'is_escalated';

const priorities: Record<string, TicketPriority> = { LOW: 'low', MEDIUM: 'medium', HIGH: 'high', URGENT: 'urgent' };

export const ticketsStream: ObjectStreamSpec = {
  name: 'tickets',
  objectType: 'tickets',
  kind: 'ticket',
  modifiedProperty: 'hs_lastmodifieddate',
  scope: 'tickets',
  associations: ['companies'],
  properties: () => ['subject', 'hs_ticket_priority', 'hs_pipeline_stage', 'closed_date', ESCALATED_PROPERTY, 'createdate', 'hs_lastmodifieddate', MERGED_IDS_PROPERTY],
  map: (raw) => {
    const p = raw.properties;
    const company = associatedIds(raw, 'companies')[0];
    const rawPriority = text(p, 'hs_ticket_priority');
    const priority = rawPriority === null ? 'medium' : priorities[rawPriority.toUpperCase()];
    if (!priority) throw new MappingError(`property hs_ticket_priority has an unknown value "${rawPriority}" (expected LOW, MEDIUM, HIGH or URGENT)`);
    const closedAt = instant(p, 'closed_date');
    const createdAt = instant(p, 'createdate') ?? raw.createdAt;
    if (!createdAt) throw new MappingError('no createdate: cannot place the ticket in time');
    const ticket: Ticket = {
      id: recordId('hubspot', raw.id),
      source: 'hubspot',
      externalId: raw.id,
      updatedAt: modifiedAt(raw, 'hs_lastmodifieddate'),
      accountId: company ? recordId('hubspot', company) : null,
      subject: text(p, 'subject') ?? `Ticket ${raw.id}`,
      priority,
      status: closedAt ? 'closed' : 'open',
      escalated: bool(p, ESCALATED_PROPERTY) ?? false,
      createdAt,
      closedAt,
    };
    return [{ kind: 'ticket', record: ticket }];
  },
};
