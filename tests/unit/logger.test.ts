import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, scrubSecrets } from '../../src/logger.js';
import { loadConfig } from '../../src/config/load.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { lines, destination };
}

describe('logger', () => {
  it('never writes a configured secret, wherever it appears', () => {
    const { secrets } = loadConfig({
      environ: { HUBSPOT_ACCESS_TOKEN: 'pat-na1-11111111-2222-3333', API_TOKEN: 'api-token-abcdef', REDIS_URL: 'redis://default:r3dis-pass@cache:6379' },
    });
    const { lines, destination } = capture();
    const log = createLogger({ secrets, destination });
    log.info({ headers: { authorization: 'Bearer pat-na1-11111111-2222-3333' } }, 'calling HubSpot');
    log.warn(`request failed for token pat-na1-11111111-2222-3333 and ${encodeURIComponent('api-token-abcdef')}`);
    log.error({ err: new Error('auth failed with api-token-abcdef'), url: 'redis://default:r3dis-pass@cache:6379' }, 'oops');
    log.info({ nested: { deeper: { accessToken: 'not-configured-but-a-token-key' } } }, 'nested');
    const out = lines.join('');
    expect(lines).toHaveLength(4);
    for (const secret of ['pat-na1-11111111-2222-3333', 'api-token-abcdef', 'r3dis-pass', 'not-configured-but-a-token-key']) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('[REDACTED]');
    expect(JSON.parse(lines[0] as string).msg).toBe('calling HubSpot');
    expect(JSON.parse(lines[1] as string).msg).toBe('request failed for token [REDACTED] and [REDACTED]');
  });

  it('scrubSecrets replaces raw, URL-encoded and JSON-escaped forms', () => {
    expect(scrubSecrets('a s3cr"et/x b s3cr%22et%2Fx c s3cr\\"et/x', ['s3cr"et/x'])).toBe('a [REDACTED] b [REDACTED] c [REDACTED]');
  });
});
