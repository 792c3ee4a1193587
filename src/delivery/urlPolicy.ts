/**
 * Where alerts may be sent: http(s) only, and, unless configured otherwise, never to loopback,
 * link-local or private addresses (a webhook URL must not become a way into the internal network).
 * Host names are resolved and every address checked.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export class UrlNotAllowed extends Error {}

/** The 8 16-bit groups of an IPv6 address (handles `::` and a dotted IPv4 tail), or null. */
function ipv6Groups(ip: string): number[] | null {
  let v = ip.toLowerCase().split('%')[0] ?? '';
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(v);
  if (dotted) {
    const parts = (dotted[1] as string).split('.').map(Number);
    v = `${v.slice(0, -(dotted[1] as string).length)}${((parts[0]! << 8) | parts[1]!).toString(16)}:${((parts[2]! << 8) | parts[3]!).toString(16)}`;
  }
  const [head = '', tail] = v.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail ? tail.split(':') : [];
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  const groups = [...h, ...Array(Math.max(0, fill)).fill('0'), ...t].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

export function isPrivateAddress(ip: string): boolean {
  if (isIP(ip) === 4) {
    const [a = 0, b = 0] = ip.split('.').map(Number);
    return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  const g = ipv6Groups(ip);
  if (!g) return true; // unparseable: refuse
  const embedded = () => `${g[6]! >> 8}.${g[6]! & 0xff}.${g[7]! >> 8}.${g[7]! & 0xff}`;
  const zeros = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeros(8) || (zeros(7) && g[7] === 1)) return true; // :: and ::1
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) carry an IPv4 address.
  if ((zeros(5) && g[5] === 0xffff) || zeros(6) || (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0))) return isPrivateAddress(embedded());
  const first = g[0]!;
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xff00) === 0xff00;
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
