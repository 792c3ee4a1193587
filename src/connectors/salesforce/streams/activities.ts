/**
 * Task and Event → Activity (folded per account by the store, never kept one by one).
 * Tasks: TaskSubtype Call / Email / Task (CallType gives the direction); Events are meetings.
 * The account is the activity's AccountId (Salesforce derives it from WhatId), else WhatId when it
 * is an account, else the account of the opportunity in WhatId (looked up in the store).
 */
import { z } from 'zod';
import { recordId, type Activity, type ActivityType } from '../../../domain/model.js';
import { modstamp, sfBase, sfBoolean, sfDate, sfDateTime, sfIdOrNull, sfString } from '../raw.js';
import { defineStream, type StreamEnv } from './spec.js';

const ACCOUNT_PREFIX = '001';
const OPPORTUNITY_PREFIX = '006';
const CONTACT_PREFIX = '003';

export const TaskRow = z.object({
  ...sfBase,
  CreatedDate: sfDateTime,
  Subject: sfString,
  Description: sfString,
  ActivityDate: sfDate,
  IsClosed: sfBoolean,
  WhatId: sfIdOrNull,
  WhoId: sfIdOrNull,
  AccountId: sfIdOrNull,
  OwnerId: sfIdOrNull,
  TaskSubtype: sfString,
  Type: sfString,
  CallType: sfString,
  CompletedDateTime: sfDateTime,
});
export type TaskRow = z.infer<typeof TaskRow>;

export const EventRow = z.object({
  ...sfBase,
  CreatedDate: sfDateTime,
  Subject: sfString,
  Description: sfString,
  StartDateTime: sfDateTime,
  ActivityDateTime: sfDateTime,
  ActivityDate: sfDate,
  WhatId: sfIdOrNull,
  WhoId: sfIdOrNull,
  AccountId: sfIdOrNull,
  OwnerId: sfIdOrNull,
});
export type EventRow = z.infer<typeof EventRow>;

/** Deal id (ours) → account id (ours), for activities attached to opportunities. */
export type DealAccounts = Map<string, string | null>;

export function taskType(row: Pick<TaskRow, 'TaskSubtype' | 'Type'>): ActivityType {
  const subtype = (row.TaskSubtype ?? '').toLowerCase();
  if (subtype === 'call') return 'call';
  if (subtype === 'email' || subtype === 'listemail') return 'email';
  const type = (row.Type ?? '').toLowerCase();
  if (type === 'call') return 'call';
  if (type === 'email') return 'email';
  if (type === 'meeting') return 'meeting';
  return 'task';
}

function links(row: { WhatId: string | null; WhoId: string | null; AccountId: string | null }, deals: DealAccounts) {
  const dealId = row.WhatId?.startsWith(OPPORTUNITY_PREFIX) ? recordId('salesforce', row.WhatId) : null;
  const accountId = row.AccountId
    ? recordId('salesforce', row.AccountId)
    : row.WhatId?.startsWith(ACCOUNT_PREFIX)
      ? recordId('salesforce', row.WhatId)
      : dealId
        ? (deals.get(dealId) ?? null)
        : null;
  const contactId = row.WhoId?.startsWith(CONTACT_PREFIX) ? recordId('salesforce', row.WhoId) : null;
  return { accountId, dealId, contactId };
}

const excerpt = (text: string | null) => (text ? text.slice(0, 500) : null);
const atMidnight = (date: string | null) => (date ? `${date}T00:00:00.000Z` : null);

export function mapTask(row: TaskRow, deals: DealAccounts): Activity {
  const type = taskType(row);
  const callType = (row.CallType ?? '').toLowerCase();
  const occurredAt = row.CompletedDateTime ?? atMidnight(row.ActivityDate) ?? row.CreatedDate;
  if (!occurredAt) throw new Error('task has no CompletedDateTime, ActivityDate or CreatedDate');
  return {
    id: recordId('salesforce', row.Id),
    source: 'salesforce',
    externalId: row.Id,
    updatedAt: modstamp(row),
    type,
    ...links(row, deals),
    ownerId: row.OwnerId ? recordId('salesforce', row.OwnerId) : null,
    occurredAt,
    direction: callType === 'inbound' ? 'inbound' : callType === 'outbound' ? 'outbound' : type === 'email' ? 'outbound' : null,
    subject: row.Subject,
    bodyExcerpt: excerpt(row.Description),
    completed: type === 'task' ? (row.IsClosed ?? false) : null,
  };
}

export function mapEvent(row: EventRow, deals: DealAccounts): Activity {
  const occurredAt = row.StartDateTime ?? row.ActivityDateTime ?? atMidnight(row.ActivityDate) ?? row.CreatedDate;
  if (!occurredAt) throw new Error('event has no StartDateTime, ActivityDateTime or CreatedDate');
  return {
    id: recordId('salesforce', row.Id),
    source: 'salesforce',
    externalId: row.Id,
    updatedAt: modstamp(row),
    type: 'meeting',
    ...links(row, deals),
    ownerId: row.OwnerId ? recordId('salesforce', row.OwnerId) : null,
    occurredAt,
    direction: null,
    subject: row.Subject,
    bodyExcerpt: excerpt(row.Description),
    completed: null,
  };
}

/** Accounts of the opportunities that page's activities hang off (only those without AccountId). */
export async function loadDealAccounts(rows: { WhatId: string | null; AccountId: string | null }[], env: StreamEnv): Promise<DealAccounts> {
  const dealIds = [...new Set(rows.filter((r) => !r.AccountId && r.WhatId?.startsWith(OPPORTUNITY_PREFIX)).map((r) => recordId('salesforce', r.WhatId as string)))];
  const out: DealAccounts = new Map();
  if (dealIds.length === 0) return out;
  for (const d of await env.store.records.getMany('deal', dealIds)) out.set(d.id, d.accountId);
  return out;
}

export const tasksStream = defineStream<TaskRow, DealAccounts>({
  name: 'tasks',
  sobject: 'Task',
  kind: 'activity',
  bulk: true,
  fields: () => ['Id', 'SystemModstamp', 'CreatedDate', 'Subject', 'Description', 'ActivityDate', 'IsClosed', 'WhatId', 'WhoId', 'AccountId', 'OwnerId', 'TaskSubtype', 'Type', 'CallType', 'CompletedDateTime'],
  raw: TaskRow,
  preparePage: loadDealAccounts,
  map: (row, _config, deals) => [mapTask(row, deals)],
  deletedFields: ['AccountId'],
});

export const eventsStream = defineStream<EventRow, DealAccounts>({
  name: 'events',
  sobject: 'Event',
  kind: 'activity',
  bulk: true,
  fields: () => ['Id', 'SystemModstamp', 'CreatedDate', 'Subject', 'Description', 'StartDateTime', 'ActivityDateTime', 'ActivityDate', 'WhatId', 'WhoId', 'AccountId', 'OwnerId'],
  raw: EventRow,
  preparePage: loadDealAccounts,
  map: (row, _config, deals) => [mapEvent(row, deals)],
  deletedFields: ['AccountId'],
});
