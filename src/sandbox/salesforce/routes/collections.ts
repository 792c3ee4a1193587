/**
 * sObject Collections (`/composite/sobjects`): create, update, upsert and delete up to 200
 * records per call, retrieve up to 2,000 ids (POST) per call. Answers one SaveResult per
 * input, in order; allOrNone rolls every write back when one fails.
 */
import { SfApiError } from '../errors.js';
import { normalizeId } from '../ids.js';
import type { SalesforceOrg } from '../org.js';
import { renderRecord } from '../render.js';
import { json, type ApiRequest, type ApiRouter } from '../router.js';
import { RecordWriter, writeAll, type SaveResult } from '../writer.js';
import { bodyObject, objectOrThrow, selectedFields } from './sobjects.js';

const WRITE_LIMIT = 200;
const RETRIEVE_LIMIT = 2000;

interface CollectionBody {
  allOrNone: boolean;
  records: Record<string, unknown>[];
}

function collectionBody(req: ApiRequest): CollectionBody {
  const body = bodyObject(req);
  if (!Array.isArray(body.records)) throw new SfApiError(400, 'JSON_PARSER_ERROR', 'The request body needs a "records" array.');
  if (body.records.length > WRITE_LIMIT) {
    throw new SfApiError(400, 'EXCEEDED_ID_LIMIT', `Maximum number of records allowed is ${WRITE_LIMIT}; got ${body.records.length}. Split the records into calls of at most ${WRITE_LIMIT}.`);
  }
  if (body.records.some((r) => typeof r !== 'object' || r === null || Array.isArray(r))) throw new SfApiError(400, 'JSON_PARSER_ERROR', 'Each element of "records" must be an object.');
  return { allOrNone: body.allOrNone === true, records: body.records as Record<string, unknown>[] };
}

function typeOf(org: SalesforceOrg, record: Record<string, unknown>) {
  const attributes = record.attributes as { type?: unknown } | undefined;
  if (!attributes || typeof attributes.type !== 'string') throw new SfApiError(400, 'INVALID_TYPE', 'Must send a concrete entity type: every record needs attributes.type.');
  return objectOrThrow(org, attributes.type);
}

function fieldsOf(record: Record<string, unknown>): Record<string, unknown> {
  const { attributes: _a, ...rest } = record;
  return rest;
}

export function registerCollectionRoutes(router: ApiRouter, org: SalesforceOrg): void {
  router.add('POST', '/composite/sobjects', (req) => {
    const { allOrNone, records } = collectionBody(req);
    const objects = records.map((r) => typeOf(org, r));
    const writer = new RecordWriter(org, req.userId);
    return json(200, writeAll(org, records.map((r, i) => ({ r, o: objects[i]! })), allOrNone, ({ r, o }) => writer.create(o, fieldsOf(r))));
  });

  router.add('PATCH', '/composite/sobjects', (req) => {
    const { allOrNone, records } = collectionBody(req);
    const objects = records.map((r) => typeOf(org, r));
    const writer = new RecordWriter(org, req.userId);
    return json(200, writeAll(org, records.map((r, i) => ({ r, o: objects[i]! })), allOrNone, ({ r, o }): SaveResult => {
      // field names are case-insensitive: jsforce sends "id"
      const fields = fieldsOf(r);
      const idKey = Object.keys(fields).find((k) => k.toLowerCase() === 'id');
      const { [idKey ?? 'Id']: Id, ...rest } = fields;
      if (Id === undefined || Id === null) return { success: false, errors: [{ statusCode: 'MISSING_ARGUMENT', message: 'Id not specified in an update call', fields: [] }] };
      return writer.update(o, Id, rest);
    }));
  });

  router.add('PATCH', '/composite/sobjects/:type/:field', (req, p) => {
    const object = objectOrThrow(org, p.type!);
    const { allOrNone, records } = collectionBody(req);
    for (const r of records) {
      if (typeOf(org, r).name !== object.name) throw new SfApiError(400, 'INVALID_TYPE', `Every record must be of type ${object.name} in an upsert on ${object.name}.${p.field}.`);
    }
    const fieldName = p.field!;
    const writer = new RecordWriter(org, req.userId);
    return json(200, writeAll(org, records, allOrNone, (r) => {
      const fields = fieldsOf(r);
      const key = Object.keys(fields).find((k) => k.toLowerCase() === fieldName.toLowerCase());
      return writer.upsert(object, fieldName, key ? fields[key] : undefined, fields);
    }));
  });

  router.add('DELETE', '/composite/sobjects', (req) => {
    const ids = (req.query.get('ids') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (ids.length === 0) throw new SfApiError(400, 'MISSING_ARGUMENT', 'ids is required: DELETE /composite/sobjects?ids=001…,003…');
    if (ids.length > WRITE_LIMIT) throw new SfApiError(400, 'EXCEEDED_ID_LIMIT', `Maximum number of records allowed is ${WRITE_LIMIT}; got ${ids.length}.`);
    const allOrNone = req.query.get('allOrNone') === 'true';
    const writer = new RecordWriter(org, req.userId);
    return json(200, writeAll(org, ids, allOrNone, (id) => writer.delete(id)));
  });

  const retrieve = (req: ApiRequest, type: string, ids: string[], fieldsParam: string | null, limit: number) => {
    const object = objectOrThrow(org, type);
    if (ids.length === 0) throw new SfApiError(400, 'MISSING_ARGUMENT', 'ids is required');
    if (ids.length > limit) throw new SfApiError(400, 'EXCEEDED_ID_LIMIT', `Maximum number of ids allowed is ${limit}; got ${ids.length}.`);
    if (!fieldsParam) throw new SfApiError(400, 'MISSING_ARGUMENT', 'fields is required');
    const fields = selectedFields(object, fieldsParam);
    const out = ids.map((raw) => {
      const id = normalizeId(raw);
      const record = id ? org.store.get(object.name, id) : undefined;
      return record && !record.IsDeleted ? renderRecord(object, record, req.version, fields) : null;
    });
    org.stats.recordsRead(out.filter(Boolean).length);
    return json(200, out);
  };

  router.add('GET', '/composite/sobjects/:type', (req, p) =>
    retrieve(req, p.type!, (req.query.get('ids') ?? '').split(',').filter(Boolean), req.query.get('fields'), 800));

  router.add('POST', '/composite/sobjects/:type', (req, p) => {
    const body = bodyObject(req);
    const ids = Array.isArray(body.ids) ? body.ids.map(String) : [];
    const fields = Array.isArray(body.fields) ? body.fields.map(String).join(',') : null;
    return retrieve(req, p.type!, ids, fields, RETRIEVE_LIMIT);
  });
}
