import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { SANDBOX_HUBSPOT_URL } from '../../src/config/env.js';
import { durationMs } from '../../src/config/schema.js';
import { maskedEnv, runCheckConfig } from '../../src/commands/checkConfig.js';

const dir = mkdtempSync(join(tmpdir(), 'ap-config-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
function problems(environ: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig({ environ });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('works with no configuration at all: defaults point at the sandbox', () => {
    const { env, config, files } = loadConfig({ environ: {} });
    expect(env.HUBSPOT_BASE_URL).toBe(SANDBOX_HUBSPOT_URL);
    expect(env.SALESFORCE_API_VERSION).toBe('62.0');
    expect(config.sync.budgetReserve).toBe(0.2);
    expect(config.writeBack.overwriteHumanEdits).toBe(false);
    expect(config.queues.concurrency).toEqual({ sync: 8, score: 2, writeback: 2, alert: 4 });
    expect(files).toHaveLength(1);
  });

  it('merges the ACCOUNTPULSE_CONFIG file over the defaults, key by key', () => {
    const p = file('ok.yaml', 'sync:\n  lookback: 15m\nalerts:\n  rules:\n    renewalAtRisk: { days: 90 }\n');
    const { config, files } = loadConfig({ environ: { ACCOUNTPULSE_CONFIG: p } });
    expect(config.sync.lookback).toBe('15m');
    expect(config.sync.budgetReserve).toBe(0.2);
    expect(config.alerts.rules.renewalAtRisk).toEqual({ enabled: true, days: 90 });
    expect(files.at(-1)).toBe(p);
  });

  it('applies ACCOUNTPULSE__SECTION__KEY overrides case-insensitively, parsed as YAML scalars', () => {
    const { config } = loadConfig({ environ: { ACCOUNTPULSE__SYNC__BUDGETRESERVE: '0.3', ACCOUNTPULSE__WRITEBACK__TASKS: 'false' } });
    expect(config.sync.budgetReserve).toBe(0.3);
    expect(config.writeBack.tasks).toBe(false);
  });

  it('names the file, the line and the problem for malformed YAML', () => {
    const p = file('bad.yaml', 'sync:\n  lookback: [unclosed\n');
    const [line] = problems({ ACCOUNTPULSE_CONFIG: p });
    expect(line).toMatch(new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: malformed YAML`));
  });

  it('names the file, the key and the expected form for an invalid value', () => {
    const p = file('invalid.yaml', 'sync:\n  lookback: ten minutes\n  budgetReserve: 2\n');
    const lines = problems({ ACCOUNTPULSE_CONFIG: p });
    expect(lines).toContain(`${p}: sync.lookback: a duration like 500ms, 30s, 5m, 2h or 1d`);
    expect(lines.some((l) => l.startsWith(`${p}: sync.budgetReserve:`) && /0\.9/.test(l))).toBe(true);
  });

  it('validates the analytics sections with the domain schemas, naming the key', () => {
    const p = file('analytics.yaml', 'churn:\n  bands: { amber: 80, red: 70 }\nquota:\n  fiscalYearStartMonth: 13\n');
    const lines = problems({ ACCOUNTPULSE_CONFIG: p });
    expect(lines).toContain(`${p}: churn.bands: bands.amber must not exceed bands.red`);
    expect(lines.some((l) => l.startsWith(`${p}: quota.fiscalYearStartMonth:`))).toBe(true);
  });

  it('rejects a misspelt churn signal instead of dropping it', () => {
    const p = file('signal.yaml', 'churn:\n  weights: { activityRecncy: 30 }\n');
    expect(problems({ ACCOUNTPULSE_CONFIG: p })).toEqual([`${p}: churn.weights: unknown key(s) activityRecncy (check the spelling against config/default.yaml)`]);
  });

  it('rejects unknown keys with their name', () => {
    const p = file('unknown.yaml', 'synk:\n  lookback: 5m\n');
    expect(problems({ ACCOUNTPULSE_CONFIG: p })).toEqual([`${p}: unknown key(s) synk (check the spelling against config/default.yaml)`]);
  });

  it('reports a missing file and a bad env var, one line each', () => {
    const lines = problems({ ACCOUNTPULSE_CONFIG: join(dir, 'missing.yaml'), PORT: 'eighty', REDIS_URL: 'localhost:6379' });
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^environment variable PORT: /);
    expect(lines[1]).toMatch(/^environment variable REDIS_URL: REDIS_URL must look like redis:\/\//);
    expect(lines[2]).toMatch(/missing\.yaml: cannot read the file \(ENOENT\)/);
  });

  it('rejects an override of a key that does not exist', () => {
    expect(problems({ ACCOUNTPULSE__SYNC__LOOKBAK: '5m' })[0]).toMatch(/^ACCOUNTPULSE__SYNC__LOOKBAK: no configuration key sync\.LOOKBAK/);
  });

  it('collects secrets (and the Redis password) for redaction', () => {
    const { secrets } = loadConfig({ environ: { API_TOKEN: 'tok-123456', HUBSPOT_ACCESS_TOKEN: 'pat-na1-secret', REDIS_URL: 'redis://u:p%40ssw0rd@h:6379' } });
    expect(secrets).toEqual(expect.arrayContaining(['tok-123456', 'pat-na1-secret', 'p@ssw0rd']));
  });
});

describe('check-config', () => {
  it('masks every secret and shows the Redis URL without credentials', () => {
    const { env } = loadConfig({ environ: { API_TOKEN: 'tok-123456', REDIS_URL: 'redis://u:hunter22@redis:6379/2' } });
    const masked = maskedEnv(env);
    expect(masked.API_TOKEN).toBe('******** (set)');
    expect(masked.REDIS_URL).toBe('redis://redis:6379/2');
    expect(JSON.stringify(masked)).not.toContain('hunter22');
    expect(JSON.stringify(masked)).not.toContain('tok-123456');
  });

  it('exits 2 with one line per problem and prints nothing to stdout', () => {
    const prev = process.env.ACCOUNTPULSE_CONFIG;
    process.env.ACCOUNTPULSE_CONFIG = file('cc.yaml', 'queues:\n  concurrency: { sync: 0 }\n');
    const out: string[] = [];
    const err: string[] = [];
    try {
      expect(runCheckConfig((s) => out.push(s), (s) => err.push(s))).toBe(2);
    } finally {
      if (prev === undefined) delete process.env.ACCOUNTPULSE_CONFIG;
      else process.env.ACCOUNTPULSE_CONFIG = prev;
    }
    expect(out).toEqual([]);
    expect(err[0]).toBe('configuration is invalid (1 problem); nothing was started:\n');
    expect(err[1]).toMatch(/cc\.yaml: queues\.concurrency\.sync: /);
  });
});

describe('durationMs', () => {
  it('converts every unit', () => {
    expect([durationMs('500ms'), durationMs('30s'), durationMs('5m'), durationMs('2h'), durationMs('1d')]).toEqual([500, 30_000, 300_000, 7_200_000, 86_400_000]);
  });
});
