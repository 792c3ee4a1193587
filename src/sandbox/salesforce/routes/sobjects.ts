/**
 * sObject REST: describeGlobal, describe, single-record CRUD, upsert by external id, and the
 * replication resources `/updated` and `/deleted`.
 */
import { SfApiError, notFound, type SaveError } from '../errors.js';
import { describeGlobal, describeGlobalEntry, describeObject } from '../describe.js';
import { normalizeId } from '../ids.js';
import type { SalesforceOrg } from '../org.js';
import { renderRecord } from '../render.js';
import { json, noContent, type ApiRequest, type ApiRouter } from '../router.js';
import type { FieldDef, ObjectDef } from '../schema.js';
import { formatDatetime, parseDatetime } from '../values.js';
import { RecordWriter } from '../writer.js';

export function objectOrThrow(org: SalesforceOrg, name: string): ObjectDef {
  const object = org.store.schema.object(name);
  if (!object) throw new SfApiError(404, 'NOT_FOUND', `The requested resource does not exist: sObject type '${name}' is not supported.`);
  return object;
}

export function bodyObject(req: ApiRequest): Record<string, unknown> {
  if (req.body === undefined) throw new SfApiError(400, 'JSON_PARSER_ERROR', 'The request body is missing or not valid JSON.');
  if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) {
    throw new SfApiError(400, 'JSON_PARSER_ERROR', 'Cannot deserialize instance of sObject from a non-object JSON value.');
  }
  return req.body as Record<string, unknown>;
}

/** A failed SaveResult as the REST error array (`errorCode`, not `statusCode`). */
export function saveErrorsAsApiErrors(errors: SaveError[]) {
  return errors.map((e) => ({ message: e.message, errorCode: e.statusCode, fields: e.fields }));
}

export function selectedFields(object: ObjectDef, fieldsParam: string | null): FieldDef[] | undefined {
  if (!fieldsParam) return undefined;
  return fieldsParam.split(',').map((name) => {
    const f = object.fieldsByLower.get(name.trim().toLowerCase());
    if (!f) throw new SfApiError(400, 'INVALID_FIELD', `No such column '${name.trim()}' on entity '${object.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`);
    return f;
  });
}

export function registerSObjectRoutes(router: ApiRouter, org: SalesforceOrg): void {
  const { store } = org;

  router.add('GET', '/sobjects', (req) => json(200, describeGlobal(store.schema, req.version)));

  router.add('GET', '/sobjects/:type', (req, p) => {
    const object = objectOrThrow(org, p.type!);
    return json(200, { objectDescribe: describeGlobalEntry(object, req.version), recentItems: [] });
  });

  router.add('POST', '/sobjects/:type', (req, p) => {
    const object = objectOrThrow(org, p.type!);
    const result = new RecordWriter(org, req.userId).create(object, bodyObject(req));
    if (!result.success) return json(400, saveErrorsAsApiErrors(result.errors));
    return json(201, { id: result.id, success: true, errors: [] }, { Location: `/services/data/v${req.version}/sobjects/${object.name}/${result.id}` });
  });

  router.add('GET', '/sobjects/:type/describe', (req, p) => json(200, describeObject(store.schema, objectOrThrow(org, p.type!), req.version)));

  router.add('GET', '/sobjects/:type/updated', (req, p) => {
    const object = objectOrThrow(org, p.type!);
    const { start, end } = replicationWindow(org, req, 30);
    const ids: string[] = [];
    const table = store.table(object.name);
    const modstamp = table.column('SystemModstamp')!;
    for (const row of table.rows()) {
      const stamp = modstamp.get(row) as number;
      if (!table.isDeleted(row) && stamp >= start && stamp < end) ids.push(table.idOf(row));
    }
    if (ids.length > 600_000) throw new SfApiError(400, 'EXCEEDED_ID_LIMIT', 'The result set exceeds 600,000 ids: use a shorter window.');
    org.stats.recordsRead(ids.length);
    return json(200, { ids, latestDateCovered: formatDatetime(end) });
  });

  router.add('GET', '/sobjects/:type/deleted', (req, p) => {
    const object = objectOrThrow(org, p.type!);
    const { start, end, earliest } = replicationWindow(org, req, 15);
    const deletedRecords: Array<{ id: string; deletedDate: string }> = [];
    const table = store.table(object.name);
    const modstamp = table.column('SystemModstamp')!;
    for (const row of table.rows()) {
      const stamp = modstamp.get(row) as number;
      if (table.isDeleted(row) && stamp >= start && stamp < end) deletedRecords.push({ id: table.idOf(row), deletedDate: formatDatetime(stamp) });
    }
    if (deletedRecords.length > 600_000) throw new SfApiError(400, 'EXCEEDED_ID_LIMIT', 'The result set exceeds 600,000 ids: use a shorter window.');
    org.stats.recordsRead(deletedRecords.length);
    return json(200, { deletedRecords, earliestDateAvailable: formatDatetime(earliest), latestDateCovered: formatDatetime(end) });
  });

  router.add('GET', '/sobjects/:type/:id', (req, p) => {
    const object = objectOrThrow(org, p.type!);
    const id = normalizeId(p.id!);
    const record = id ? store.get(object.name, id) : undefined;
    if (!record || record.IsDeleted) throw notFound(`${object.name} ${p.id}`);
    org.stats.recordsRead(1);
    return json(200, renderRecord(object, record, req.version, selectedFields(object, req.query.get('fields'))));
  });

  router.add('PATCH', '/sobjects/:type/:id', (req, p) => {
    const object = objectOrThrow(org, p.type!);
    const id = normalizeId(p.id!);
    const current = id ? store.get(object.name, id) : undefined;
    if (!current) throw notFound(`${object.name} ${p.id}`);
    if (current.IsDeleted) throw new SfApiError(404, 'ENTITY_IS_DELETED', 'entity is deleted');
    const result = new RecordWriter(org, req.userId).update(object, id, bodyObject(req));
    if (!result.success) return json(400, saveErrorsAsApiErrors(result.errors));
    return noContent();
  });

  router.add('DELETE', '/sobjects/:type/:id', (req, p) => {
    const object = objectOrThrow(org, p.type!);
    const id = normalizeId(p.id!);
    const current = id ? store.get(object.name, id) : undefined;
    if (!current) throw notFound(`${object.name} ${p.id}`);
    if (current.IsDeleted) throw new SfApiError(404, 'ENTITY_IS_DELETED', 'entity is deleted');
    const result = new RecordWriter(org, req.userId).delete(id, object);
    if (!result.success) return json(400, saveErrorsAsApiErrors(result.errors));
    return noContent();
  });

  router.add('GET', '/sobjects/:type/:field/:value', (req, p) => {
    const object = objectOrThrow(org, p.type!);
    const field = store.schema.field(object, p.field!);
    if (!field || !field.externalId) throw new SfApiError(400, 'INVALID_FIELD', `Field ${p.field} is not an External ID or indexed field for ${object.name}`);
    const matches = new RecordWriter(org, req.userId).findByExternalId(object, field.name, p.value!);
    if (matches.length === 0) throw notFound(`${object.name} ${field.name}=${p.value}`);
    if (matches.length > 1) return json(300, matches.map((m) => `/services/data/v${req.version}/sobjects/${object.name}/${m.Id as string}`));
    org.stats.recordsRead(1);
    return json(200, renderRecord(object, matches[0]!, req.version, selectedFields(object, req.query.get('fields'))));
  });

  router.add('PATCH', '/sobjects/:type/:field/:value', (req, p) => {
    const object = objectOrThrow(org, p.type!);
    const writer = new RecordWriter(org, req.userId);
    const field = store.schema.field(object, p.field!);
    if (field?.externalId) {
      const matches = writer.findByExternalId(object, field.name, p.value!);
      if (matches.length > 1) return json(300, matches.map((m) => `/services/data/v${req.version}/sobjects/${object.name}/${m.Id as string}`));
    }
    const result = writer.upsert(object, p.field!, p.value!, bodyObject(req));
    if (!result.success) {
      const status = result.errors.some((e) => e.statusCode === 'INVALID_FIELD' && e.message.includes('External ID')) ? 404 : 400;
      return json(status, saveErrorsAsApiErrors(result.errors));
    }
    return json(result.created ? 201 : 200, { id: result.id, success: true, errors: [], created: result.created });
  });
}

/** start/end of a getUpdated/getDeleted call, floored to the minute as Salesforce does. */
function replicationWindow(org: SalesforceOrg, req: ApiRequest, maxDays: number): { start: number; end: number; earliest: number } {
  const startText = req.query.get('start');
  const endText = req.query.get('end');
  if (!startText || !endText) throw new SfApiError(400, 'MISSING_ARGUMENT', 'Both start and end are required (ISO 8601 datetimes, e.g. 2026-05-20T20:49:32+00:00).');
  const start = parseDatetime(startText);
  const end = parseDatetime(endText);
  if (Number.isNaN(start) || Number.isNaN(end)) throw new SfApiError(400, 'INVALID_DATE_FORMAT', `start and end must be ISO 8601 datetimes; got start=${startText} end=${endText}.`);
  if (end <= start) throw new SfApiError(400, 'INVALID_REPLICATION_DATE', 'end date must be after start date');
  const now = org.now();
  const earliest = Math.floor((now - maxDays * 86_400_000) / 60_000) * 60_000;
  if (start < earliest) throw new SfApiError(400, 'INVALID_REPLICATION_DATE', `start date cannot be more than ${maxDays} days ago`);
  const floor = (ms: number) => Math.floor(ms / 60_000) * 60_000;
  return { start: floor(start), end: floor(end), earliest };
}
