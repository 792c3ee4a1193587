/** Query-string and body parsing shared by the routes; every failure is HubSpot's 400. */
import type { z } from 'zod';
import { unknownObjectType, validationError } from './errors.js';
import { findObjectType, type ObjectTypeDef } from './objectTypes.js';

/** A list parameter sent as repeated keys (the SDK) or comma-separated (the docs), or both. */
export function listParam(value: unknown): string[] {
  const parts = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return parts.flatMap((p) => String(p).split(',')).map((s) => s.trim()).filter(Boolean);
}

export function boolParam(value: unknown): boolean {
  const v = Array.isArray(value) ? value[value.length - 1] : value;
  return v === 'true' || v === true;
}

export function stringParam(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[value.length - 1] : value;
  return v === undefined ? undefined : String(v);
}

export function intParam(value: unknown, name: string, bounds: { fallback: number; max: number; min?: number }): number {
  const v = stringParam(value);
  if (v === undefined || v === '') return bounds.fallback;
  const n = Number(v);
  const min = bounds.min ?? 1;
  if (!Number.isInteger(n) || n < min || n > bounds.max) {
    throw validationError(`${name} must be an integer between ${min} and ${bounds.max}, got "${v}".`);
  }
  return n;
}

export function objectTypeParam(segment: unknown): ObjectTypeDef {
  const s = String(segment);
  const t = findObjectType(s);
  if (!t) throw unknownObjectType(s);
  return t;
}

/** Association type names in `associations=`: unknown names are skipped as HubSpot does. */
export function associationTypesParam(value: unknown): ObjectTypeDef[] {
  const out: ObjectTypeDef[] = [];
  for (const name of listParam(value)) {
    const t = findObjectType(name === 'line items' ? 'line_items' : name);
    if (t && !out.includes(t)) out.push(t);
  }
  return out;
}

/** Opaque list cursor: base64url of the id the next page starts at. */
export function encodeCursor(id: string): string {
  return Buffer.from(id).toString('base64url');
}

export function decodeCursor(after: string | undefined): string | undefined {
  if (after === undefined || after === '') return undefined;
  const id = Buffer.from(after, 'base64url').toString();
  if (!/^\d+$/.test(id)) throw validationError(`Invalid 'after' cursor "${after}": use the value of paging.next.after from the previous page.`);
  return id;
}

/** Parses a request body; a mismatch is the 400 HubSpot gives for JSON that does not fit the schema. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    throw validationError(`Invalid input JSON: ${detail}`);
  }
  return parsed.data;
}
