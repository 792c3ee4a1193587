/** Every HubSpot stream, in the order a full sync runs them (owners and products first). */
import { activityStreams } from './activities.js';
import { companiesStream } from './companies.js';
import { contactsStream } from './contacts.js';
import { dealsStream } from './deals.js';
import { goalsStream } from './goals.js';
import { lineItemsStream, productsStream } from './products.js';
import type { ObjectStreamSpec } from './spec.js';
import { ticketsStream } from './tickets.js';

export const OWNERS_STREAM = 'owners';

export const objectStreams: ObjectStreamSpec[] = [
  productsStream,
  companiesStream,
  contactsStream,
  dealsStream,
  lineItemsStream,
  ...activityStreams,
  ticketsStream,
  goalsStream,
];

export const streamNames: readonly string[] = [OWNERS_STREAM, ...objectStreams.map((s) => s.name)];

export function objectStream(name: string): ObjectStreamSpec | undefined {
  return objectStreams.find((s) => s.name === name);
}

export type { ObjectStreamSpec, MapContext, Mapped, DealStage } from './spec.js';
