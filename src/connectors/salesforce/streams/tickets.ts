/** Case → Ticket. Priorities: Critical → urgent, High → high, Medium → medium, Low → low. */
import { z } from 'zod';
import { recordId, type Ticket, type TicketPriority } from '../../../domain/model.js';
import { modstamp, sfBase, sfBoolean, sfDateTime, sfDateTimeRequired, sfIdOrNull, sfString } from '../raw.js';
import { defineStream } from './spec.js';

export const CaseRow = z.object({
  ...sfBase,
  CreatedDate: sfDateTimeRequired,
  CaseNumber: sfString,
  Subject: sfString,
  AccountId: sfIdOrNull,
  Priority: sfString,
  Status: sfString,
  IsClosed: sfBoolean,
  IsEscalated: sfBoolean,
  ClosedDate: sfDateTime,
});
export type CaseRow = z.infer<typeof CaseRow>;

const priorities: Record<string, TicketPriority> = {
  critical: 'urgent',
  urgent: 'urgent',
  'p1': 'urgent',
  high: 'high',
  'p2': 'high',
  medium: 'medium',
  normal: 'medium',
  'p3': 'medium',
  low: 'low',
  'p4': 'low',
};

export function casePriority(priority: string | null): TicketPriority {
  return (priority && priorities[priority.trim().toLowerCase()]) || 'medium';
}

export function mapCase(row: CaseRow): Ticket {
  const closed = row.IsClosed ?? /closed/i.test(row.Status ?? '');
  return {
    id: recordId('salesforce', row.Id),
    source: 'salesforce',
    externalId: row.Id,
    updatedAt: modstamp(row),
    accountId: row.AccountId ? recordId('salesforce', row.AccountId) : null,
    subject: row.Subject ?? (row.CaseNumber ? `Case ${row.CaseNumber}` : `Case ${row.Id}`),
    priority: casePriority(row.Priority),
    status: closed ? 'closed' : 'open',
    escalated: row.IsEscalated ?? /escalated/i.test(row.Status ?? ''),
    createdAt: row.CreatedDate as string,
    closedAt: closed ? row.ClosedDate : null,
  };
}

export const ticketsStream = defineStream({
  name: 'tickets',
  sobject: 'Case',
  kind: 'ticket',
  bulk: true,
  fields: () => ['Id', 'SystemModstamp', 'CreatedDate', 'CaseNumber', 'Subject', 'AccountId', 'Priority', 'Status', 'IsClosed', 'IsEscalated', 'ClosedDate'],
  raw: CaseRow,
  map: (row) => [mapCase(row)],
});
