import { describe, expect, it } from 'vitest';
import { desiredFields, isWriteBackEcho, planWriteBack, type WriteTarget } from '../../src/domain/writeback.js';
import { normalizeDomain, unifyAccounts } from '../../src/domain/unify.js';
import type { ChurnRisk } from '../../src/domain/insights.js';
import type { Account } from '../../src/domain/model.js';

const risk: ChurnRisk = {
  accountId: 'hubspot:1', score: 72.4, band: 'red', previous: 41, previousBand: 'amber', trend: 'up', completeness: 0.9, model: 'rules', probability: null,
  scoredAt: '2026-11-20T00:00:00.000Z', configVersion: 'c1',
  drivers: [
    { signal: 'a', risk: 100, points: 30, text: 'No activity for 63 days', records: [] },
    { signal: 'b', risk: 80, points: 20, text: '2 urgent tickets open', records: [] },
    { signal: 'c', risk: 50, points: 10, text: 'Renewal in 40 days', records: [] },
    { signal: 'd', risk: 10, points: 1, text: 'not shown', records: [] },
  ],
};
const desired = desiredFields(risk, [{ accountId: 'hubspot:1', product: 'Analytics', productId: null, score: 0.8, evidence: ['62% of similar accounts own it'], estimatedValue: 12000, rule: null, peerPenetration: null }]);
const target = (over: Partial<WriteTarget> = {}): WriteTarget => ({ source: 'hubspot', externalId: '1', accountId: 'hubspot:1', desired, ...over });
const none = { written: new Map(), failed: new Map() };
const opts = { scoreTolerance: 1, overwriteHumanEdits: false };

describe('desiredFields', () => {
  it('maps risk and the top cross-sell to field values', () => {
    expect(desired).toEqual({
      churnRiskScore: 72, churnRiskBand: 'red', churnRiskTrend: 'up', churnRiskReasons: 'No activity for 63 days; 2 urgent tickets open; Renewal in 40 days',
      lastScoredAt: '2026-11-20T00:00:00.000Z', crossSellTop: 'Analytics', crossSellEvidence: '62% of similar accounts own it',
    });
  });
});

describe('planWriteBack', () => {
  it('first run writes every field, lastScoredAt included', () => {
    const plan = planWriteBack([target()], none, opts);
    expect(plan.updates).toEqual([{ source: 'hubspot', externalId: '1', accountId: 'hubspot:1', fields: desired }]);
  });

  it('writes nothing when the ledger already holds the values (lastScoredAt alone is no change)', () => {
    const written = new Map(Object.entries(desired).map(([f, v]) => [`1|${f}`, { value: v ?? null }]));
    written.set('1|lastScoredAt', { value: '2026-11-01T00:00:00.000Z' });
    expect(planWriteBack([target()], { written, failed: new Map() }, opts)).toEqual({ updates: [], skippedHumanEdits: [], unchangedFields: 6 });
  });

  it('a score inside the tolerance is not rewritten; outside it is, with lastScoredAt', () => {
    const written = new Map(Object.entries(desired).map(([f, v]) => [`1|${f}`, { value: v ?? null }]));
    written.set('1|churnRiskScore', { value: 71.5 });
    expect(planWriteBack([target()], { written, failed: new Map() }, opts).updates).toEqual([]);
    written.set('1|churnRiskScore', { value: 70 });
    expect(planWriteBack([target()], { written, failed: new Map() }, opts).updates[0]?.fields).toEqual({ churnRiskScore: 72, lastScoredAt: '2026-11-20T00:00:00.000Z' });
  });

  it('leaves a value a person edited since our last write, unless configured to overwrite', () => {
    const written = new Map([[`1|churnRiskBand`, { value: 'amber' }]]);
    const t = target({ current: { churnRiskBand: 'green' } });
    const plan = planWriteBack([t], { written, failed: new Map() }, opts);
    expect(plan.skippedHumanEdits).toEqual([{ source: 'hubspot', externalId: '1', accountId: 'hubspot:1', field: 'churnRiskBand', ours: 'red', theirs: 'green' }]);
    expect(plan.updates[0]?.fields.churnRiskBand).toBeUndefined();
    expect(planWriteBack([t], { written, failed: new Map() }, { ...opts, overwriteHumanEdits: true }).updates[0]?.fields.churnRiskBand).toBe('red');
  });

  it('retries a failed field even when the ledger value matches', () => {
    const written = new Map(Object.entries(desired).map(([f, v]) => [`1|${f}`, { value: v ?? null }]));
    const plan = planWriteBack([target()], { written, failed: new Map([['1|churnRiskBand', { value: 'red', attempts: 1 }]]) }, opts);
    expect(plan.updates[0]?.fields).toEqual({ churnRiskBand: 'red', lastScoredAt: '2026-11-20T00:00:00.000Z' });
  });
});

describe('account unification', () => {
  const acc = (source: 'hubspot' | 'salesforce', id: string, domain: string | null, fields: Account['fields'] = {}): Account => ({
    id: `${source}:${id}`, source, externalId: id, updatedAt: '2026-01-01T00:00:00.000Z', name: `${source} ${id}`, domain, industry: null, employees: null,
    annualRevenue: null, ownerId: null, parentId: null, renewalDate: null, churned: null, createdAt: null, fields,
  });

  it('normalizes domains', () => {
    expect(normalizeDomain('HTTPS://www.Acme.com/about?x=1')).toBe('acme.com');
    expect(normalizeDomain('acme.co.uk:443')).toBe('acme.co.uk');
    expect(normalizeDomain('not a domain')).toBeNull();
    expect(normalizeDomain('')).toBeNull();
  });

  it('joins one record per CRM with the same domain; never two of the same CRM', () => {
    const u = unifyAccounts([acc('hubspot', '1', 'www.acme.com'), acc('salesforce', '001A', 'https://acme.com'), acc('hubspot', '2', 'dup.com'), acc('hubspot', '3', 'dup.com'), acc('salesforce', '001B', 'dup.com'), acc('salesforce', '001C', null)]);
    expect(u.map((x) => [x.id, x.members.map((m) => m.id), x.matchedBy])).toEqual([
      ['hubspot:1', ['hubspot:1', 'salesforce:001A'], 'domain'],
      ['hubspot:2', ['hubspot:2'], 'single'],
      ['hubspot:3', ['hubspot:3'], 'single'],
      ['salesforce:001B', ['salesforce:001B'], 'single'],
      ['salesforce:001C', ['salesforce:001C'], 'single'],
    ]);
  });

  it('a configured mapping field wins over the domain', () => {
    const u = unifyAccounts([acc('hubspot', '1', 'a.com', { erp: 'E-1' }), acc('salesforce', '9', 'b.com', { erp: 'e-1' })], { mappingField: 'erp' });
    expect(u).toHaveLength(1);
    expect(u[0]?.matchedBy).toBe('field:erp');
  });
});

describe('planWriteBack: drifting figures', () => {
  it('reasons whose only change is a number are not news; they ride along with a real change', () => {
    const written = new Map(Object.entries(desired).map(([f, v]) => [`1|${f}`, { value: v ?? null }]));
    const drifted = { ...desired, churnRiskReasons: 'No activity for 64 days; 2 urgent tickets open; Renewal in 39 days' };
    expect(planWriteBack([target({ desired: drifted })], { written, failed: new Map() }, opts).updates).toEqual([]);
    const moved = { ...drifted, churnRiskScore: 80 };
    expect(planWriteBack([target({ desired: moved })], { written, failed: new Map() }, opts).updates[0]?.fields).toEqual({
      churnRiskScore: 80, churnRiskReasons: 'No activity for 64 days; 2 urgent tickets open; Renewal in 39 days', lastScoredAt: '2026-11-20T00:00:00.000Z',
    });
  });
});

describe('owner unification', () => {
  it('one person in both CRMs (same email) is one owner; managers re-pointed at the kept records', async () => {
    const { unifyOwners } = await import('../../src/domain/unify.js');
    const o = (id: string, email: string | null, managerId: string | null = null) => ({ id, source: id.split(':')[0] as string, externalId: id.split(':')[1] as string, email, managerId });
    const { owners, canonical } = unifyOwners([o('salesforce:005A', 'Ann@X.com', 'salesforce:005M'), o('hubspot:1', 'ann@x.com'), o('hubspot:9', 'boss@x.com'), o('salesforce:005M', 'boss@x.com'), o('salesforce:005Z', null)]);
    expect(Object.fromEntries(canonical)).toEqual({ 'salesforce:005A': 'hubspot:1', 'hubspot:1': 'hubspot:1', 'hubspot:9': 'hubspot:9', 'salesforce:005M': 'hubspot:9', 'salesforce:005Z': 'salesforce:005Z' });
    expect(owners.map((x) => [x.id, x.managerId])).toEqual([['hubspot:1', 'hubspot:9'], ['hubspot:9', null], ['salesforce:005Z', null]]);
  });
});

describe('isWriteBackEcho', () => {
  const base: Account = { id: 'hubspot:1', source: 'hubspot', externalId: '1', updatedAt: '2026-11-01T00:00:00.000Z', name: 'Acme', domain: 'acme.com', industry: 'Software', employees: 50, annualRevenue: null, ownerId: 'hubspot:o1', parentId: null, renewalDate: null, churned: null, createdAt: null, fields: { 'ap.churnRiskScore': 40, tier: 'gold' } };

  it('is an echo when only our ap.* fields and the modstamp moved', () => {
    expect(isWriteBackEcho(base, { ...base, updatedAt: '2026-11-02T00:00:00.000Z', fields: { tier: 'gold', 'ap.churnRiskScore': 55, 'ap.crossSellTop': 'Analytics' } })).toBe(true);
  });

  it('is not an echo when anything else changed, or when there was no previous record', () => {
    expect(isWriteBackEcho(base, { ...base, updatedAt: '2026-11-02T00:00:00.000Z', name: 'Acme Corp', fields: { ...base.fields, 'ap.churnRiskScore': 55 } })).toBe(false);
    expect(isWriteBackEcho(base, { ...base, fields: { ...base.fields, tier: 'silver' } })).toBe(false);
    expect(isWriteBackEcho(base, { ...base, fields: { 'ap.churnRiskScore': 40 } })).toBe(false);
    expect(isWriteBackEcho(undefined, base)).toBe(false);
  });
});
