/**
 * The CRM search engine: filter groups (OR of ANDed filters) with HubSpot's 13 operators, one sort,
 * free-text `query`, offset paging capped at 10,000 results. Values compare as dates (epoch ms or
 * ISO) for date properties, as numbers for number properties, else as case-insensitive strings.
 */
import { z } from 'zod';
import { validationError } from './errors.js';
import type { ObjectTypeDef } from './objectTypes.js';
import { toMillis, type HubSpotPortal } from './portal.js';
import type { HsRecord } from './records.js';

export const operators = [
  'EQ', 'NEQ', 'LT', 'LTE', 'GT', 'GTE', 'BETWEEN', 'IN', 'NOT_IN', 'HAS_PROPERTY', 'NOT_HAS_PROPERTY', 'CONTAINS_TOKEN', 'NOT_CONTAINS_TOKEN',
] as const;

const Scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);

export const FilterSchema = z.object({
  propertyName: z.string().min(1),
  operator: z.enum(operators),
  value: Scalar.optional(),
  highValue: Scalar.optional(),
  values: z.array(Scalar).optional(),
});
export type Filter = z.infer<typeof FilterSchema>;

const SortSchema = z.union([
  z.string().min(1),
  z.object({ propertyName: z.string().min(1), direction: z.enum(['ASCENDING', 'DESCENDING']).default('ASCENDING') }),
]);

export const SearchRequestSchema = z.object({
  filterGroups: z.array(z.object({ filters: z.array(FilterSchema) })).default([]),
  sorts: z.array(SortSchema).default([]),
  properties: z.array(z.string()).default([]),
  query: z.string().max(3000).optional(),
  limit: z.number().int().min(0).max(200).default(10),
  after: z.union([z.string(), z.number()]).optional(),
});
export type SearchRequest = z.infer<typeof SearchRequestSchema>;

export interface SearchLimits {
  maxGroups: number;
  maxFiltersPerGroup: number;
  maxFilters: number;
  /** results reachable by paging (HubSpot: 10,000) */
  maxResults: number;
}

export const defaultSearchLimits: SearchLimits = { maxGroups: 5, maxFiltersPerGroup: 6, maxFilters: 18, maxResults: 10_000 };

type Kind = 'date' | 'number' | 'string';

function kindOf(portal: HubSpotPortal, type: ObjectTypeDef, name: string): Kind {
  const t = portal.propertyDef(type, name)?.type;
  if (t === 'date' || t === 'datetime') return 'date';
  if (t === 'number') return 'number';
  return 'string';
}

function comparable(kind: Kind, v: string): number | string | null {
  if (kind === 'date') return toMillis(v);
  if (kind === 'number') {
    const n = Number(v);
    return v.trim() === '' || Number.isNaN(n) ? null : n;
  }
  return v.toLowerCase();
}

function compare(a: number | string, b: number | string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function tokens(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}@._-]+/u).filter(Boolean).flatMap((t) => [t, ...t.split(/[@._-]+/).filter(Boolean)]);
}

function tokenMatches(text: string, pattern: string): boolean {
  const p = pattern.toLowerCase();
  if (p.includes('*')) {
    const re = new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
    return tokens(text).some((t) => re.test(t));
  }
  return tokens(text).includes(p);
}

/** Compiles one filter to a predicate over a record (throws 400 for a filter HubSpot would reject). */
function compileFilter(portal: HubSpotPortal, type: ObjectTypeDef, f: Filter): (r: HsRecord) => boolean {
  const kind = kindOf(portal, type, f.propertyName);
  const get = (r: HsRecord) => portal.value(type, r, f.propertyName);
  const need = (v: string | undefined, what: string): string => {
    if (v === undefined) throw validationError(`Operator ${f.operator} on "${f.propertyName}" requires "${what}".`);
    return v;
  };
  const cmp = (r: HsRecord, target: number | string | null): number | null => {
    const raw = get(r);
    if (raw === undefined || target === null) return null;
    const v = comparable(kind, raw);
    return v === null ? null : compare(v, target);
  };
  switch (f.operator) {
    case 'HAS_PROPERTY': return (r) => (get(r) ?? '') !== '';
    case 'NOT_HAS_PROPERTY': return (r) => (get(r) ?? '') === '';
    case 'EQ': { const t = comparable(kind, need(f.value, 'value')); return (r) => cmp(r, t) === 0; }
    case 'NEQ': { const t = comparable(kind, need(f.value, 'value')); return (r) => cmp(r, t) !== 0; }
    case 'LT': { const t = comparable(kind, need(f.value, 'value')); return (r) => (cmp(r, t) ?? 0) < 0; }
    case 'LTE': { const t = comparable(kind, need(f.value, 'value')); return (r) => (cmp(r, t) ?? 1) <= 0; }
    case 'GT': { const t = comparable(kind, need(f.value, 'value')); return (r) => (cmp(r, t) ?? 0) > 0; }
    case 'GTE': { const t = comparable(kind, need(f.value, 'value')); return (r) => (cmp(r, t) ?? -1) >= 0; }
    case 'BETWEEN': {
      const lo = comparable(kind, need(f.value, 'value'));
      const hi = comparable(kind, need(f.highValue, 'highValue'));
      return (r) => { const a = cmp(r, lo); const b = cmp(r, hi); return a !== null && b !== null && a >= 0 && b <= 0; };
    }
    case 'IN':
    case 'NOT_IN': {
      if (!f.values || f.values.length === 0) throw validationError(`Operator ${f.operator} on "${f.propertyName}" requires a non-empty "values" array.`);
      const set = new Set(f.values.map((v) => String(comparable(kind, v))));
      const inSet = (r: HsRecord) => { const raw = get(r); return raw !== undefined && set.has(String(comparable(kind, raw))); };
      return f.operator === 'IN' ? inSet : (r) => !inSet(r);
    }
    case 'CONTAINS_TOKEN': { const t = need(f.value, 'value'); return (r) => tokenMatches(get(r) ?? '', t); }
    case 'NOT_CONTAINS_TOKEN': { const t = need(f.value, 'value'); return (r) => !tokenMatches(get(r) ?? '', t); }
  }
}

export interface SearchPage {
  total: number;
  records: HsRecord[];
  /** offset of the next page, when there is one */
  nextAfter: number | undefined;
}

/**
 * The last few matched-and-sorted result lists, so paging through one query (the incremental-sync
 * pattern: up to 50 pages of 200) filters and sorts once, not once per page. Entries are keyed by
 * the query and the portal's write and property versions; nothing is cached while writes are
 * still "being indexed".
 */
export class SearchCache {
  private readonly entries = new Map<string, HsRecord[]>();

  constructor(private readonly capacity = 4) {}

  get(key: string): HsRecord[] | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, value: HsRecord[]): void {
    this.entries.set(key, value);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}

/** Runs a search over a type's live records (as search sees them, index lag included). */
export function runSearch(portal: HubSpotPortal, type: ObjectTypeDef, req: SearchRequest, limits: SearchLimits, cache?: SearchCache): SearchPage {
  const groups = req.filterGroups;
  const filterCount = groups.reduce((n, g) => n + g.filters.length, 0);
  if (groups.length > limits.maxGroups) throw validationError(`Too many filter groups: ${groups.length} (maximum ${limits.maxGroups}).`);
  for (const g of groups) {
    if (g.filters.length > limits.maxFiltersPerGroup) throw validationError(`Too many filters in a filter group: ${g.filters.length} (maximum ${limits.maxFiltersPerGroup}).`);
  }
  if (filterCount > limits.maxFilters) throw validationError(`Too many filters: ${filterCount} (maximum ${limits.maxFilters} across all filter groups).`);

  const after = req.after === undefined || req.after === '' ? 0 : Number(req.after);
  if (!Number.isInteger(after) || after < 0) throw validationError(`Invalid 'after' value "${req.after}": search paging takes the numeric offset from paging.next.after.`);
  if (after >= limits.maxResults) {
    throw validationError(`Search results are limited to ${limits.maxResults} per query; after=${after} pages past that. Narrow the query (e.g. a later hs_lastmodifieddate window) instead of paging further.`);
  }

  const key = portal.indexing || !cache
    ? undefined
    : JSON.stringify([type.name, portal.version, portal.properties.version, groups, req.sorts[0] ?? null, req.query ?? null]);
  const cached = key === undefined ? undefined : cache!.get(key);
  const matched = cached ?? matchAndSort(portal, type, req);
  if (key !== undefined && !cached) cache!.set(key, matched);

  const records = matched.slice(after, after + req.limit);
  const next = after + records.length;
  return { total: matched.length, records, nextAfter: records.length > 0 && next < matched.length ? next : undefined };
}

function matchAndSort(portal: HubSpotPortal, type: ObjectTypeDef, req: SearchRequest): HsRecord[] {
  const compiled = req.filterGroups.map((g) => g.filters.map((f) => compileFilter(portal, type, f)));
  const text = req.query?.trim().toLowerCase();
  let matched: HsRecord[] = [];
  for (const stored of portal.store(type).all()) {
    const r = portal.searchView(type, stored);
    if (!r || r.archived) continue;
    if (compiled.length > 0 && !compiled.some((fs) => fs.every((p) => p(r)))) continue;
    if (text && !type.queryProperties.some((p) => (portal.value(type, r, p) ?? '').toLowerCase().includes(text))) continue;
    matched.push(r);
  }

  const sort = req.sorts[0];
  if (sort !== undefined) {
    const [name, descending] = typeof sort === 'string'
      ? [sort.replace(/^-/, ''), sort.startsWith('-')]
      : [sort.propertyName, sort.direction === 'DESCENDING'];
    const kind = kindOf(portal, type, name);
    const keyed = matched.map((r) => { const raw = portal.value(type, r, name); return { r, k: raw === undefined ? null : comparable(kind, raw) }; });
    keyed.sort((a, b) => {
      if (a.k === null || b.k === null) return a.k === b.k ? Number(a.r.id) - Number(b.r.id) : a.k === null ? 1 : -1;
      const c = compare(a.k, b.k) * (descending ? -1 : 1);
      return c !== 0 ? c : Number(a.r.id) - Number(b.r.id);
    });
    matched = keyed.map((x) => x.r);
  }
  return matched;
}
