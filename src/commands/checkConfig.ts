/**
 * `accountpulse check-config`: loads and validates everything, then prints the effective
 * configuration with every secret masked. Exit 0 when valid; 2 with one line per problem otherwise.
 */
import { stringify } from 'yaml';
import { loadConfig, ConfigError, type LoadedConfig } from '../config/load.js';
import { secretEnvNames, redisUrlForDisplay, SANDBOX_HUBSPOT_URL, SANDBOX_SALESFORCE_URL, type Env } from '../config/env.js';

export function maskedEnv(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) continue;
    if ((secretEnvNames as readonly string[]).includes(k)) out[k] = '******** (set)';
    else if (k === 'REDIS_URL') out[k] = redisUrlForDisplay(String(v));
    else out[k] = String(v);
  }
  for (const k of secretEnvNames) out[k] ??= '(not set)';
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

export function describeConnections(env: Env): string[] {
  const lines: string[] = [];
  if (env.HUBSPOT_ENABLED) {
    const sandbox = env.HUBSPOT_BASE_URL === SANDBOX_HUBSPOT_URL && !env.HUBSPOT_ACCESS_TOKEN;
    lines.push(`HubSpot     ${env.HUBSPOT_BASE_URL}${sandbox ? '  (built-in sandbox default: start it with `accountpulse sandbox`)' : env.HUBSPOT_ACCESS_TOKEN ? '  (private-app/OAuth token set)' : '  (no HUBSPOT_ACCESS_TOKEN: set one for a real portal)'}`);
  } else lines.push('HubSpot     disabled (HUBSPOT_ENABLED=false)');
  if (env.SALESFORCE_ENABLED) {
    const auth = env.SALESFORCE_ACCESS_TOKEN
      ? 'access token'
      : env.SALESFORCE_PRIVATE_KEY && env.SALESFORCE_USERNAME && env.SALESFORCE_CLIENT_ID
        ? 'JWT bearer'
        : env.SALESFORCE_CLIENT_ID && env.SALESFORCE_CLIENT_SECRET
          ? 'client credentials'
          : null;
    const sandbox = env.SALESFORCE_INSTANCE_URL === SANDBOX_SALESFORCE_URL && !auth;
    lines.push(`Salesforce  ${env.SALESFORCE_INSTANCE_URL}${sandbox ? '  (built-in sandbox default: start it with `accountpulse sandbox`)' : auth ? `  (${auth})` : '  (no credentials: set SALESFORCE_ACCESS_TOKEN or a connected app)'}`);
  } else lines.push('Salesforce  disabled (SALESFORCE_ENABLED=false)');
  return lines;
}

export function renderEffectiveConfig(loaded: LoadedConfig): string {
  return [
    `# files read: ${loaded.files.length ? loaded.files.join(', ') : '(none: built-in defaults)'}`,
    '# connections:',
    ...describeConnections(loaded.env).map((l) => `#   ${l}`),
    stringify({ environment: maskedEnv(loaded.env), configuration: loaded.config }, { lineWidth: 120 }),
  ].join('\n');
}

export function runCheckConfig(out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s)): number {
  try {
    const loaded = loadConfig();
    out(`${renderEffectiveConfig(loaded)}\nconfiguration is valid\n`);
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      err(`configuration is invalid (${e.problems.length} problem${e.problems.length === 1 ? '' : 's'}); nothing was started:\n`);
      for (const p of e.problems) err(`${p}\n`);
      return 2;
    }
    throw e;
  }
}
