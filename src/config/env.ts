/**
 * Environment variables (12-factor): connections and secrets. Everything has a default that points
 * at the built-in sandbox, so `accountpulse check-config` and the demo work with no configuration.
 */
import { z } from 'zod';

/** Tokens the sandbox accepts (the sandbox servers' defaults); used only when no real credentials are configured. */
export const SANDBOX_HUBSPOT_TOKEN = 'pat-sandbox-00000000-0000-4000-8000-000000000001';
export const SANDBOX_SALESFORCE_TOKEN = '00D5g0000000001EAA!sandbox.session.AccountPulse';
export const SANDBOX_HUBSPOT_URL = 'http://127.0.0.1:4010';
export const SANDBOX_SALESFORCE_URL = 'http://127.0.0.1:4020';

const url = (name: string) =>
  z
    .string()
    .refine((v) => /^https?:\/\/[^\s]+$/.test(v), { message: `${name} must be an http(s) URL, e.g. https://example.com` });

const optionalSecret = z.string().min(1).optional();

export const EnvSchema = z.object({
  NODE_ENV: z.string().default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  /** Redis: queues and the normalized snapshot. */
  REDIS_URL: z
    .string()
    .refine((v) => /^rediss?:\/\//.test(v), { message: 'REDIS_URL must look like redis://[user:password@]host:port[/db]' })
    .optional(),
  /** Key and queue prefix: several AccountPulse installations can share one Redis. */
  ACCOUNTPULSE_PREFIX: z.string().regex(/^[a-z0-9_-]{1,32}$/i, 'letters, digits, - and _ only (1-32)').default('ap'),
  ACCOUNTPULSE_CONFIG: z.string().optional(),

  HUBSPOT_ENABLED: z.stringbool().default(true),
  HUBSPOT_BASE_URL: url('HUBSPOT_BASE_URL').default(SANDBOX_HUBSPOT_URL),
  HUBSPOT_ACCESS_TOKEN: optionalSecret,
  /** App client secret: verifies inbound webhook signatures (v3) and OAuth refresh. */
  HUBSPOT_CLIENT_SECRET: optionalSecret,
  HUBSPOT_CLIENT_ID: z.string().optional(),
  HUBSPOT_REFRESH_TOKEN: optionalSecret,

  SALESFORCE_ENABLED: z.stringbool().default(true),
  SALESFORCE_INSTANCE_URL: url('SALESFORCE_INSTANCE_URL').default(SANDBOX_SALESFORCE_URL),
  SALESFORCE_LOGIN_URL: url('SALESFORCE_LOGIN_URL').optional(),
  SALESFORCE_API_VERSION: z.string().regex(/^\d{2}\.0$/, 'SALESFORCE_API_VERSION must look like 62.0').default('62.0'),
  SALESFORCE_ACCESS_TOKEN: optionalSecret,
  SALESFORCE_CLIENT_ID: z.string().optional(),
  SALESFORCE_CLIENT_SECRET: optionalSecret,
  /** JWT bearer flow: the integration user's username and the connected app's private key (PEM). */
  SALESFORCE_USERNAME: z.string().optional(),
  SALESFORCE_PRIVATE_KEY: optionalSecret,
  /** Shared secret for inbound change notices (outbound message / Flow HTTP callout, HMAC). */
  SALESFORCE_WEBHOOK_SECRET: optionalSecret,

  /** The public base URL of this service as CRMs call it (HubSpot signs the full URL; needed behind a proxy). */
  PUBLIC_URL: url('PUBLIC_URL').optional(),
  /** Bearer token for the JSON API and the admin endpoints. */
  API_TOKEN: optionalSecret,
  /** HMAC key for outbound alert webhooks. */
  ALERT_SIGNING_SECRET: optionalSecret,
});
export type Env = z.infer<typeof EnvSchema>;

/** Names of the variables that hold secrets: masked in check-config, redacted from every log line. */
export const secretEnvNames = [
  'HUBSPOT_ACCESS_TOKEN',
  'HUBSPOT_CLIENT_SECRET',
  'HUBSPOT_REFRESH_TOKEN',
  'SALESFORCE_ACCESS_TOKEN',
  'SALESFORCE_CLIENT_SECRET',
  'SALESFORCE_PRIVATE_KEY',
  'SALESFORCE_WEBHOOK_SECRET',
  'API_TOKEN',
  'ALERT_SIGNING_SECRET',
] as const;

/** The password part of a Redis URL, if any: also a secret. */
export function redisUrlSecret(urlString: string | undefined): string | null {
  if (!urlString) return null;
  try {
    const u = new URL(urlString);
    return u.password ? decodeURIComponent(u.password) : null;
  } catch {
    return null;
  }
}

/** The Redis URL without credentials, for messages. */
export function redisUrlForDisplay(urlString: string): string {
  try {
    const u = new URL(urlString);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(unparseable REDIS_URL)';
  }
}
