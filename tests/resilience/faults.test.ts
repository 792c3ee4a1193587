/**
 * With both sandbox CRMs injecting 429s, 5xx, latency and dropped connections on 10% of calls
 * (seeded, so a failure reproduces), a full cycle ends exactly where a clean cycle of the same seed
 * ends: the same stored records, the same CRM fields, the same tasks, the same alerts delivered
 * once each. Nothing missing, nothing duplicated.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { parseFaultSpec } from '../../src/sandbox/common/faults.js';
import { cleanRun, endState, runCycleInProcess, startSide, type Side } from '../helpers/cycleSide.js';

const SEED = 31;
const ACCOUNTS = 120;
const sides: Side[] = [];

afterAll(async () => {
  for (const s of sides) await s.close();
});

describe('a cycle under injected faults (10% each of 429, 5xx, latency, drop on both CRMs)', () => {
  it('ends with the same store, CRM fields, tasks and delivered alerts as a clean cycle', async () => {
    const { clean, expected } = await cleanRun({ seed: SEED, accounts: ACCOUNTS }, sides);

    const faulty = await startSide({ seed: SEED, accounts: ACCOUNTS });
    sides.push(faulty);
    // Faults start after provisioning: the cycle is what is under test.
    const spec = '429:0.1,5xx:0.1,latency:0.1#latency=50,drop:0.1';
    faulty.sandbox.hubspot.faults.set(parseFaultSpec(spec));
    faulty.sandbox.salesforce.faults.set(parseFaultSpec(spec));
    await runCycleInProcess(faulty, { timeoutMs: 240_000 });
    const fired = new Map<string, number>();
    for (const r of [...faulty.sandbox.hubspot.faults.list(), ...faulty.sandbox.salesforce.faults.list()]) fired.set(r.kind, (fired.get(r.kind) ?? 0) + r.fired);
    faulty.sandbox.hubspot.faults.clear();
    faulty.sandbox.salesforce.faults.clear();
    // the faults really were there: every kind fired (seeded: the same calls fail on every run)
    for (const kind of ['429', '5xx', 'latency', 'drop']) expect(fired.get(kind) ?? 0, `${kind} faults injected`).toBeGreaterThan(0);

    const actual = await endState(faulty);
    expect(Object.fromEntries(Object.entries(actual.store).map(([k, v]) => [k, Object.keys(v).length]))).toEqual(
      Object.fromEntries(Object.entries(expected.store).map(([k, v]) => [k, Object.keys(v).length])),
    );
    expect(actual.store).toEqual(expected.store);
    expect(actual.crm).toEqual(expected.crm);
    expect(actual.tasks).toEqual(expected.tasks);
    expect(actual.alerts).toEqual(expected.alerts);
    expect(actual.delivered).toEqual(expected.delivered);
    expect(actual.delivered.titlesWithSeveralIds).toEqual([]);
    expect(actual.delivered.invalid).toBe(0);
    expect(expected.delivered.delivered.length).toBeGreaterThan(0);
  });
});
