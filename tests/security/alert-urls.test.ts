/**
 * Where alerts may go: http(s) only; loopback, private, link-local (cloud metadata), CGNAT,
 * multicast and unspecified addresses are refused unless `alerts.allowPrivateUrls`, whether written
 * as literals (in any notation the URL parser accepts) or reached through a name that resolves to
 * one; and a refused route is never called (the delivery fails permanently, nothing is fetched).
 */
import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { deliverAlert, DeliveryFailed } from '../../src/delivery/deliver.js';
import { checkAlertUrl, UrlNotAllowed } from '../../src/delivery/urlPolicy.js';
import { Store } from '../../src/store/index.js';
import { alert } from '../http/fixture.js';

const publicResolver = async () => ['93.184.216.34'];

async function verdict(url: string, allowPrivate = false, resolve: (host: string) => Promise<string[]> = publicResolver): Promise<string> {
  try {
    return `allowed ${(await checkAlertUrl(url, { allowPrivate, resolve })).href}`;
  } catch (err) {
    if (err instanceof UrlNotAllowed) return 'refused';
    throw err;
  }
}

describe('alert webhook URL policy', () => {
  it('allows http and https to public addresses', async () => {
    expect(await verdict('https://hooks.example.com/alerts')).toBe('allowed https://hooks.example.com/alerts');
    expect(await verdict('http://93.184.216.34:8080/x')).toBe('allowed http://93.184.216.34:8080/x');
    expect(await verdict('https://[2606:4700::1111]/x')).toBe('allowed https://[2606:4700::1111]/x');
  });

  it.each(['ftp://hooks.example.com/a', 'file:///etc/passwd', 'javascript:alert(1)', 'gopher://hooks.example.com/', 'ws://hooks.example.com/', 'data:text/plain,hi', 'not a url', ''])(
    'refuses %j (not http(s)), even with allowPrivateUrls',
    async (url) => {
      expect(await verdict(url)).toBe('refused');
      expect(await verdict(url, true)).toBe('refused');
    },
  );

  it.each([
    'http://127.0.0.1/', 'http://127.1.2.3:9000/', 'http://localhost:8080/', 'http://api.localhost/', 'http://[::1]/', 'http://[0:0:0:0:0:0:0:1]/', 'http://[::]/', 'http://0.0.0.0/',
    'http://10.1.2.3/', 'http://172.16.0.1/', 'http://172.31.255.255/', 'http://192.168.1.1/', 'http://169.254.169.254/latest/meta-data/', 'http://100.64.0.1/',
    'http://224.0.0.1/', 'http://[fd00::1]/', 'http://[fc00::1]/', 'http://[fe80::1]/',
    // other notations the URL parser turns into 127.0.0.1
    'http://2130706433/', 'http://0x7f.1/', 'http://127.1/', 'http://017700000001/',
  ])('refuses %s unless allowPrivateUrls', async (url) => {
    expect(await verdict(url)).toBe('refused');
    expect((await verdict(url, true)).startsWith('allowed ')).toBe(true);
  });

  it('refuses a name that resolves to a private address, or to several of which one is private', async () => {
    expect(await verdict('https://internal.example.com/', false, async () => ['10.0.0.5'])).toBe('refused');
    expect(await verdict('https://mixed.example.com/', false, async () => ['93.184.216.34', '192.168.0.10'])).toBe('refused');
    expect(await verdict('https://v6.example.com/', false, async () => ['::1'])).toBe('refused');
    expect(await verdict('https://mixed.example.com/', true, async () => ['192.168.0.10'])).toBe('allowed https://mixed.example.com/');
  });

  // The URL parser writes these as [::ffff:7f00:1] (hex); they must be recognised as the IPv4 inside (finding 1).
  it.each(['http://[::ffff:127.0.0.1]/', 'http://[::ffff:10.0.0.1]/', 'http://[::ffff:169.254.169.254]/'])('refuses the IPv4-mapped IPv6 literal %s', async (url) => {
    expect(await verdict(url)).toBe('refused');
  });

  it('a refused route fails permanently and is never fetched; the delivery log says why', async () => {
    const redis = new Redis(process.env.REDIS_URL as string, { maxRetriesPerRequest: 1 });
    const store = new Store(redis, { prefix: `sec-url-${process.pid}` });
    const fetched: string[] = [];
    try {
      const fakeFetch = (async (url: string | URL) => {
        fetched.push(String(url));
        return new Response('ok');
      }) as typeof fetch;
      const options = { log: store.deliveries, signingSecret: 's3cret-signing', timeoutMs: 1000, allowPrivateUrls: false, link: () => null, fetch: fakeFetch };
      const a = alert('churn_band_rose|account:salesforce:001A|band:red', 'Acme turned red', 'open');
      const error = await deliverAlert(a, { name: 'internal', type: 'webhook', url: 'http://169.254.169.254/latest/meta-data/', }, options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeliveryFailed);
      expect((error as DeliveryFailed).retryable).toBe(false);
      expect((error as DeliveryFailed).message).toBe('route internal: alert URL host 169.254.169.254 resolves to private address 169.254.169.254; set alerts.allowPrivateUrls to allow it');
      const slack = await deliverAlert(a, { name: 'slack', type: 'slack', url: 'file:///etc/passwd' }, options).catch((e: unknown) => e);
      expect((slack as DeliveryFailed).message).toBe('route slack: alert URL must be http(s), got file:');
      expect(fetched).toEqual([]);
      // the same route with the setting on is called
      await deliverAlert(a, { name: 'internal-allowed', type: 'webhook', url: 'http://169.254.169.254/hook' }, { ...options, allowPrivateUrls: true });
      expect(fetched).toEqual(['http://169.254.169.254/hook']);
    } finally {
      await store.wipe();
      await store.close();
      redis.disconnect();
    }
  });
});
