import { describe, expect, it } from 'vitest';
import { activityCount, emptyAggregate, findCompetitors, foldActivity, lastTouchOverall, weekStart } from '../../src/domain/activity.js';
import type { Activity } from '../../src/domain/model.js';

const act = (id: string, over: Partial<Activity> = {}): Activity => ({
  id, source: 'salesforce', externalId: id, updatedAt: '2026-10-01T00:00:00.000Z', type: 'note', accountId: 'a', dealId: null, contactId: null,
  ownerId: null, occurredAt: '2026-10-01T12:00:00.000Z', direction: null, subject: null, bodyExcerpt: null, completed: null, ...over,
});

describe('activity folding', () => {
  it('weekStart is the UTC Monday', () => {
    expect(weekStart('2026-10-04T23:59:59.000Z')).toBe('2026-09-28'); // Sunday
    expect(weekStart('2026-10-05T00:00:00.000Z')).toBe('2026-10-05'); // Monday
  });

  it('finds competitors as whole words, case-insensitively', () => {
    expect(findCompetitors({ subject: 'Lost to ACME', bodyExcerpt: 'acmeville is not a competitor; Globex, maybe' }, ['Acme', 'Globex', 'Initech'])).toEqual(['Acme', 'Globex']);
    expect(findCompetitors({ subject: null, bodyExcerpt: null }, ['Acme'])).toEqual([]);
  });

  it('counts by week and bucket, keeps last touch and bounded recent refs', () => {
    const agg = emptyAggregate('a');
    for (let i = 0; i < 12; i++) foldActivity(agg, act(`n${i}`, { occurredAt: `2026-10-${String(i + 1).padStart(2, '0')}T10:00:00.000Z` }), null, []);
    foldActivity(agg, act('c1', { type: 'call', direction: 'outbound', occurredAt: '2026-09-01T10:00:00.000Z' }), null, []);
    expect(agg.total).toBe(13);
    expect(agg.recent).toHaveLength(10);
    expect(agg.recent[0]?.id).toBe('n11');
    expect(agg.lastTouch.call?.id).toBe('c1');
    expect(lastTouchOverall(agg)?.id).toBe('n11');
    expect(activityCount(agg, '2026-09-28', '2026-10-13')).toBe(12);
    expect(activityCount(agg, '2026-08-31', '2026-09-07', ['call'])).toBe(1);
  });
});

describe('activity folding is independent of order', () => {
  it('two touches at the same instant: the larger id is the last touch, whichever was folded first', () => {
    const a = act('hubspot:9', { type: 'note', occurredAt: '2026-09-06T10:00:00.000Z' });
    const b = act('salesforce:00T1', { type: 'task', completed: true, occurredAt: '2026-09-06T10:00:00.000Z' });
    const one = emptyAggregate('x');
    foldActivity(one, a, null, []);
    foldActivity(one, b, null, []);
    const two = emptyAggregate('x');
    foldActivity(two, b, null, []);
    foldActivity(two, a, null, []);
    expect(lastTouchOverall(one)?.id).toBe('salesforce:00T1');
    expect(lastTouchOverall(two)?.id).toBe('salesforce:00T1');
    expect(one.recent).toEqual(two.recent);
  });
});
