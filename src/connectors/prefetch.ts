/**
 * One page ahead: a runner starts fetching page n+1 as soon as page n's answer names its cursor,
 * then stores page n while the call is in flight. Only one page ahead (memory stays bounded by
 * two pages; the shared budget still paces every call). A prefetch whose run stopped (abort,
 * budget, a failed store) is never awaited: its rejection is handled here, not left unhandled.
 */
export function fetchAhead<T>(fetch: () => Promise<T>): Promise<T> {
  const pending = fetch();
  pending.catch(() => {});
  return pending;
}
