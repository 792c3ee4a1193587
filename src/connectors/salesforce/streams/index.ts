/** Every Salesforce stream, in the order a full sync runs them (owners and products first). */
import { accountsStream } from './accounts.js';
import { eventsStream, tasksStream } from './activities.js';
import { contactsStream } from './contacts.js';
import { dealHistoryStream } from './dealHistory.js';
import { dealsStream } from './deals.js';
import { lineItemsStream } from './lineItems.js';
import { ownersStream } from './owners.js';
import { productsStream } from './products.js';
import { quotasStream } from './quotas.js';
import type { StreamSpec } from './spec.js';
import { ticketsStream } from './tickets.js';

export const salesforceStreams: readonly StreamSpec[] = [
  ownersStream,
  productsStream,
  accountsStream,
  contactsStream,
  dealsStream,
  dealHistoryStream,
  lineItemsStream,
  tasksStream,
  eventsStream,
  ticketsStream,
  quotasStream,
];

/** sObject API name → stream (change notices name objects). */
export const streamBySObject = new Map(salesforceStreams.map((s) => [s.sobject.toLowerCase(), s]));
