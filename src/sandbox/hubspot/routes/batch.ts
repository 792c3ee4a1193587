/**
 * v3 batch endpoints: read / create / update / upsert / archive, at most 100 inputs (50 for reads
 * with property history). Invalid property values fail the whole batch (400); unknown ids fail only
 * their inputs (207 with `errors`).
 */
import { Router } from 'express';
import { z } from 'zod';
import { applyLinks, IdSchema, InlineAssociationSchema, planInlineAssociations } from '../associationWrites.js';
import type { RouteContext } from '../context.js';
import { sendJson, validationError } from '../errors.js';
import type { ObjectTypeDef } from '../objectTypes.js';
import { boolParam, objectTypeParam, parseBody } from '../params.js';
import type { HsRecord } from '../records.js';
import { defaultReadShape, serializeRecord, serializeWritten } from '../serialize.js';
import { PropertiesSchema } from './objects.js';

const MAX_INPUTS = 100;
const MAX_HISTORY_INPUTS = 50;

const ReadSchema = z.object({
  properties: z.array(z.string()).default([]),
  propertiesWithHistory: z.array(z.string()).default([]),
  idProperty: z.string().optional(),
  inputs: z.array(z.object({ id: IdSchema })),
});
const CreateSchema = z.object({
  inputs: z.array(z.object({
    properties: PropertiesSchema,
    associations: z.array(InlineAssociationSchema).optional(),
    objectWriteTraceId: z.string().optional(),
  })),
});
const UpdateSchema = z.object({
  inputs: z.array(z.object({ id: IdSchema, idProperty: z.string().optional(), properties: PropertiesSchema, objectWriteTraceId: z.string().optional() })),
});
const UpsertSchema = z.object({
  inputs: z.array(z.object({ id: IdSchema, idProperty: z.string().optional(), properties: PropertiesSchema, objectWriteTraceId: z.string().optional() })),
});
const ArchiveSchema = z.object({ inputs: z.array(z.object({ id: IdSchema })) });

function assertBatchSize(count: number, max = MAX_INPUTS): void {
  if (count > max) {
    const what = max === MAX_HISTORY_INPUTS ? 'The maximum number of inputs supported in a batch request for property histories is 50.' : `The maximum number of inputs supported in a batch request is ${max}.`;
    throw validationError(`${what} Received ${count} inputs; split the request into batches of ${max}.`, {
      context: { maxInputs: [String(max)], receivedInputs: [String(count)] },
    });
  }
}

function assertNoDuplicates(ids: string[]): void {
  const seen = new Set<string>();
  const dups = new Set<string>();
  for (const id of ids) (seen.has(id) ? dups : seen).add(id);
  if (dups.size > 0) throw validationError(`Duplicate IDs found in batch input: [${[...dups].join(', ')}]. IDs must be unique`);
}

interface BatchTimes {
  startedAt: string;
}

function batchBody(times: BatchTimes, results: unknown[], missing: string[], verb: string, type: ObjectTypeDef): { status: number; body: Record<string, unknown> } {
  const body: Record<string, unknown> = { status: 'COMPLETE', results, startedAt: times.startedAt, completedAt: new Date().toISOString() };
  if (missing.length === 0) return { status: 200, body };
  body.numErrors = 1;
  body.errors = [{
    status: 'error',
    category: 'OBJECT_NOT_FOUND',
    message: `Could not ${verb} some ${type.singular.toUpperCase()} objects, they may be deleted or not exist. Check that ids are valid.`,
    context: { ids: missing },
  }];
  return { status: 207, body };
}

export function batchRoutes(ctx: RouteContext): Router {
  const { portal, stats } = ctx;
  const router = Router();
  const base = '/crm/v3/objects/:type/batch';

  router.post(`${base}/read`, (req, res) => {
    const type = objectTypeParam(req.params.type);
    const input = parseBody(ReadSchema, req.body);
    assertBatchSize(input.inputs.length, input.propertiesWithHistory.length > 0 ? MAX_HISTORY_INPUTS : MAX_INPUTS);
    const times = { startedAt: new Date().toISOString() };
    const archived = boolParam((req.query as Record<string, unknown>).archived);
    const shape = { ...defaultReadShape, properties: input.properties, propertiesWithHistory: input.propertiesWithHistory };
    const results: unknown[] = [];
    const missing: string[] = [];
    const seen = new Set<string>();
    for (const { id } of input.inputs) {
      const r = portal.findBy(type, id, input.idProperty, archived);
      if (!r) missing.push(id);
      else if (!seen.has(r.id)) {
        seen.add(r.id);
        results.push(serializeRecord(portal, type, r, shape));
      }
    }
    stats.recordsRead(results.length);
    const { status, body } = batchBody(times, results, missing, 'get', type);
    sendJson(res, status, body);
  });

  router.post(`${base}/create`, (req, res) => {
    const type = objectTypeParam(req.params.type);
    const input = parseBody(CreateSchema, req.body);
    assertBatchSize(input.inputs.length);
    const times = { startedAt: new Date().toISOString() };
    // validate everything first: a bad value fails the whole batch, as in HubSpot
    const planned = input.inputs.map((i) => ({
      props: portal.normalizeWrite(type, i.properties),
      links: planInlineAssociations(portal, type, i.associations ?? []),
      written: Object.keys(i.properties),
    }));
    const created: HsRecord[] = [];
    for (const p of planned) {
      const r = portal.createRecord(type, p.props);
      applyLinks(portal, type, r.id, p.links);
      created.push(r);
    }
    stats.recordsWritten(created.length);
    sendJson(res, 201, {
      status: 'COMPLETE',
      results: created.map((r, i) => serializeWritten(portal, type, r, planned[i]!.written)),
      startedAt: times.startedAt,
      completedAt: new Date().toISOString(),
    });
  });

  router.post(`${base}/update`, (req, res) => {
    const type = objectTypeParam(req.params.type);
    const input = parseBody(UpdateSchema, req.body);
    assertBatchSize(input.inputs.length);
    assertNoDuplicates(input.inputs.map((i) => i.id));
    const times = { startedAt: new Date().toISOString() };
    const planned = input.inputs.map((i) => ({ i, props: portal.normalizeWrite(type, i.properties), record: portal.findBy(type, i.id, i.idProperty) }));
    const results: unknown[] = [];
    const missing: string[] = [];
    let written = 0;
    for (const { i, props, record } of planned) {
      if (!record) {
        missing.push(i.id);
        continue;
      }
      if (portal.updateRecord(type, record, props).length > 0) written += 1;
      results.push(serializeWritten(portal, type, record, Object.keys(i.properties)));
    }
    stats.recordsWritten(written);
    const { status, body } = batchBody(times, results, missing, 'update', type);
    sendJson(res, status, body);
  });

  router.post(`${base}/upsert`, (req, res) => {
    const type = objectTypeParam(req.params.type);
    const input = parseBody(UpsertSchema, req.body);
    assertBatchSize(input.inputs.length);
    assertNoDuplicates(input.inputs.map((i) => `${i.idProperty ?? 'hs_object_id'}:${i.id}`));
    const unique = new Set(portal.properties.uniqueNames(type.name));
    for (const i of input.inputs) {
      if (i.idProperty && i.idProperty !== 'hs_object_id' && !unique.has(i.idProperty)) {
        throw validationError(`Property "${i.idProperty}" cannot be used as idProperty: it is not a unique-value property of ${type.name} (create it with hasUniqueValue: true).`);
      }
    }
    const times = { startedAt: new Date().toISOString() };
    const planned = input.inputs.map((i) => ({ i, props: portal.normalizeWrite(type, i.properties) }));
    const results: unknown[] = [];
    const missing: string[] = [];
    let written = 0;
    for (const { i, props } of planned) {
      const existing = portal.findBy(type, i.id, i.idProperty);
      if (existing) {
        if (portal.updateRecord(type, existing, props).length > 0) written += 1;
        results.push({ ...serializeWritten(portal, type, existing, Object.keys(i.properties)), new: false });
      } else if (i.idProperty && i.idProperty !== 'hs_object_id') {
        const r = portal.createRecord(type, { ...props, [i.idProperty]: i.id });
        written += 1;
        results.push({ ...serializeWritten(portal, type, r, [...Object.keys(i.properties), i.idProperty]), new: true });
      } else {
        missing.push(i.id);
      }
    }
    stats.recordsWritten(written);
    const { status, body } = batchBody(times, results, missing, 'upsert', type);
    sendJson(res, status, body);
  });

  router.post(`${base}/archive`, (req, res) => {
    const type = objectTypeParam(req.params.type);
    const input = parseBody(ArchiveSchema, req.body);
    assertBatchSize(input.inputs.length);
    let written = 0;
    for (const { id } of input.inputs) {
      const r = portal.find(type, id);
      if (r && portal.archiveRecord(type, r)) written += 1;
    }
    stats.recordsWritten(written);
    res.status(204).end();
  });

  return router;
}

