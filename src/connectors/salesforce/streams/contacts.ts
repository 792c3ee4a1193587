/** Contact → Contact. */
import { z } from 'zod';
import { recordId, type Contact } from '../../../domain/model.js';
import { modstamp, sfBase, sfDateTime, sfIdOrNull, sfString } from '../raw.js';
import { defineStream } from './spec.js';

export const ContactRow = z.object({
  ...sfBase,
  Name: sfString,
  FirstName: sfString,
  LastName: sfString,
  AccountId: sfIdOrNull,
  Email: sfString,
  Title: sfString,
  CreatedDate: sfDateTime,
});
export type ContactRow = z.infer<typeof ContactRow>;

export function mapContact(row: ContactRow): Contact {
  const name = row.Name ?? [row.FirstName, row.LastName].filter(Boolean).join(' ');
  if (!name) throw new Error('contact has neither Name nor FirstName/LastName');
  return {
    id: recordId('salesforce', row.Id),
    source: 'salesforce',
    externalId: row.Id,
    updatedAt: modstamp(row),
    accountId: row.AccountId ? recordId('salesforce', row.AccountId) : null,
    name,
    email: row.Email,
    title: row.Title,
    // Salesforce has no standard "left the company" flag; deleted contacts are removed instead.
    active: true,
    createdAt: row.CreatedDate,
  };
}

export const contactsStream = defineStream({
  name: 'contacts',
  sobject: 'Contact',
  kind: 'contact',
  bulk: true,
  fields: () => ['Id', 'SystemModstamp', 'CreatedDate', 'Name', 'FirstName', 'LastName', 'AccountId', 'Email', 'Title'],
  raw: ContactRow,
  map: (row) => [mapContact(row)],
});
