/**
 * v4 associations: per-record list (paged, 500 default), create with labels (201), create default
 * (200), archive (204), and the batch forms (read ≤ 1,000 inputs with per-record paging, create,
 * associate/default, archive), plus the labels table.
 */
import { Router } from 'express';
import { z } from 'zod';
import { associationTypeById, typesBetween } from '../associations.js';
import { AssociationSpecSchema, IdSchema, linkFromSpecs, type PlannedLink } from '../associationWrites.js';
import type { RouteContext } from '../context.js';
import { sendJson, validationError } from '../errors.js';
import type { ObjectTypeDef } from '../objectTypes.js';
import { intParam, objectTypeParam, parseBody, stringParam } from '../params.js';

const MAX_BATCH_READ = 1000;
const MAX_BATCH_WRITE = 2000;

const BatchReadSchema = z.object({ inputs: z.array(z.object({ id: IdSchema, after: z.string().optional() })) });
const BatchCreateSchema = z.object({
  inputs: z.array(z.object({ from: z.object({ id: IdSchema }), to: z.object({ id: IdSchema }), types: z.array(AssociationSpecSchema).min(1) })),
});
const BatchDefaultSchema = z.object({ inputs: z.array(z.object({ from: z.object({ id: IdSchema }), to: z.object({ id: IdSchema }) })) });
const BatchArchiveSchema = z.object({ inputs: z.array(z.object({ from: z.object({ id: IdSchema }), to: z.array(z.object({ id: IdSchema })) })) });

function typeSpec(typeId: number): { category: string; typeId: number; label: string | null } {
  const info = associationTypeById(typeId);
  return info ? { category: 'HUBSPOT_DEFINED', typeId, label: info.label } : { category: 'USER_DEFINED', typeId, label: null };
}

function offsetCursor(offset: number): string {
  return Buffer.from(String(offset)).toString('base64url');
}

function decodeOffset(after: string | undefined): number {
  if (!after) return 0;
  const n = Number(Buffer.from(after, 'base64url').toString());
  if (!Number.isInteger(n) || n < 0) throw validationError(`Invalid 'after' cursor "${after}": use paging.next.after from the previous response.`);
  return n;
}

function assertSize(count: number, max: number): void {
  if (count > max) throw validationError(`Batch input size ${count} exceeds the maximum of ${max}; split the request.`, { context: { maxInputs: [String(max)] } });
}

export function associationV4Routes(ctx: RouteContext): Router {
  const { portal, stats } = ctx;
  const router = Router();

  /** A record's live associations to a type, from `offset`, at most `limit`. */
  const page = (from: ObjectTypeDef, fromId: string, to: ObjectTypeDef, offset: number, limit: number) => {
    const live = portal.associations.targets(from.name, fromId, to.name).filter((id) => portal.find(to, id) !== undefined);
    const slice = live.slice(offset, offset + limit);
    const results = slice.map((toId) => ({
      toObjectId: Number(toId),
      associationTypes: portal.associations.typeIds(from.name, fromId, to.name, toId).map(typeSpec),
    }));
    const next = offset + slice.length;
    return { results, total: live.length, nextAfter: next < live.length ? offsetCursor(next) : undefined };
  };

  const labelsBetween = (from: ObjectTypeDef, fromId: string, to: ObjectTypeDef, toId: string) => ({
    fromObjectTypeId: from.typeId,
    fromObjectId: Number(fromId),
    toObjectTypeId: to.typeId,
    toObjectId: Number(toId),
    labels: portal.associations.typeIds(from.name, fromId, to.name, toId).map((t) => typeSpec(t).label).filter((l): l is string => l !== null),
  });

  const link = (from: ObjectTypeDef, fromId: string, l: PlannedLink): boolean =>
    portal.associations.add(from.name, fromId, l.to.name, l.toId, { primary: l.primary, labelTypeIds: l.labelTypeIds });

  const exists = (t: ObjectTypeDef, id: string) => portal.find(t, id) !== undefined;

  router.get('/crm/v4/objects/:type/:id/associations/:toType', (req, res) => {
    const from = objectTypeParam(req.params.type);
    const to = objectTypeParam(req.params.toType);
    const q = req.query as Record<string, unknown>;
    const limit = intParam(q.limit, 'limit', { fallback: 500, max: 500 });
    const p = page(from, req.params.id, to, decodeOffset(stringParam(q.after)), limit);
    stats.recordsRead(p.results.length);
    sendJson(res, 200, { results: p.results, ...(p.nextAfter ? { paging: { next: { after: p.nextAfter } } } : {}) });
  });

  router.put('/crm/v4/objects/:type/:id/associations/default/:toType/:toId', (req, res) => {
    const from = objectTypeParam(req.params.type);
    const to = objectTypeParam(req.params.toType);
    const { id, toId } = req.params;
    if (!exists(from, id) || !exists(to, toId)) throw validationError(`Cannot associate ${from.singular} ${id} with ${to.singular} ${toId}: one of them does not exist.`);
    const l = linkFromSpecs(from, to, toId, []);
    if (link(from, id, l)) stats.recordsWritten(1);
    const unlabeled = typesBetween(from.name, to.name)[0]!;
    sendJson(res, 200, {
      status: 'COMPLETE',
      results: [{ from: { id }, to: { id: toId }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: unlabeled.typeId } }],
      startedAt: new Date().toISOString(),
      completedAt: new Date().toISOString(),
    });
  });

  router.put('/crm/v4/objects/:type/:id/associations/:toType/:toId', (req, res) => {
    const from = objectTypeParam(req.params.type);
    const to = objectTypeParam(req.params.toType);
    const { id, toId } = req.params;
    const specs = parseBody(z.array(AssociationSpecSchema).min(1), req.body);
    if (!exists(from, id) || !exists(to, toId)) throw validationError(`Cannot associate ${from.singular} ${id} with ${to.singular} ${toId}: one of them does not exist.`);
    if (link(from, id, linkFromSpecs(from, to, toId, specs))) stats.recordsWritten(1);
    sendJson(res, 201, labelsBetween(from, id, to, toId));
  });

  router.delete('/crm/v4/objects/:type/:id/associations/:toType/:toId', (req, res) => {
    const from = objectTypeParam(req.params.type);
    const to = objectTypeParam(req.params.toType);
    if (portal.associations.remove(from.name, req.params.id, to.name, req.params.toId)) stats.recordsWritten(1);
    res.status(204).end();
  });

  router.get('/crm/v4/associations/:from/:to/labels', (req, res) => {
    const from = objectTypeParam(req.params.from);
    const to = objectTypeParam(req.params.to);
    sendJson(res, 200, { results: typesBetween(from.name, to.name).map((t) => typeSpec(t.typeId)) });
  });

  router.post('/crm/v4/associations/:from/:to/batch/read', (req, res) => {
    const from = objectTypeParam(req.params.from);
    const to = objectTypeParam(req.params.to);
    const input = parseBody(BatchReadSchema, req.body);
    assertSize(input.inputs.length, MAX_BATCH_READ);
    const startedAt = new Date().toISOString();
    const results: unknown[] = [];
    const errors: unknown[] = [];
    let rows = 0;
    for (const { id, after } of input.inputs) {
      const p = page(from, id, to, decodeOffset(after), ctx.associationPageSize);
      if (p.total === 0) {
        errors.push({
          status: 'error',
          category: 'OBJECT_NOT_FOUND',
          subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
          message: `No ${to.singular} is associated with ${from.singular} ${id}.`,
          context: { fromObjectId: [id] },
        });
        continue;
      }
      rows += p.results.length;
      results.push({ from: { id }, to: p.results, ...(p.nextAfter ? { paging: { next: { after: p.nextAfter } } } : {}) });
    }
    stats.recordsRead(rows);
    const body: Record<string, unknown> = { status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() };
    if (errors.length > 0) Object.assign(body, { numErrors: errors.length, errors });
    sendJson(res, errors.length > 0 ? 207 : 200, body);
  });

  router.post('/crm/v4/associations/:from/:to/batch/create', (req, res) => {
    const from = objectTypeParam(req.params.from);
    const to = objectTypeParam(req.params.to);
    const input = parseBody(BatchCreateSchema, req.body);
    assertSize(input.inputs.length, MAX_BATCH_WRITE);
    const startedAt = new Date().toISOString();
    const planned = input.inputs.map((i) => ({ fromId: i.from.id, l: linkFromSpecs(from, to, i.to.id, i.types) }));
    const results: unknown[] = [];
    const missing: string[] = [];
    let written = 0;
    for (const { fromId, l } of planned) {
      if (!exists(from, fromId) || !exists(to, l.toId)) {
        missing.push(exists(from, fromId) ? l.toId : fromId);
        continue;
      }
      if (link(from, fromId, l)) written += 1;
      results.push(labelsBetween(from, fromId, to, l.toId));
    }
    stats.recordsWritten(written);
    const body: Record<string, unknown> = { status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() };
    if (missing.length > 0) {
      Object.assign(body, { numErrors: 1, errors: [{ status: 'error', category: 'VALIDATION_ERROR', message: `Could not associate some records: they do not exist (${missing.join(', ')}).`, context: { ids: missing } }] });
    }
    sendJson(res, missing.length > 0 ? 207 : 201, body);
  });

  router.post('/crm/v4/associations/:from/:to/batch/associate/default', (req, res) => {
    const from = objectTypeParam(req.params.from);
    const to = objectTypeParam(req.params.to);
    const input = parseBody(BatchDefaultSchema, req.body);
    assertSize(input.inputs.length, MAX_BATCH_WRITE);
    const startedAt = new Date().toISOString();
    const unlabeled = typesBetween(from.name, to.name)[0];
    if (!unlabeled) throw validationError(`${from.name} cannot be associated with ${to.name} in this sandbox.`);
    const results: unknown[] = [];
    let written = 0;
    for (const i of input.inputs) {
      if (!exists(from, i.from.id) || !exists(to, i.to.id)) continue;
      if (link(from, i.from.id, linkFromSpecs(from, to, i.to.id, []))) written += 1;
      results.push({ from: { id: i.from.id }, to: { id: i.to.id }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: unlabeled.typeId } });
    }
    stats.recordsWritten(written);
    sendJson(res, 200, { status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() });
  });

  router.post('/crm/v4/associations/:from/:to/batch/archive', (req, res) => {
    const from = objectTypeParam(req.params.from);
    const to = objectTypeParam(req.params.to);
    const input = parseBody(BatchArchiveSchema, req.body);
    assertSize(input.inputs.length, MAX_BATCH_WRITE);
    let written = 0;
    for (const i of input.inputs) {
      for (const t of i.to) if (portal.associations.remove(from.name, i.from.id, to.name, t.id)) written += 1;
    }
    stats.recordsWritten(written);
    res.status(204).end();
  });

  return router;
}
