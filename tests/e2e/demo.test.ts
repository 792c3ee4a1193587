/**
 * `npm run demo` as a newcomer runs it (here with --no-serve and a smaller org): the sandbox, a
 * full cycle through the real pipeline, and the report.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('accountpulse demo --no-serve', () => {
  it('runs a full cycle on the sandbox and prints the report', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'demo', '--no-serve', '--accounts', '150', '--seed', '5'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', REDIS_URL: process.env.REDIS_URL ?? '' },
      encoding: 'utf8',
      timeout: 240_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^Seeded {8}150 accounts, \d+ deals, \d+ activities, \d+ owners \(seed 5, as of \d{4}-\d{2}-\d{2}\)$/m);
    expect(out).toMatch(/^Provisioned {3}hubspot: 8 fields created, 0 already there$/m);
    expect(out).toMatch(/^Provisioned {3}salesforce: 7 fields created, 0 already there$/m);
    expect(out).toMatch(/^== Cycle \S+: \d+ runs in [\d.]+ s ==$/m);
    expect(out).toMatch(/^== Attainment FY\d{4}-Q[1-4] /m);
    expect(out).toMatch(/^org {10}won \$[\d,]+ of \$[\d,]+ \(\d+%\)/m);
    const churn = /^== Churn risk: (\d+) red, (\d+) amber, (\d+) green ==$/m.exec(out);
    expect(churn).not.toBeNull();
    expect(Number(churn?.[1]) + Number(churn?.[2]) + Number(churn?.[3])).toBeGreaterThan(140);
    expect(Number(churn?.[1])).toBeGreaterThan(0);
    expect(out).toMatch(/^hubspot {5}\d+ fields on \d+ accounts, \d+ tasks, 0 failed$/m);
    expect(out).toMatch(/^salesforce {2}\d+ fields on \d+ accounts, \d+ tasks, 0 failed$/m);
    const alerts = /^== Alerts: (\d+) open, (\d+) delivered to the local receiver \((\d+) with a valid signature\) ==$/m.exec(out);
    expect(alerts).not.toBeNull();
    expect(alerts?.[1]).toBe(alerts?.[2]);
    expect(alerts?.[2]).toBe(alerts?.[3]);
    expect(out).toMatch(/^HubSpot {6}\d+ calls \(minimum for the initial read alone: \d+\), 0 rate-limited$/m);
    expect(out).not.toMatch(/"level":/); // no log lines mixed into the report
  }, 300_000);
});
