/**
 * Loads and validates the whole configuration at start: config/default.yaml, then the YAML file
 * ACCOUNTPULSE_CONFIG names, then ACCOUNTPULSE__SECTION__KEY=value environment overrides, then
 * the environment variables of env.ts. Any problem is reported as one line per problem naming the
 * file or variable, the key, what is wrong and the expected form; nothing starts (exit code 2).
 */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { ConfigSchema, type Config } from './schema.js';
import { EnvSchema, type Env, secretEnvNames, redisUrlSecret } from './env.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadedConfig {
  env: Env;
  config: Config;
  /** files read, in order */
  files: string[];
  /** values of every configured secret, for log redaction */
  secrets: string[];
}

export const DEFAULT_CONFIG_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'config', 'default.yaml');

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Objects merge key by key; arrays and scalars replace. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlain(base) || !isPlain(over)) return over === undefined ? base : over;
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

function readYamlFile(file: string, problems: string[]): Plain {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push(`${file}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)}); check the path in ACCOUNTPULSE_CONFIG`);
    return {};
  }
  try {
    const doc = parseYaml(text) as unknown;
    if (doc === null || doc === undefined) return {};
    if (!isPlain(doc)) {
      problems.push(`${file}: the top level must be a mapping of sections (sync:, churn:, ...), found ${Array.isArray(doc) ? 'a list' : typeof doc}`);
      return {};
    }
    return doc;
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const pos = err.linePos?.[0];
      problems.push(`${file}${pos ? `:${pos.line}:${pos.col}` : ''}: malformed YAML: ${err.message.split('\n')[0]}`);
    } else problems.push(`${file}: malformed YAML: ${String(err)}`);
    return {};
  }
}

/** ACCOUNTPULSE__CHURN__BANDS__RED=75 → { churn: { bands: { red: 75 } } }, keys matched case-insensitively. */
function envOverrides(environ: NodeJS.ProcessEnv, shape: Plain, problems: string[]): Plain {
  const out: Plain = {};
  for (const [name, raw] of Object.entries(environ)) {
    if (!name.startsWith('ACCOUNTPULSE__') || raw === undefined) continue;
    const parts = name.slice('ACCOUNTPULSE__'.length).split('__').filter(Boolean);
    if (parts.length === 0) continue;
    let node: unknown = shape;
    const path: string[] = [];
    let ok = true;
    for (const part of parts) {
      const key = isPlain(node) ? Object.keys(node).find((k) => k.toLowerCase() === part.toLowerCase()) : undefined;
      if (key === undefined && isPlain(node) && path.length >= 1 && Object.keys(node).length === 0) {
        path.push(part); // open maps (e.g. currency rates) take new keys
        node = undefined;
        continue;
      }
      if (key === undefined) {
        problems.push(`${name}: no configuration key ${[...path, part].join('.')} (known keys here: ${isPlain(node) ? Object.keys(node).join(', ') : 'none'})`);
        ok = false;
        break;
      }
      path.push(key);
      node = (node as Plain)[key];
    }
    if (!ok) continue;
    let value: unknown;
    try {
      value = parseYaml(raw);
    } catch {
      value = raw;
    }
    let target = out;
    path.slice(0, -1).forEach((k) => {
      target = (target[k] ??= {}) as Plain;
    });
    target[path[path.length - 1] as string] = value;
  }
  return out;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.') || '(top level)';
  if (issue.code === 'unrecognized_keys') return `${path === '(top level)' ? '' : `${path}: `}unknown key(s) ${issue.keys.join(', ')} (check the spelling against config/default.yaml)`;
  return `${path}: ${issue.message}`;
}

export interface LoadOptions {
  environ?: NodeJS.ProcessEnv;
  defaultFile?: string;
}

export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const environ = options.environ ?? process.env;
  const problems: string[] = [];
  const files: string[] = [];

  const envParsed = EnvSchema.safeParse(environ);
  if (!envParsed.success) {
    for (const issue of envParsed.error.issues) problems.push(`environment variable ${issue.path.join('.')}: ${issue.message}`);
  }

  const defaultFile = options.defaultFile ?? DEFAULT_CONFIG_FILE;
  let merged: unknown = {};
  if (existsSync(defaultFile)) {
    merged = readYamlFile(defaultFile, problems);
    files.push(defaultFile);
  }
  const userFile = environ.ACCOUNTPULSE_CONFIG;
  let userDoc: Plain = {};
  if (userFile) {
    const path = resolve(userFile);
    userDoc = readYamlFile(path, problems);
    files.push(path);
    const parsedUser = ConfigSchema.safeParse(deepMerge(merged, userDoc));
    if (!parsedUser.success) {
      for (const issue of parsedUser.error.issues) problems.push(`${path}: ${describeIssue(issue)}`);
    }
  }
  merged = deepMerge(merged, userDoc);
  const defaults = ConfigSchema.safeParse(merged);
  const shape = (defaults.success ? defaults.data : merged) as Plain;
  merged = deepMerge(merged, envOverrides(environ, shape, problems));

  const parsed = ConfigSchema.safeParse(merged);
  if (!parsed.success && problems.length === 0) {
    for (const issue of parsed.error.issues) problems.push(`${files.at(-1) ?? 'configuration'} (after ACCOUNTPULSE__* overrides): ${describeIssue(issue)}`);
  }
  if (problems.length > 0 || !parsed.success || !envParsed.success) throw new ConfigError([...new Set(problems)]);

  const env = envParsed.data;
  const secrets = secretEnvNames.map((n) => env[n]).filter((v): v is string => typeof v === 'string' && v.length >= 4);
  const redisSecret = redisUrlSecret(env.REDIS_URL);
  if (redisSecret) secrets.push(redisSecret);
  return { env, config: parsed.data, files, secrets };
}
