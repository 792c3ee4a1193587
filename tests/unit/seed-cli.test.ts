import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSandboxFlags, runSandboxCommand, SandboxUsageError } from '../../src/sandbox/cli.js';

describe('accountpulse sandbox flags', () => {
  it('defaults to seed 42, 1,000 accounts, ports 4010/4020 and the HubSpot/Salesforce default limits', () => {
    expect(parseSandboxFlags([])).toEqual({
      help: false,
      seed: 42,
      accounts: 1000,
      asOf: undefined,
      hubspotPort: 4010,
      salesforcePort: 4020,
      hubspotRate: 190,
      salesforceDaily: 100000,
      faults: undefined,
      host: '127.0.0.1',
    });
  });

  it('reads every flag', () => {
    const argv = ['--seed', '7', '--accounts', '250', '--as-of', '2026-11-28', '--hubspot-port', '0', '--salesforce-port', '5020', '--hubspot-rate', '50', '--salesforce-daily', '5000', '--faults', '429:0.1', '--host', '0.0.0.0'];
    expect(parseSandboxFlags(argv)).toEqual({
      help: false,
      seed: 7,
      accounts: 250,
      asOf: '2026-11-28',
      hubspotPort: 0,
      salesforcePort: 5020,
      hubspotRate: 50,
      salesforceDaily: 5000,
      faults: '429:0.1',
      host: '0.0.0.0',
    });
  });

  it.each([
    [['--accounts', 'many'], '--accounts must be an integer from 10 to 200000 (got "many")'],
    [['--accounts', '5'], '--accounts must be an integer from 10 to 200000 (got "5")'],
    [['--as-of', '2026-02-30'], '--as-of must be a date as YYYY-MM-DD (got "2026-02-30")'],
    [['--hubspot-port', '65536'], '--hubspot-port must be a port from 0 to 65535 (got "65536")'],
    [['--seed=-1'], '--seed must be an integer from 0 to 4294967295 (got "-1")'],
    [['--faults', 'boom:0.1'], '--faults: fault rule "boom:0.1": kind:'],
    [['--colour', 'red'], "Unknown option '--colour'"],
  ])('%j -> one line naming the flag', (argv, message) => {
    expect(() => parseSandboxFlags(argv)).toThrow(SandboxUsageError);
    expect(() => parseSandboxFlags(argv)).toThrow(message);
  });
});

describe('runSandboxCommand', () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  it('prints one error line and sets exit code 2 on a bad flag, starting nothing', async () => {
    const out: string[] = [];
    const err: string[] = [];
    await runSandboxCommand(['--salesforce-daily', '1e5'], { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
    expect(err).toEqual(['accountpulse sandbox: --salesforce-daily must be API requests per day, an integer >= 1 (got "1e5")']);
    expect(out).toEqual([]);
    expect(process.exitCode).toBe(2);
  });

  it('says which port is taken when it cannot listen (exit code 1)', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as AddressInfo).port;
    const err: string[] = [];
    try {
      await runSandboxCommand(['--accounts', '10', '--hubspot-port', String(taken), '--salesforce-port', '0'], { stdout: () => undefined, stderr: (l) => err.push(l) });
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    expect(err).toEqual([`accountpulse sandbox: cannot listen on 127.0.0.1:${taken} (EADDRINUSE); free the port or pick others with --hubspot-port / --salesforce-port`]);
    expect(process.exitCode).toBe(1);
  });

  it('starts both CRMs, prints their URLs, tokens and the seed figures, and stops when told', async () => {
    const out: string[] = [];
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const run = runSandboxCommand(['--accounts', '100', '--seed', '5', '--as-of', '2026-11-28', '--hubspot-port', '0', '--salesforce-port', '0'], {
      stdout: (line) => {
        out.push(line);
        if (line.startsWith('Seed')) stop();
      },
      stop: stopped,
    });
    await run;
    expect(out).toHaveLength(4);
    expect(out[0]).toMatch(/^HubSpot {5}http:\/\/127\.0\.0\.1:\d+ {2}token \S+$/);
    expect(out[1]).toMatch(/^Salesforce {2}http:\/\/127\.0\.0\.1:\d+ {2}token 00D\S+$/);
    expect(out[2]).toMatch(/^Seed {8}seed 5, as of 2026-11-28: 100 accounts \(HubSpot \d+, Salesforce \d+, \d+ in both\), \d+ deals, [\d,]+ activities; generated in [\d,]+ ms; RSS [\d,]+ MB$/);
    expect(out[3]).toBe('Sandbox stopped.');
    const port = Number(/:(\d+) /.exec(out[0] ?? '')?.[1]);
    await expect(fetch(`http://127.0.0.1:${port}/crm/v3/objects/companies`)).rejects.toThrow();
  });
});
