import { describe, expect, it } from 'vitest';
import { FaultInjector, FaultSpecError, parseFaultSpec } from '../../src/sandbox/common/faults.js';

describe('sandbox fault spec', () => {
  it('parses kinds, probabilities, targets and options', () => {
    expect(parseFaultSpec('429:0.1, 5xx:0.05@POST /crm/v3/objects/*#status=502, drop@GET /services/data/*#times=2, latency:1#latency=200')).toEqual([
      { kind: '429', probability: 0.1, latencyMs: 250, status: 503 },
      { kind: '5xx', probability: 0.05, method: 'POST', path: '/crm/v3/objects/*', latencyMs: 250, status: 502 },
      { kind: 'drop', probability: 1, method: 'GET', path: '/services/data/*', times: 2, latencyMs: 250, status: 503 },
      { kind: 'latency', probability: 1, latencyMs: 200, status: 503 },
    ]);
  });

  it('rejects bad rules with a message naming the rule', () => {
    expect(() => parseFaultSpec('teapot')).toThrow(FaultSpecError);
    expect(() => parseFaultSpec('429:2')).toThrow(/fault rule "429:2": probability/);
    expect(() => parseFaultSpec('drop#tims=2')).toThrow('fault rule "drop#tims=2": unknown option "tims" (expected times, latency or status)');
  });

  it('"fail N times, then succeed" and route matching', () => {
    const f = new FaultInjector({ rules: parseFaultSpec('5xx@GET /crm/v3/objects/*#times=2') });
    expect(f.pick('POST', '/crm/v3/objects/companies')).toBeNull();
    expect(f.pick('GET', '/crm/v3/owners')).toBeNull();
    expect(f.pick('GET', '/crm/v3/objects/companies')?.kind).toBe('5xx');
    expect(f.pick('GET', '/crm/v3/objects/deals')?.kind).toBe('5xx');
    expect(f.pick('GET', '/crm/v3/objects/deals')).toBeNull();
    expect(f.list()[0]?.fired).toBe(2);
  });

  it('a seeded probability is reproducible', () => {
    const run = () => {
      const f = new FaultInjector({ rules: [{ kind: '429', probability: 0.3 }], seed: 7 });
      return Array.from({ length: 50 }, () => (f.pick('GET', '/x') ? 1 : 0)).join('');
    };
    const a = run();
    expect(a).toBe(run());
    const hits = [...a].filter((c) => c === '1').length;
    expect(hits).toBeGreaterThan(5);
    expect(hits).toBeLessThan(30);
  });
});
