/**
 * Arbitrary configuration to `loadConfig`: YAML documents (valid or not, of any shape, and mutations
 * of the default file's own keys), and ACCOUNTPULSE__* / connection environment variables with any
 * values. The answer is always a valid configuration or a ConfigError naming what is wrong; never
 * another exception.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { ConfigSchema } from '../../src/config/schema.js';

const dir = mkdtempSync(join(tmpdir(), 'accountpulse-config-prop-'));
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
process.on('unhandledRejection', onUnhandled);
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  rmSync(dir, { recursive: true, force: true });
  expect(unhandled).toEqual([]);
});

const defaults = loadConfig({ environ: {} }).config as unknown as Record<string, unknown>;
const sections = Object.keys(defaults);
/** dotted paths of every leaf of the default configuration */
function leaves(value: unknown, prefix: string[] = []): string[][] {
  if (value && typeof value === 'object' && !Array.isArray(value)) return Object.entries(value).flatMap(([k, v]) => leaves(v, [...prefix, k]));
  return [prefix];
}
const leafPaths = leaves(defaults);

function setPath(target: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(target);
  let at = copy;
  for (const k of path.slice(0, -1)) {
    if (!at[k] || typeof at[k] !== 'object') at[k] = {};
    at = at[k] as Record<string, unknown>;
  }
  at[path[path.length - 1] as string] = value;
  return copy;
}

let n = 0;
function load(environ: Record<string, string>, yamlText: string | null): 'valid' | 'config-error' {
  const env = { ...environ };
  if (yamlText !== null) {
    const file = join(dir, `c${++n}.yaml`);
    writeFileSync(file, yamlText);
    env.ACCOUNTPULSE_CONFIG = file;
  }
  try {
    const loaded = loadConfig({ environ: env });
    expect(ConfigSchema.safeParse(loaded.config).success).toBe(true);
    return 'valid';
  } catch (err) {
    if (!(err instanceof ConfigError)) throw new Error(`loadConfig threw ${(err as Error)?.name}: ${(err as Error)?.message} for ${JSON.stringify({ environ, yamlText })}`);
    expect(err.message.length).toBeGreaterThan(10);
    return 'config-error';
  }
}

const scalar = fc.oneof(fc.jsonValue(), fc.constantFrom('1s', '5m', '-1', '1e999', 'yes', 'off', '~', '0x10', '.inf', '2026-13-45'));

describe('loadConfig on arbitrary input', () => {
  it('a YAML document of any shape: a valid config or a ConfigError', () => {
    const outcomes = new Set<string>();
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.jsonValue().map((v) => stringify(v)), fc.dictionary(fc.constantFrom(...sections, 'nope'), fc.jsonValue()).map((v) => stringify(v))), (text) => {
        outcomes.add(load({}, text));
      }),
      { numRuns: 80 },
    );
    expect(outcomes).toEqual(new Set(['valid', 'config-error']));
  });

  it('the default configuration with one of its own keys set to anything: a valid config or a ConfigError', () => {
    const outcomes = new Set<string>();
    fc.assert(
      fc.property(fc.constantFrom(...leafPaths), scalar, (path, value) => {
        outcomes.add(load({}, stringify(setPath(defaults, path, value))));
      }),
      { numRuns: 100 },
    );
    expect(outcomes).toEqual(new Set(['valid', 'config-error']));
  });

  it('ACCOUNTPULSE__* overrides and connection variables with any values: a valid config or a ConfigError', () => {
    const outcomes = new Set<string>();
    const overrideName = fc.oneof(fc.constantFrom(...leafPaths).map((p) => `ACCOUNTPULSE__${p.map((k) => k.toUpperCase()).join('__')}`), fc.string({ maxLength: 20 }).map((s) => `ACCOUNTPULSE__${s}`));
    const connection = fc.constantFrom('REDIS_URL', 'PORT', 'LOG_LEVEL', 'ACCOUNTPULSE_PREFIX', 'HUBSPOT_ENABLED', 'HUBSPOT_BASE_URL', 'SALESFORCE_INSTANCE_URL', 'SALESFORCE_API_VERSION', 'API_TOKEN');
    fc.assert(
      fc.property(fc.dictionary(fc.oneof(overrideName, connection), fc.oneof(fc.string({ maxLength: 30 }), scalar.map((v) => JSON.stringify(v) ?? '')), { maxKeys: 4 }), (environ) => {
        outcomes.add(load(environ, null));
      }),
      { numRuns: 100 },
    );
    expect(outcomes).toEqual(new Set(['valid', 'config-error']));
  });
});
