import { describe, expect, it } from 'vitest';
import { orderSyncs } from '../../src/jobs/cycle.js';

const hubspot = ['owners', 'companies', 'products', 'contacts', 'deals', 'line_items', 'calls', 'emails'].map((stream) => ({ source: 'hubspot', stream }));
const salesforce = ['owners', 'products', 'accounts', 'deals', 'dealHistory', 'lineItems'].map((stream) => ({ source: 'salesforce', stream }));
const key = (s: { source: string; stream: string }) => `${s.source}:${s.stream}`;

describe('orderSyncs', () => {
  it('first cycle: usually-largest streams first, CRMs taken in turn, unknown streams last in their given order', () => {
    expect(orderSyncs([...hubspot, ...salesforce], new Map()).map(key)).toEqual([
      'hubspot:line_items', 'salesforce:lineItems',
      'hubspot:deals', 'salesforce:deals',
      'hubspot:emails', 'salesforce:dealHistory',
      'hubspot:contacts', 'salesforce:accounts',
      'hubspot:calls', 'salesforce:owners',
      'hubspot:companies', 'salesforce:products',
      'hubspot:owners', 'hubspot:products',
    ]);
  });

  it('first cycle with a head start: the rate-limited CRM\'s longest streams first, then the CRMs in turn', () => {
    expect(orderSyncs([...hubspot, ...salesforce], new Map(), { headStart: { source: 'hubspot', count: 3 } }).map(key)).toEqual([
      'hubspot:line_items', 'hubspot:deals', 'hubspot:emails',
      'hubspot:contacts', 'salesforce:lineItems',
      'hubspot:calls', 'salesforce:deals',
      'hubspot:companies', 'salesforce:dealHistory',
      'hubspot:owners', 'salesforce:accounts',
      'hubspot:products', 'salesforce:owners',
      'salesforce:products',
    ]);
  });

  it('with every duration known: longest first across CRMs', () => {
    const ms = new Map([...hubspot, ...salesforce].map((s, i) => [key(s), (i * 7919) % 101]));
    const ordered = orderSyncs([...hubspot, ...salesforce], ms).map((s) => ms.get(key(s)) as number);
    expect(ordered).toEqual([...ordered].sort((a, b) => b - a));
    expect(ordered).toHaveLength(hubspot.length + salesforce.length);
  });

  it('a stream with a measured duration goes before unmeasured ones of its CRM; nothing is lost or repeated', () => {
    const ms = new Map([['hubspot:owners', 90_000]]);
    const out = orderSyncs(hubspot, ms).map(key);
    expect(out[0]).toBe('hubspot:owners');
    expect(out.slice(1)).toEqual(['hubspot:line_items', 'hubspot:deals', 'hubspot:emails', 'hubspot:contacts', 'hubspot:calls', 'hubspot:companies', 'hubspot:products']);
  });
});
