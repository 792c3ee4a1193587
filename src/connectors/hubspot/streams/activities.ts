/**
 * Engagements → Activity (folded per account by the store, not kept one by one): calls, emails,
 * meetings, notes and tasks share one shape; each spec names its subject/body/direction
 * properties. Company, deal and contact come from inline associations.
 */
import { recordId, type Activity, type ActivityType } from '../../../domain/model.js';
import type { ObjectStreamSpec } from './spec.js';
import { associatedIds, instant, modifiedAt, text } from '../values.js';

interface EngagementShape {
  name: string;
  type: ActivityType;
  subject: string | null;
  body: string | null;
  direction: string | null;
  extra: string[];
}

const shapes: EngagementShape[] = [
  { name: 'calls', type: 'call', subject: 'hs_call_title', body: 'hs_call_body', direction: 'hs_call_direction', extra: [] },
  { name: 'emails', type: 'email', subject: 'hs_email_subject', body: 'hs_email_text', direction: 'hs_email_direction', extra: [] },
  { name: 'meetings', type: 'meeting', subject: 'hs_meeting_title', body: 'hs_meeting_body', direction: null, extra: ['hs_meeting_start_time'] },
  { name: 'notes', type: 'note', subject: null, body: 'hs_note_body', direction: null, extra: [] },
  { name: 'tasks', type: 'task', subject: 'hs_task_subject', body: 'hs_task_body', direction: null, extra: ['hs_task_status'] },
];

function direction(value: string | null): Activity['direction'] {
  if (!value) return null;
  const v = value.toUpperCase();
  if (v === 'INBOUND' || v === 'INCOMING_EMAIL') return 'inbound';
  if (v === 'OUTBOUND' || v === 'EMAIL' || v === 'FORWARDED_EMAIL') return 'outbound';
  return null;
}

function stripHtml(value: string | null): string | null {
  if (value === null) return null;
  const t = value.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return t ? t.slice(0, 500) : null;
}

function engagementStream(shape: EngagementShape): ObjectStreamSpec {
  const props = [shape.subject, shape.body, shape.direction, ...shape.extra, 'hs_timestamp', 'hubspot_owner_id', 'hs_lastmodifieddate'].filter((v): v is string => !!v);
  return {
    name: shape.name,
    objectType: shape.name,
    kind: 'activity',
    modifiedProperty: 'hs_lastmodifieddate',
    // engagements are read under the contacts scope in HubSpot's private apps
    scope: 'crm.objects.contacts.read',
    associations: ['companies', 'deals', 'contacts'],
    properties: () => props,
    map: (raw) => {
      const p = raw.properties;
      const company = associatedIds(raw, 'companies')[0];
      const deal = associatedIds(raw, 'deals')[0];
      const contact = associatedIds(raw, 'contacts')[0];
      const owner = text(p, 'hubspot_owner_id');
      const occurredAt = instant(p, 'hs_timestamp') ?? (shape.type === 'meeting' ? instant(p, 'hs_meeting_start_time') : null) ?? raw.createdAt ?? modifiedAt(raw, 'hs_lastmodifieddate');
      const activity: Activity = {
        id: recordId('hubspot', raw.id),
        source: 'hubspot',
        externalId: raw.id,
        updatedAt: modifiedAt(raw, 'hs_lastmodifieddate'),
        type: shape.type,
        accountId: company ? recordId('hubspot', company) : null,
        dealId: deal ? recordId('hubspot', deal) : null,
        contactId: contact ? recordId('hubspot', contact) : null,
        ownerId: owner ? recordId('hubspot', owner) : null,
        occurredAt,
        direction: direction(shape.direction ? text(p, shape.direction) : null),
        subject: shape.subject ? (text(p, shape.subject)?.slice(0, 500) ?? null) : null,
        bodyExcerpt: shape.body ? stripHtml(text(p, shape.body)) : null,
        completed: shape.type === 'task' ? text(p, 'hs_task_status') === 'COMPLETED' : null,
      };
      return [{ kind: 'activity', record: activity }];
    },
  };
}

export const activityStreams: ObjectStreamSpec[] = shapes.map(engagementStream);
