/**
 * Reading HubSpot property values (all strings) into typed values. A value that is present but
 * cannot be read (an amount "12k", a date "soon") throws MappingError: the record is quarantined
 * with that reason rather than stored with a silently wrong value.
 */
import type { MappedValue } from '../../domain/model.js';
import type { RawObject } from './raw.js';

export class MappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MappingError';
  }
}

type Props = Record<string, string | null>;

export function text(props: Props, name: string): string | null {
  const v = props[name];
  return v === undefined || v === null || v.trim() === '' ? null : v;
}

export function num(props: Props, name: string): number | null {
  const v = text(props, name);
  if (v === null) return null;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new MappingError(`property ${name} is not a number: "${v}"`);
  return n;
}

export function int(props: Props, name: string): number | null {
  const n = num(props, name);
  return n === null ? null : Math.round(n);
}

export function bool(props: Props, name: string): boolean | null {
  const v = text(props, name);
  if (v === null) return null;
  const l = v.toLowerCase();
  if (['true', 'yes', '1', 'on'].includes(l)) return true;
  if (['false', 'no', '0', 'off'].includes(l)) return false;
  throw new MappingError(`property ${name} is not a boolean: "${v}"`);
}

/** An instant from ISO text or epoch milliseconds, as ISO-8601 UTC. */
export function instantOf(value: string, name: string): string {
  const d = /^\d+$/.test(value) ? new Date(Number(value)) : new Date(value);
  if (Number.isNaN(d.getTime())) throw new MappingError(`property ${name} is not a date: "${value}"`);
  return d.toISOString();
}

export function instant(props: Props, name: string): string | null {
  const v = text(props, name);
  return v === null ? null : instantOf(v, name);
}

/** A calendar date (YYYY-MM-DD) from a HubSpot date or datetime property. */
export function date(props: Props, name: string): string | null {
  const v = text(props, name);
  if (v === null) return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return v;
  return instantOf(v, name).slice(0, 10);
}

/** A configured property mapped by type (config FieldMapping.type). */
export function typed(props: Props, name: string, type: 'string' | 'number' | 'boolean' | 'date'): MappedValue {
  switch (type) {
    case 'number':
      return num(props, name);
    case 'boolean':
      return bool(props, name);
    case 'date':
      return date(props, name);
    default:
      return text(props, name);
  }
}

/** Lower case, no scheme, no www., no path. */
export function normalizeDomain(value: string | null): string | null {
  if (!value) return null;
  const d = value
    .trim()
    .toLowerCase()
    .replace(/^[a-z]+:\/\//, '')
    .replace(/^www\./, '')
    .split(/[/?#]/)[0];
  return d || null;
}

/**
 * Ids of the records associated inline with `raw` under `type` ("companies", "line_items"), deduped
 * (HubSpot lists a target once per association type), labelled (primary) ones first.
 */
export function associatedIds(raw: RawObject, type: string): string[] {
  const assoc = raw.associations ?? {};
  const entry = assoc[type] ?? assoc[type.replace(/_/g, ' ')];
  if (!entry) return [];
  const sorted = [...entry.results].sort((a, b) => Number(a.type?.endsWith('unlabeled') ?? false) - Number(b.type?.endsWith('unlabeled') ?? false));
  return [...new Set(sorted.map((r) => r.id))];
}

/** The record's last-modified stamp (the dedupe key in the store). */
export function modifiedAt(raw: RawObject, property: string): string {
  const v = text(raw.properties, property);
  if (v !== null) return instantOf(v, property);
  if (raw.updatedAt) return raw.updatedAt;
  throw new MappingError(`no ${property} and no updatedAt: cannot tell the record's version`);
}
