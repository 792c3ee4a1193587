/**
 * Turns the fields of a write (REST JSON or Bulk CSV strings) into stored values, with the
 * per-field errors Salesforce reports: INVALID_FIELD (unknown), INVALID_FIELD_FOR_INSERT_UPDATE
 * (read-only), REQUIRED_FIELD_MISSING, INVALID_TYPE_ON_FIELD_IN_RECORD, STRING_TOO_LONG,
 * INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST, MALFORMED_ID and INVALID_CROSS_REFERENCE_KEY.
 */
import { saveError, type SaveError } from './errors.js';
import { normalizeId } from './ids.js';
import type { FieldDef, ObjectDef } from './schema.js';
import type { FieldValue, SalesforceStore, SfRecord } from './store.js';
import { isDateString, parseDatetime } from './values.js';

export type WriteMode = 'create' | 'update';

export interface ValidatedWrite {
  values: SfRecord;
  errors: SaveError[];
}

/** Keys of a REST record that are not fields. */
const ignoredKeys = new Set(['attributes']);

export function validateWrite(store: SalesforceStore, object: ObjectDef, input: Record<string, unknown>, mode: WriteMode, options: { allowId?: boolean } = {}): ValidatedWrite {
  const values: SfRecord = {};
  const errors: SaveError[] = [];
  const readOnly: string[] = [];
  const rejected = new Set<string>();
  for (const [key, raw] of Object.entries(input)) {
    if (ignoredKeys.has(key)) continue;
    const field = object.fieldsByLower.get(key.toLowerCase());
    if (!field) {
      errors.push(saveError('INVALID_FIELD', `No such column '${key}' on sobject of type ${object.name}`, [key]));
      continue;
    }
    if (field.name === 'Id') {
      if (options.allowId) continue;
      readOnly.push(field.name);
      continue;
    }
    if (mode === 'create' ? !field.createable : !field.updateable) {
      readOnly.push(field.name);
      continue;
    }
    const converted = convertValue(store, field, raw);
    if ('error' in converted) {
      errors.push(converted.error);
      rejected.add(field.name);
    } else values[field.name] = converted.value;
  }
  if (readOnly.length) {
    errors.push(saveError('INVALID_FIELD_FOR_INSERT_UPDATE', `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`, readOnly));
  }
  const missing = object.fields
    .filter((f) => f.required && f.createable && !rejected.has(f.name) && (mode === 'create' ? values[f.name] === undefined || values[f.name] === null : f.name in values && values[f.name] === null))
    .map((f) => f.name);
  if (missing.length) errors.push(saveError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing));
  return { values, errors };
}

type Converted = { value: FieldValue } | { error: SaveError };

const typeError = (field: FieldDef, raw: unknown): Converted => ({
  error: saveError('INVALID_TYPE_ON_FIELD_IN_RECORD', `${field.label}: value not of required type: ${typeof raw === 'object' ? JSON.stringify(raw) : String(raw)}`, [field.name]),
});

export function convertValue(store: SalesforceStore, field: FieldDef, raw: unknown): Converted {
  if (raw === null || raw === undefined) return { value: field.type === 'boolean' ? false : null };
  switch (field.type) {
    case 'boolean':
      if (typeof raw === 'boolean') return { value: raw };
      if (typeof raw === 'string' && /^(true|false)$/i.test(raw)) return { value: raw.toLowerCase() === 'true' };
      return typeError(field, raw);
    case 'double':
    case 'currency':
    case 'percent':
    case 'int': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
      if (!Number.isFinite(n) || (field.type === 'int' && !Number.isInteger(n))) return typeError(field, raw);
      return { value: n };
    }
    case 'date': {
      if (typeof raw !== 'string') return typeError(field, raw);
      if (isDateString(raw)) return { value: raw };
      const ms = parseDatetime(raw);
      return Number.isNaN(ms) ? typeError(field, raw) : { value: new Date(ms).toISOString().slice(0, 10) };
    }
    case 'datetime': {
      if (typeof raw !== 'string') return typeError(field, raw);
      const ms = isDateString(raw) ? Date.parse(`${raw}T00:00:00Z`) : parseDatetime(raw);
      return Number.isNaN(ms) ? typeError(field, raw) : { value: ms };
    }
    case 'reference':
    case 'id': {
      if (typeof raw !== 'string') return typeError(field, raw);
      if (raw === '') return { value: null };
      const id = normalizeId(raw);
      if (!id) return { error: saveError('MALFORMED_ID', `${field.label} ID: id value of incorrect type: ${raw}`, [field.name]) };
      const target = store.byId(id);
      if (field.referenceTo.length && !field.referenceTo.includes(store.schema.objectForId(id)?.name ?? '')) {
        return { error: saveError('FIELD_INTEGRITY_EXCEPTION', `${field.label} ID: id value of incorrect type: ${raw}`, [field.name]) };
      }
      if (!target || target.record.IsDeleted) return { error: saveError('INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id`, [field.name]) };
      return { value: id };
    }
    default: {
      if (typeof raw === 'object') return typeError(field, raw);
      const text = String(raw);
      if (text.length > field.length) return { error: saveError('STRING_TOO_LONG', `${field.label}: data value too large: ${text.slice(0, 40)}… (max length=${field.length})`, [field.name]) };
      if (field.restrictedPicklist && field.picklistValues && !field.picklistValues.some((v) => v.toLowerCase() === text.toLowerCase())) {
        return { error: saveError('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `${field.label}: bad value for restricted picklist field: ${text}`, [field.name]) };
      }
      return { value: text };
    }
  }
}
