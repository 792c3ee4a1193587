/**
 * Record writes as the API performs them: validate, apply, and answer with a SaveResult
 * (`{id, success, errors}`; upserts add `created`). Shared by single-record REST, sObject
 * Collections, Composite and Bulk 2.0 ingest.
 */
import { saveError, type SaveError } from './errors.js';
import { normalizeId } from './ids.js';
import type { SalesforceOrg } from './org.js';
import type { ObjectDef } from './schema.js';
import type { SfRecord } from './store.js';
import { validateWrite } from './validate.js';

export interface SaveResult {
  id?: string;
  success: boolean;
  errors: SaveError[];
  created?: boolean;
}

const failure = (...errors: SaveError[]): SaveResult => ({ success: false, errors });

export class RecordWriter {
  constructor(
    private readonly org: SalesforceOrg,
    private readonly userId: string,
  ) {}

  private get store() {
    return this.org.store;
  }

  create(object: ObjectDef, input: Record<string, unknown>): SaveResult {
    if (!object.createable) return failure(saveError('INVALID_TYPE_FOR_OPERATION', `entity type cannot be inserted: ${object.label}`));
    if (input.Id !== undefined && input.Id !== null) return failure(saveError('INVALID_FIELD', 'cannot specify Id in an insert call', ['Id']));
    const { values, errors } = validateWrite(this.store, object, input, 'create');
    if (errors.length) return failure(...errors);
    const record = this.store.insert(object.name, values, { userId: this.userId });
    this.org.stats.recordsWritten(1);
    return { id: record.Id as string, success: true, errors: [] };
  }

  /** The live record behind an id given by a client, or the SaveError explaining why not. */
  existing(object: ObjectDef, rawId: unknown): { record: SfRecord } | { error: SaveError } {
    const id = typeof rawId === 'string' ? normalizeId(rawId) : null;
    if (!id) return { error: saveError('MALFORMED_ID', `${object.label} ID: id value of incorrect type: ${String(rawId)}`, ['Id']) };
    if (this.store.schema.objectForId(id)?.name !== object.name) return { error: saveError('MALFORMED_ID', `${object.label} ID: id value of incorrect type: ${String(rawId)}`, ['Id']) };
    const record = this.store.get(object.name, id);
    if (!record) return { error: saveError('INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id`, []) };
    if (record.IsDeleted) return { error: saveError('ENTITY_IS_DELETED', 'entity is deleted', []) };
    return { record };
  }

  update(object: ObjectDef, rawId: unknown, input: Record<string, unknown>): SaveResult {
    if (!object.updateable) return failure(saveError('INVALID_TYPE_FOR_OPERATION', `entity type cannot be updated: ${object.label}`));
    const found = this.existing(object, rawId);
    if ('error' in found) return failure(found.error);
    const { values, errors } = validateWrite(this.store, object, input, 'update', { allowId: true });
    const id = found.record.Id as string;
    if (errors.length) return { id, success: false, errors };
    this.store.update(object.name, id, values, { userId: this.userId });
    this.org.stats.recordsWritten(1);
    return { id, success: true, errors: [] };
  }

  /** Upsert on an external id field (or Id): update the one match, create when none, error when several. */
  upsert(object: ObjectDef, fieldName: string, rawValue: unknown, input: Record<string, unknown>): SaveResult {
    const field = this.store.schema.field(object, fieldName);
    if (!field || (!field.externalId && field.name !== 'Id')) {
      return failure(saveError('INVALID_FIELD', `Field ${fieldName} is not an External ID or indexed field for ${object.name}`, [fieldName]));
    }
    if (rawValue === undefined || rawValue === null || rawValue === '') {
      return failure(saveError('MISSING_ARGUMENT', `${field.name} not specified`, [field.name]));
    }
    if (field.name === 'Id') {
      const result = this.update(object, rawValue, input);
      return { ...result, created: false };
    }
    const matches = this.findByExternalId(object, field.name, String(rawValue));
    if (matches.length > 1) {
      return failure(saveError('DUPLICATE_EXTERNAL_ID', `Duplicate external id specified: ${String(rawValue)}`, [field.name]));
    }
    const body = { ...input };
    for (const key of Object.keys(body)) if (key.toLowerCase() === field.name.toLowerCase()) delete body[key];
    if (matches.length === 1) {
      const result = this.update(object, matches[0]!.Id, body);
      return { ...result, created: false };
    }
    const result = this.create(object, { ...body, [field.name]: String(rawValue) });
    return { ...result, created: result.success };
  }

  findByExternalId(object: ObjectDef, fieldName: string, value: string): SfRecord[] {
    return this.store.byExternalId(object.name, fieldName, value);
  }

  delete(rawId: unknown, object?: ObjectDef): SaveResult {
    const id = typeof rawId === 'string' ? normalizeId(rawId) : null;
    const def = id ? this.store.schema.objectForId(id) : undefined;
    if (!id || !def || (object && def.name !== object.name)) return failure(saveError('MALFORMED_ID', `malformed id ${String(rawId)}`, []));
    if (!def.deletable) return failure(saveError('INVALID_TYPE_FOR_OPERATION', `entity type cannot be deleted: ${def.label}`));
    const record = this.store.get(def.name, id);
    if (!record) return failure(saveError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id'));
    if (record.IsDeleted) return { id, success: false, errors: [saveError('ENTITY_IS_DELETED', 'entity is deleted')] };
    this.store.delete(def.name, id, { userId: this.userId });
    this.org.stats.recordsWritten(1);
    return { id, success: true, errors: [] };
  }
}

export const rolledBack: SaveError = {
  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
  fields: [],
};

/**
 * Runs one write per item; with allOrNone, a single failure undoes them all and every other
 * item reports ALL_OR_NONE_OPERATION_ROLLED_BACK.
 */
export function writeAll<T>(org: SalesforceOrg, items: T[], allOrNone: boolean, write: (item: T) => SaveResult): SaveResult[] {
  const tx = allOrNone ? org.store.begin() : null;
  const written = org.stats.snapshot().records.written;
  const results = items.map(write);
  if (tx && results.some((r) => !r.success)) {
    tx.rollback();
    // the rolled-back writes did not happen
    org.stats.recordsWritten(written - org.stats.snapshot().records.written);
    return results.map((r) => (r.success ? { success: false, errors: [rolledBack], ...(r.created !== undefined ? { created: false } : {}) } : r));
  }
  tx?.commit();
  return results;
}
