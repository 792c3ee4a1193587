/**
 * Account unification: a company present in both CRMs (same normalized website domain, or the same
 * value in a configured mapping field) is one account for scoring, and its results are written
 * back to every CRM that holds it. Pure and deterministic.
 */
import type { Account } from './model.js';

export interface UnifiedAccount {
  /** the unified id: the id of the first member in (source, externalId) order */
  id: string;
  name: string;
  /** the member records, one per CRM record (usually one, two for a company in both CRMs) */
  members: Account[];
  /** how the members were matched: 'single' | 'domain' | `field:${name}` */
  matchedBy: string;
}

/** Lower-cased host without scheme, path, port or leading www.; null when it is not a domain. */
export function normalizeDomain(value: string | null | undefined): string | null {
  if (!value) return null;
  let v = value.trim().toLowerCase();
  if (!v) return null;
  v = v.replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  v = v.split(/[/?#]/)[0] ?? '';
  v = v.replace(/:\d+$/, '').replace(/^www\d*\./, '').replace(/\.$/, '');
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(v)) return null;
  return v;
}

function memberOrder(a: Account, b: Account): number {
  return a.source.localeCompare(b.source) || a.externalId.localeCompare(b.externalId);
}

/**
 * Groups accounts. Two records unify when they come from different CRMs and share a domain (or the
 * mapping field value). Records of the same CRM are never merged with each other: two HubSpot
 * companies with one domain are the CRM's own duplicates, which is the CRM's to fix.
 */
export function unifyAccounts(accounts: readonly Account[], options: { mappingField?: string | null } = {}): UnifiedAccount[] {
  const keyOf = (a: Account): { key: string; by: string } | null => {
    if (options.mappingField) {
      const v = a.fields[options.mappingField];
      if (v !== null && v !== undefined && String(v).trim() !== '') return { key: `f:${String(v).trim().toLowerCase()}`, by: `field:${options.mappingField}` };
    }
    const d = normalizeDomain(a.domain);
    return d ? { key: `d:${d}`, by: 'domain' } : null;
  };

  const groups = new Map<string, { by: string; bySource: Map<string, Account[]> }>();
  const singles: Account[] = [];
  for (const a of accounts) {
    const k = keyOf(a);
    if (!k) {
      singles.push(a);
      continue;
    }
    const g = groups.get(k.key) ?? { by: k.by, bySource: new Map<string, Account[]>() };
    const list = g.bySource.get(a.source) ?? [];
    list.push(a);
    g.bySource.set(a.source, list);
    groups.set(k.key, g);
  }

  const out: UnifiedAccount[] = [];
  const single = (a: Account): UnifiedAccount => ({ id: a.id, name: a.name, members: [a], matchedBy: 'single' });
  for (const a of singles) out.push(single(a));
  for (const g of groups.values()) {
    const sources = [...g.bySource.keys()];
    // Unify only when each CRM holds exactly one record with that key; otherwise matching is ambiguous.
    if (sources.length > 1 && sources.every((s) => g.bySource.get(s)?.length === 1)) {
      const members = sources.map((s) => (g.bySource.get(s) as Account[])[0] as Account).sort(memberOrder);
      const first = members[0] as Account;
      out.push({ id: first.id, name: first.name, members, matchedBy: g.by });
    } else {
      for (const list of g.bySource.values()) for (const a of list) out.push(single(a));
    }
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

/** member id → unified id, for looking up which unified account a record's accountId belongs to. */
export function memberIndex(unified: readonly UnifiedAccount[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const u of unified) for (const a of u.members) m.set(a.id, u.id);
  return m;
}

/**
 * One person in both CRMs (a HubSpot owner and a Salesforce user with the same email) is one rep
 * for attainment: their deals and quotas count together. Returns the owners to use (one per person,
 * the first in (source, externalId) order, managers re-pointed at the kept records) and the map from
 * every owner id to the kept one.
 */
export function unifyOwners<O extends { id: string; source: string; externalId: string; email: string | null; managerId: string | null }>(owners: readonly O[]): { owners: O[]; canonical: Map<string, string> } {
  const byEmail = new Map<string, O[]>();
  const canonical = new Map<string, string>();
  for (const o of owners) {
    const email = o.email?.trim().toLowerCase();
    if (!email) {
      canonical.set(o.id, o.id);
      continue;
    }
    (byEmail.get(email) ?? byEmail.set(email, []).get(email))?.push(o);
  }
  for (const group of byEmail.values()) {
    group.sort((a, b) => a.source.localeCompare(b.source) || a.externalId.localeCompare(b.externalId));
    const keep = (group[0] as O).id;
    for (const o of group) canonical.set(o.id, keep);
  }
  const kept = owners.filter((o) => canonical.get(o.id) === o.id);
  const keptIds = new Set(kept.map((o) => o.id));
  return {
    owners: kept.map((o) => {
      // A manager recorded only on the other CRM's twin still counts.
      const twins = owners.filter((t) => canonical.get(t.id) === o.id);
      const managerId = twins.map((t) => (t.managerId ? (canonical.get(t.managerId) ?? t.managerId) : null)).find((m) => m && m !== o.id && keptIds.has(m)) ?? null;
      return { ...o, managerId };
    }),
    canonical,
  };
}
