/**
 * contacts → Contact, with the company from associatedcompanyid or the inline association.
 * hs_merged_object_ids is read too: the runner deletes the contacts merged away into a record.
 */
import { recordId, type Contact } from '../../../domain/model.js';
import { MERGED_IDS_PROPERTY } from '../raw.js';
import type { ObjectStreamSpec } from './spec.js';
import { associatedIds, instant, modifiedAt, text } from '../values.js';

// HubSpot marks people who left or bounced in these lead statuses / lifecycle stages.
const inactiveLeadStatuses = new Set(['UNQUALIFIED', 'BAD_TIMING']);

export const contactsStream: ObjectStreamSpec = {
  name: 'contacts',
  objectType: 'contacts',
  kind: 'contact',
  modifiedProperty: 'lastmodifieddate',
  scope: 'crm.objects.contacts.read',
  associations: ['companies'],
  properties: () => ['firstname', 'lastname', 'email', 'jobtitle', 'associatedcompanyid', 'hs_lead_status', 'hs_email_hard_bounce_reason_enum', 'createdate', 'lastmodifieddate', MERGED_IDS_PROPERTY],
  map: (raw) => {
    const p = raw.properties;
    const company = text(p, 'associatedcompanyid') ?? associatedIds(raw, 'companies')[0] ?? null;
    const name = [text(p, 'firstname'), text(p, 'lastname')].filter(Boolean).join(' ') || text(p, 'email') || `Contact ${raw.id}`;
    const contact: Contact = {
      id: recordId('hubspot', raw.id),
      source: 'hubspot',
      externalId: raw.id,
      updatedAt: modifiedAt(raw, 'lastmodifieddate'),
      accountId: company ? recordId('hubspot', company) : null,
      name,
      email: text(p, 'email'),
      title: text(p, 'jobtitle'),
      active: !inactiveLeadStatuses.has(text(p, 'hs_lead_status') ?? '') && !text(p, 'hs_email_hard_bounce_reason_enum'),
      createdAt: instant(p, 'createdate') ?? raw.createdAt ?? null,
    };
    return [{ kind: 'contact', record: contact }];
  },
};
