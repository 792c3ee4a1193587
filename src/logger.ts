/**
 * pino JSON logs with secrets removed twice over: known secret-bearing keys are redacted by path
 * wherever they appear, and the values of every configured secret (tokens, client secrets, the
 * Redis password) are replaced in the final line, so a secret that slips into a message or an
 * error text is still never written.
 */
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

const secretKeys = [
  'authorization',
  'Authorization',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'token',
  'apiToken',
  'clientSecret',
  'client_secret',
  'password',
  'secret',
  'privateKey',
  'assertion',
  'signature',
];

export const redactPaths = [
  ...secretKeys,
  ...secretKeys.map((k) => `*.${k}`),
  ...secretKeys.map((k) => `*.*.${k}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hubspot-signature"]',
  'req.headers["x-hubspot-signature-v3"]',
  'req.headers["x-accountpulse-signature"]',
  'res.headers["set-cookie"]',
  'headers.Authorization',
  'headers.authorization',
];

export const REDACTED = '[REDACTED]';

/** Replaces every occurrence of each secret (and its URL-encoded form) in a string. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < 4) continue;
    for (const form of new Set([s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)])) {
      if (out.includes(form)) out = out.split(form).join(REDACTED);
    }
  }
  return out;
}

export interface LoggerOptions {
  level?: string;
  secrets?: readonly string[];
  /** where lines go (tests capture them); stdout by default */
  destination?: DestinationStream;
  name?: string;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets = [...(options.secrets ?? [])].sort((a, b) => b.length - a.length);
  return pino(
    {
      name: options.name ?? 'accountpulse',
      level: options.level ?? 'info',
      redact: { paths: redactPaths, censor: REDACTED },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      hooks: secrets.length ? { streamWrite: (line: string) => scrubSecrets(line, secrets) } : {},
    },
    options.destination ?? pino.destination({ fd: 1, sync: false }),
  );
}
