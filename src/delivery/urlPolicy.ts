/**
 * Where alerts may be sent: http(s) only, and, unless configured otherwise, never to loopback,
 * link-local or private addresses (a webhook URL must not become a way into the internal network).
 * Host names are resolved and every address checked.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export class UrlNotAllowed extends Error {}

export function isPrivateAddress(ip: string): boolean {
  if (isIP(ip) === 4) {
    const [a = 0, b = 0] = ip.split('.').map(Number);
    return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  const v = ip.toLowerCase();
  if (v === '::1' || v === '::') return true;
  if (v.startsWith('::ffff:')) return isPrivateAddress(v.slice(7));
  return v.startsWith('fc') || v.startsWith('fd') || v.startsWith('fe80');
}

export async function checkAlertUrl(raw: string, options: { allowPrivate: boolean; resolve?: (host: string) => Promise<string[]> }): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UrlNotAllowed(`alert URL is not a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UrlNotAllowed(`alert URL must be http(s), got ${url.protocol}`);
  if (options.allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) throw new UrlNotAllowed(`alert URL host ${host} is loopback; set alerts.allowPrivateUrls to allow it`);
  const resolve = options.resolve ?? (async (h: string) => (await lookup(h, { all: true })).map((a) => a.address));
  const addresses = isIP(host) ? [host] : await resolve(host);
  const bad = addresses.find(isPrivateAddress);
  if (bad) throw new UrlNotAllowed(`alert URL host ${host} resolves to private address ${bad}; set alerts.allowPrivateUrls to allow it`);
  return url;
}
