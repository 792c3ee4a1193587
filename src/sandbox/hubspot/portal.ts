/**
 * The in-memory HubSpot portal: records per object type, properties, associations, owners,
 * pipelines, and the write operations every route goes through (validation, last-modified
 * maintenance, property history, unique values, search-index lag, change events for webhooks),
 * merges included.
 */
import { AssociationIndex } from './associations.js';
import { HubSpotError, invalidPropertyValues, type PropertyValueProblem } from './errors.js';
import { objectTypes, type ObjectTypeDef } from './objectTypes.js';
import { OwnerDirectory } from './owners.js';
import { defaultPipelines, findStage, type Pipeline } from './pipelines.js';
import { PropertyRegistry, type PropertyDef } from './properties.js';
import { MERGED_IDS_PROPERTY } from './propertyCatalog.js';
import { RecordStore, type HistorySource, type HsRecord } from './records.js';
import { SeedKeyIndex } from './seedKeys.js';

export type ChangeEvent =
  | { kind: 'creation'; type: ObjectTypeDef; id: string; occurredAt: number }
  | { kind: 'propertyChange'; type: ObjectTypeDef; id: string; occurredAt: number; propertyName: string; propertyValue: string }
  | { kind: 'deletion'; type: ObjectTypeDef; id: string; occurredAt: number }
  /** `id` is the surviving (primary) record */
  | { kind: 'merge'; type: ObjectTypeDef; id: string; occurredAt: number; mergedIds: string[] };

export interface PortalOptions {
  /** record clock (createdAt, updatedAt, history); defaults to the wall clock */
  now?: () => Date;
  /** a write stays invisible to search (search sees the previous version) for this long, on the portal clock */
  searchIndexDelayMs?: number;
  portalId?: number;
}

/** Where a write came from, for property history. */
const API_SOURCE: HistorySource = { sourceType: 'INTEGRATION', sourceId: 'sandbox-private-app' };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export class HubSpotPortal {
  readonly portalId: number;
  readonly properties: PropertyRegistry;
  readonly associations = new AssociationIndex((typeName, id) => this.stores.get(typeName)?.get(id));
  readonly owners = new OwnerDirectory();
  readonly pipelines: Map<string, Pipeline[]>;
  /** seed key ("acct-000042") → HubSpot id */
  readonly seedIds = new SeedKeyIndex();
  private readonly stores = new Map<string, RecordStore>();
  private nextId = 1_000_001;
  /** bumped on every record write (search caches key on it) */
  version = 0;
  private readonly listeners: ((e: ChangeEvent) => void)[] = [];
  /** "type:id" → the version search sees (null = not indexed yet) and the writes still "being indexed" */
  private readonly pendingIndex = new Map<string, { seen: HsRecord | null; writes: { visibleAt: number; version: HsRecord }[] }>();
  private readonly clock: () => Date;
  private readonly searchIndexDelayMs: number;

  constructor(options: PortalOptions = {}) {
    this.clock = options.now ?? (() => new Date());
    this.searchIndexDelayMs = options.searchIndexDelayMs ?? 0;
    this.portalId = options.portalId ?? 62515;
    const createdAt = '2020-01-01T00:00:00.000Z';
    this.properties = new PropertyRegistry({ createdAt });
    this.pipelines = defaultPipelines(createdAt);
    for (const t of objectTypes) this.stores.set(t.name, new RecordStore());
  }

  nowMs(): number {
    return this.clock().getTime();
  }

  store(type: ObjectTypeDef): RecordStore {
    return this.stores.get(type.name)!;
  }

  allocateId(): string {
    return String(this.nextId++);
  }

  onChange(listener: (e: ChangeEvent) => void): void {
    this.listeners.push(listener);
  }

  private emit(e: ChangeEvent): void {
    for (const l of this.listeners) l(e);
  }

  /** A property's value as the API shows it: stored, or computed by HubSpot. */
  value(type: ObjectTypeDef, r: HsRecord, name: string): string | undefined {
    const stored = r.get(name);
    if (stored !== undefined) return stored;
    if (name === 'hs_object_id') return r.id;
    if (name === 'createdate') return new Date(r.createdAt).toISOString();
    if (name === type.lastModifiedProperty) return new Date(r.updatedAt).toISOString();
    if (type.name === 'deals' && name.startsWith('hs_')) return this.derivedDealValue(r, name);
    return undefined;
  }

  private derivedDealValue(r: HsRecord, name: string): string | undefined {
    const stage = findStage(this.pipelines.get('deals'), r.get('dealstage') ?? '');
    if (!stage) return undefined;
    const closed = stage.metadata.isClosed === 'true';
    if (name === 'hs_deal_stage_probability') return stage.metadata.probability;
    if (name === 'hs_is_closed') return String(closed);
    if (name === 'hs_is_closed_won') return String(closed && Number(stage.metadata.probability) === 1);
    return undefined;
  }

  /**
   * Validates and normalises property values from a request (numbers and booleans become strings,
   * null becomes "" = clear, datetimes in ms become ISO). Throws HubSpot's 400 listing every problem.
   */
  normalizeWrite(type: ObjectTypeDef, input: Record<string, unknown>): Record<string, string> {
    const out: Record<string, string> = {};
    const problems: PropertyValueProblem[] = [];
    for (const [name, raw] of Object.entries(input)) {
      const def = this.properties.get(type.name, name);
      if (!def) {
        problems.push({ name, error: 'PROPERTY_DOESNT_EXIST', message: `Property "${name}" does not exist` });
        continue;
      }
      if (def.readOnlyValue) {
        problems.push({ name, error: 'READ_ONLY_VALUE', message: `"${name}" is a read only property; its value cannot be set.` });
        continue;
      }
      const text = raw === null || raw === undefined ? '' : typeof raw === 'object' ? null : String(raw);
      if (text === null) {
        problems.push({ name, error: 'INVALID_VALUE', message: `${JSON.stringify(raw)} is not a valid value for ${name}.` });
        continue;
      }
      const normalized = text === '' ? '' : normalizeValue(def, text);
      if (normalized === null) {
        problems.push({ name, error: errorCodeFor(def), message: `${text} was not a valid ${def.type === 'enumeration' ? `option for ${name}` : def.type}.` });
        continue;
      }
      out[name] = normalized;
    }
    if (problems.length > 0) throw invalidPropertyValues(problems, this.portalId);
    return out;
  }

  /** 409 if a unique property value already belongs to another record. */
  assertUnique(type: ObjectTypeDef, props: Record<string, string>, selfId: string | undefined): void {
    const store = this.store(type);
    for (const name of this.properties.uniqueNames(type.name)) {
      const v = props[name];
      if (v === undefined || v === '') continue;
      const owner = store.findUnique(name, v);
      if (owner !== undefined && owner !== selfId) {
        const message = type.name === 'contacts' && name === 'email'
          ? `Contact already exists. Existing ID: ${owner}`
          : `A ${type.singular} with ${name} "${v}" already exists. Existing ID: ${owner}`;
        throw new HubSpotError(409, 'CONFLICT', message);
      }
    }
  }

  /** Creates a record from already-normalised properties (API path: events, history, index lag). */
  createRecord(type: ObjectTypeDef, props: Record<string, string>): HsRecord {
    this.assertUnique(type, props, undefined);
    const now = this.nowMs();
    const r = this.add(type, this.allocateId(), props, now, now);
    for (const [k, v] of Object.entries(props)) if (v !== '') r.addHistory(k, v, now, API_SOURCE);
    this.markForIndexing(type, r, 'new');
    this.finishIndexing(type, r);
    this.emit({ kind: 'creation', type, id: r.id, occurredAt: now });
    return r;
  }

  /** Inserts a record as-is (bulk test fixtures): no events, no validation. */
  insert(type: ObjectTypeDef, r: HsRecord): void {
    this.store(type).insert(r);
    this.afterInsert(type, r);
  }

  /** Adds a record straight into its type's table (seed loading, creates): no events, no validation; "" values are skipped. */
  add(type: ObjectTypeDef, id: string, props: Readonly<Record<string, string>>, createdAt: number, updatedAt: number): HsRecord {
    const r = this.store(type).add(id, props, createdAt, updatedAt);
    this.afterInsert(type, r);
    return r;
  }

  private afterInsert(type: ObjectTypeDef, r: HsRecord): void {
    this.version += 1;
    const store = this.store(type);
    for (const name of this.properties.uniqueNames(type.name)) store.indexUnique(name, r.id, undefined, r.get(name));
    const n = r.numericId;
    if (n >= this.nextId) this.nextId = n + 1;
  }

  /** Applies normalised properties; returns the names whose value changed. */
  updateRecord(type: ObjectTypeDef, r: HsRecord, props: Record<string, string>): string[] {
    this.assertUnique(type, props, r.id);
    const now = this.nowMs();
    const changed = Object.keys(props).filter((k) => (r.get(k) ?? '') !== props[k]);
    if (changed.length === 0) return changed;
    this.version += 1;
    this.markForIndexing(type, r, 'existing');
    const store = this.store(type);
    const unique = new Set(this.properties.uniqueNames(type.name));
    for (const k of changed) {
      const v = props[k]!;
      if (unique.has(k)) store.indexUnique(k, r.id, r.get(k), v);
      r.set(k, v);
      r.addHistory(k, v, now, API_SOURCE);
    }
    r.updatedAt = Math.max(now, r.updatedAt);
    this.finishIndexing(type, r);
    for (const k of changed) this.emit({ kind: 'propertyChange', type, id: r.id, occurredAt: now, propertyName: k, propertyValue: props[k]! });
    return changed;
  }

  /** Soft-deletes; false when already archived. */
  archiveRecord(type: ObjectTypeDef, r: HsRecord): boolean {
    if (r.archived) return false;
    this.version += 1;
    const now = this.nowMs();
    this.markForIndexing(type, r, 'existing');
    r.archivedAt = now;
    r.updatedAt = Math.max(now, r.updatedAt);
    this.finishIndexing(type, r);
    const store = this.store(type);
    for (const name of this.properties.uniqueNames(type.name)) store.indexUnique(name, r.id, r.get(name), undefined);
    this.emit({ kind: 'deletion', type, id: r.id, occurredAt: now });
    return true;
  }

  /**
   * Merges `merged` into `primary` (both live, same type). The merged record leaves the store (no
   * list, search, read or archived list shows it [UNCONFIRMED: HubSpot's archived list and GET of
   * the old id]); its associations move to the primary; the primary's hs_merged_object_ids gains
   * its id and the ids merged into it earlier, and its last-modified date moves to now. Property
   * values stay the primary's (HubSpot fills some from the merged record: not simulated).
   */
  mergeRecords(type: ObjectTypeDef, primary: HsRecord, merged: HsRecord): { linksCreated: number; linksRemoved: number } {
    this.version += 1;
    const now = this.nowMs();
    this.markForIndexing(type, primary, 'existing');
    const links = this.associations.moveAll(type.name, merged.id, primary.id);
    const ids = [...splitIds(primary.get(MERGED_IDS_PROPERTY)), merged.id, ...splitIds(merged.get(MERGED_IDS_PROPERTY))];
    const value = [...new Set(ids)].join(';');
    primary.set(MERGED_IDS_PROPERTY, value);
    primary.addHistory(MERGED_IDS_PROPERTY, value, now, API_SOURCE);
    primary.updatedAt = Math.max(now, primary.updatedAt);
    this.finishIndexing(type, primary);
    const store = this.store(type);
    for (const name of this.properties.uniqueNames(type.name)) store.indexUnique(name, merged.id, merged.get(name), undefined);
    store.remove(merged.id);
    this.pendingIndex.delete(`${type.name}:${merged.id}`);
    this.emit({ kind: 'merge', type, id: primary.id, occurredAt: now, mergedIds: [merged.id] });
    return { linksCreated: links.created, linksRemoved: links.removed };
  }

  /** A live record, or undefined (archived ones only when asked). */
  find(type: ObjectTypeDef, id: string, archived = false): HsRecord | undefined {
    const r = this.store(type).get(id);
    return r && r.archived === archived ? r : undefined;
  }

  /** Finds by id or by a unique property (`idProperty`). */
  findBy(type: ObjectTypeDef, id: string, idProperty: string | undefined, archived = false): HsRecord | undefined {
    if (!idProperty || idProperty === 'hs_object_id') return this.find(type, id, archived);
    const found = this.store(type).findUnique(idProperty, id);
    return found === undefined ? undefined : this.find(type, found, archived);
  }

  /**
   * Records a write for search-index lag: search keeps showing the pre-write version until the write's
   * `visibleAt`, then that write's version, and so on. Call before mutating; `finishIndexing`
   * after, to capture the new version.
   */
  private markForIndexing(type: ObjectTypeDef, r: HsRecord, state: 'new' | 'existing'): void {
    if (this.searchIndexDelayMs <= 0) return;
    const key = `${type.name}:${r.id}`;
    if (!this.pendingIndex.has(key)) this.pendingIndex.set(key, { seen: state === 'new' ? null : r.clone(), writes: [] });
  }

  private finishIndexing(type: ObjectTypeDef, r: HsRecord): void {
    if (this.searchIndexDelayMs <= 0) return;
    this.pendingIndex.get(`${type.name}:${r.id}`)?.writes.push({ visibleAt: this.nowMs() + this.searchIndexDelayMs, version: r.clone() });
  }

  /** True while some write is still "being indexed" (search results may change as time passes). */
  get indexing(): boolean {
    return this.pendingIndex.size > 0;
  }

  /** What search sees of a record: the latest version whose indexing delay has passed. */
  searchView(type: ObjectTypeDef, r: HsRecord): HsRecord | undefined {
    if (this.pendingIndex.size === 0) return r;
    const key = `${type.name}:${r.id}`;
    const pending = this.pendingIndex.get(key);
    if (!pending) return r;
    const now = this.nowMs();
    while (pending.writes.length > 0 && pending.writes[0]!.visibleAt <= now) pending.seen = pending.writes.shift()!.version;
    if (pending.writes.length === 0) {
      this.pendingIndex.delete(key);
      return r;
    }
    return pending.seen ?? undefined;
  }

  propertyDef(type: ObjectTypeDef, name: string): PropertyDef | undefined {
    return this.properties.get(type.name, name);
  }
}

/** The ids of a ";"-separated hs_merged_object_ids value. */
function splitIds(value: string | undefined): string[] {
  return (value ?? '').split(';').filter((id) => id !== '');
}

function errorCodeFor(def: PropertyDef): string {
  switch (def.type) {
    case 'number': return 'INVALID_FLOAT';
    case 'date':
    case 'datetime': return 'INVALID_DATE';
    case 'bool': return 'INVALID_BOOLEAN';
    case 'enumeration': return 'INVALID_OPTION';
    default: return 'INVALID_VALUE';
  }
}

/** The stored form of a value, or null when the property's type rejects it. */
function normalizeValue(def: PropertyDef, text: string): string | null {
  switch (def.type) {
    case 'number':
      return text.trim() !== '' && Number.isFinite(Number(text)) ? text.trim() : null;
    case 'bool':
      return text === 'true' || text === 'false' ? text : null;
    case 'datetime': {
      const ms = toMillis(text);
      return ms === null ? null : new Date(ms).toISOString();
    }
    case 'date': {
      if (ISO_DATE.test(text)) return text;
      const ms = toMillis(text);
      return ms === null ? null : new Date(ms).toISOString().slice(0, 10);
    }
    case 'enumeration':
      if (def.options.length === 0) return text;
      // multi-select values are ";"-separated
      return text.split(';').every((v) => def.options.some((o) => o.value === v)) ? text : null;
    default:
      return text;
  }
}

/** Epoch ms from an epoch-ms string or an ISO date/datetime; null when neither. */
export function toMillis(text: string): number | null {
  if (/^-?\d+$/.test(text)) return Number(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}
