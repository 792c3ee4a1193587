/** Turns stored records into the JSON shapes the v3 objects API returns. */
import { associationTypeById } from './associations.js';
import type { ObjectTypeDef } from './objectTypes.js';
import type { HubSpotPortal } from './portal.js';
import type { HistoryEntry, HsRecord } from './records.js';

export interface ReadShape {
  /** requested property names; empty = the type's defaults */
  properties: string[];
  propertiesWithHistory: string[];
  /** object types to list inline */
  associations: ObjectTypeDef[];
  /** inline associations per type before `paging` kicks in */
  maxInline: number;
}

export const defaultReadShape: ReadShape = { properties: [], propertiesWithHistory: [], associations: [], maxInline: 100 };

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Property values: the requested (or default) ones, null when unset, plus the three HubSpot always adds. */
export function propertiesOf(portal: HubSpotPortal, type: ObjectTypeDef, r: HsRecord, requested: string[]): Record<string, string | null> {
  const names = requested.length > 0 ? requested : type.defaultProperties;
  const out: Record<string, string | null> = {};
  for (const name of names) {
    if (!portal.propertyDef(type, name)) continue; // HubSpot silently skips unknown names
    out[name] = portal.value(type, r, name) ?? null;
  }
  for (const name of ['createdate', type.lastModifiedProperty, 'hs_object_id']) out[name] = portal.value(type, r, name) ?? null;
  return out;
}

function historyEntry(e: HistoryEntry): Record<string, unknown> {
  return {
    value: e.value,
    timestamp: iso(e.timestamp),
    sourceType: e.sourceType,
    ...(e.sourceId !== undefined ? { sourceId: e.sourceId } : {}),
    ...(e.updatedByUserId !== undefined ? { updatedByUserId: e.updatedByUserId } : {}),
  };
}

/** Newest first; a value never written with history shows once, stamped at the record's creation. */
export function historyOf(portal: HubSpotPortal, type: ObjectTypeDef, r: HsRecord, names: string[]): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const name of names) {
    if (!portal.propertyDef(type, name)) continue;
    const stored = r.historyOf(name);
    if (stored) {
      out[name] = stored.reverse().map(historyEntry);
      continue;
    }
    const v = portal.value(type, r, name);
    out[name] = v === undefined ? [] : [{ value: v, timestamp: iso(name === type.lastModifiedProperty ? r.updatedAt : r.createdAt), sourceType: 'CRM_UI' }];
  }
  return out;
}

/** Inline associations keyed by plural type name ("line items" with a space), one entry per type id. */
export function inlineAssociationsOf(portal: HubSpotPortal, type: ObjectTypeDef, r: HsRecord, toTypes: ObjectTypeDef[], maxInline: number): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const to of toTypes) {
    const live = portal.associations.targets(type.name, r.id, to.name).filter((id) => portal.find(to, id) !== undefined);
    if (live.length === 0) continue;
    const shown = live.slice(0, maxInline);
    const results: { id: string; type: string }[] = [];
    for (const toId of shown) {
      for (const typeId of portal.associations.typeIds(type.name, r.id, to.name, toId)) {
        results.push({ id: toId, type: associationTypeById(typeId)?.name ?? `${type.singular}_to_${to.singular}` });
      }
    }
    const entry: Record<string, unknown> = { results };
    if (live.length > shown.length) {
      const after = Buffer.from(String(shown.length)).toString('base64url');
      entry.paging = { next: { after, link: `/crm/v4/objects/${type.name}/${r.id}/associations/${to.name}?after=${after}` } };
    }
    out[to.inlineKey] = entry;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The SimplePublicObject(WithAssociations) JSON of one record. */
export function serializeRecord(portal: HubSpotPortal, type: ObjectTypeDef, r: HsRecord, shape: ReadShape): Record<string, unknown> {
  const body: Record<string, unknown> = {
    id: r.id,
    properties: propertiesOf(portal, type, r, shape.properties),
  };
  if (shape.propertiesWithHistory.length > 0) body.propertiesWithHistory = historyOf(portal, type, r, shape.propertiesWithHistory);
  body.createdAt = iso(r.createdAt);
  body.updatedAt = iso(r.updatedAt);
  body.archived = r.archived;
  if (r.archived) body.archivedAt = iso(r.archivedAt);
  if (shape.associations.length > 0) {
    const assoc = inlineAssociationsOf(portal, type, r, shape.associations, shape.maxInline);
    if (assoc) body.associations = assoc;
  }
  return body;
}

/** The shape write endpoints return: the written properties plus the system ones. */
export function serializeWritten(portal: HubSpotPortal, type: ObjectTypeDef, r: HsRecord, written: string[]): Record<string, unknown> {
  return serializeRecord(portal, type, r, { ...defaultReadShape, properties: written.length > 0 ? written : type.defaultProperties });
}
