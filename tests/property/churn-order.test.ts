/**
 * Churn scoring is a function of the account's records, not of the order the store happens to
 * return them in (Redis set order changes with insertion history and after an AOF reload): any
 * permutation of the tickets, contacts and deals gives the same risk, drivers and texts. A text that
 * followed input order would differ between two runs on the same data, and be written to the CRM
 * again on every such change.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scoreChurn, type ChurnInput } from '../../src/domain/churn.js';
import { resolveChurnConfig } from '../../src/domain/churnConfig.js';
import { emptyAggregate } from '../../src/domain/activity.js';
import type { Contact, Deal, Ticket } from '../../src/domain/model.js';
import { accountRecord } from '../helpers/records.js';

const AS_OF = '2026-11-28T12:00:00.000Z';
const ACCOUNT_ID = 'salesforce:001A';
const config = resolveChurnConfig({});

const account = accountRecord(ACCOUNT_ID, { updatedAt: '2026-11-01T00:00:00.000Z', name: 'Acme Corp', domain: 'acme.example', renewalDate: '2027-01-15' });

const day = (n: number) => new Date(Date.parse(AS_OF) - n * 86_400_000).toISOString();

const ticket = fc.record({ n: fc.integer({ min: 1, max: 40 }), priority: fc.constantFrom<Ticket['priority']>('low', 'medium', 'high', 'urgent'), age: fc.integer({ min: 0, max: 200 }), closedAfter: fc.option(fc.integer({ min: 0, max: 30 }), { nil: null }), escalated: fc.boolean() }).map(
  ({ n, priority, age, closedAfter, escalated }): Ticket => ({
    id: `salesforce:500${String(n).padStart(4, '0')}`, source: 'salesforce', externalId: `500${String(n).padStart(4, '0')}`, updatedAt: day(age), accountId: ACCOUNT_ID, subject: `Case ${n}`, priority,
    status: closedAfter === null ? 'open' : 'closed', escalated, createdAt: day(age), closedAt: closedAfter === null ? null : day(Math.max(0, age - closedAfter)),
  }),
);
const contact = fc.record({ n: fc.integer({ min: 1, max: 40 }), active: fc.boolean() }).map(
  ({ n, active }): Contact => ({ id: `salesforce:003${n}`, source: 'salesforce', externalId: `003${n}`, updatedAt: day(10), accountId: ACCOUNT_ID, name: `Contact ${n}`, email: null, title: null, active, createdAt: day(400) }),
);
const deal = fc.record({ n: fc.integer({ min: 1, max: 40 }), status: fc.constantFrom<Deal['status']>('open', 'won', 'lost'), close: fc.integer({ min: -90, max: 200 }), type: fc.constantFrom('renewal', 'new', null) }).map(
  ({ n, status, close, type }): Deal => ({
    id: `salesforce:006${n}`, source: 'salesforce', externalId: `006${n}`, updatedAt: day(5), name: `Deal ${n}`, accountId: ACCOUNT_ID, ownerId: null, amount: 1000 * n, currency: null, status,
    stage: status === 'open' ? 'Negotiation' : status === 'won' ? 'Closed Won' : 'Closed Lost', stageId: status, pipeline: null, probability: 0.5, forecastCategory: 'pipeline',
    closeDate: day(-close).slice(0, 10), type, createdAt: day(300),
  }),
);
const unique = <T extends { id: string }>(items: T[]) => [...new Map(items.map((i) => [i.id, i])).values()];

describe('churn scoring does not depend on record order', () => {
  it('any permutation of tickets, contacts and deals gives the same risk and texts', () => {
    fc.assert(
      fc.property(fc.array(ticket, { maxLength: 8 }), fc.array(contact, { maxLength: 6 }), fc.array(deal, { maxLength: 6 }), fc.nat(), (ts, cs, ds, salt) => {
        const input: ChurnInput = { account, contacts: unique(cs), activity: emptyAggregate(ACCOUNT_ID), tickets: unique(ts), deals: unique(ds), usage: [] };
        const rotate = <T>(xs: readonly T[]) => (xs.length ? [...xs.slice(salt % xs.length), ...xs.slice(0, salt % xs.length)].reverse() : []);
        const shuffled: ChurnInput = { ...input, contacts: rotate(input.contacts), tickets: rotate(input.tickets), deals: rotate(input.deals) };
        expect(scoreChurn(shuffled, config, null, AS_OF)).toEqual(scoreChurn(input, config, null, AS_OF));
      }),
      { numRuns: 300 },
    );
  });
});
