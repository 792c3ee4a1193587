/** v3 objects: list with paging, single-record read, create (201), update (200), archive (204). */
import { Router } from 'express';
import { z } from 'zod';
import { applyLinks, InlineAssociationSchema, planInlineAssociations } from '../associationWrites.js';
import type { RouteContext } from '../context.js';
import { objectNotFound, sendJson, validationError } from '../errors.js';
import {
  associationTypesParam, boolParam, decodeCursor, encodeCursor, intParam, listParam, objectTypeParam, parseBody, stringParam,
} from '../params.js';
import { serializeRecord, serializeWritten, type ReadShape } from '../serialize.js';

export const PropertyValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export const PropertiesSchema = z.record(z.string(), PropertyValueSchema);

const CreateSchema = z.object({
  properties: PropertiesSchema,
  associations: z.array(InlineAssociationSchema).optional(),
});
const UpdateSchema = z.object({ properties: PropertiesSchema });

const MAX_LIST_LIMIT = 100;
/** Page size served when property history is requested: as batch reads, at most 50 (larger limits are clamped, not refused). */
const MAX_LIST_LIMIT_WITH_HISTORY = 50;

export function readShape(ctx: RouteContext, query: Record<string, unknown>): ReadShape {
  return {
    properties: listParam(query.properties),
    propertiesWithHistory: listParam(query.propertiesWithHistory),
    associations: associationTypesParam(query.associations),
    maxInline: ctx.maxAssociationsInline,
  };
}

export function objectRoutes(ctx: RouteContext): Router {
  const { portal, stats } = ctx;
  const router = Router();

  router.get('/crm/v3/objects/:type', (req, res) => {
    const type = objectTypeParam(req.params.type);
    const q = req.query as Record<string, unknown>;
    const shape = readShape(ctx, q);
    const requested = intParam(q.limit, 'limit', { fallback: 10, max: MAX_LIST_LIMIT });
    const limit = shape.propertiesWithHistory.length > 0 ? Math.min(requested, MAX_LIST_LIMIT_WITH_HISTORY) : requested;
    const fromId = decodeCursor(stringParam(q.after));
    const { records, nextId } = portal.store(type).page(fromId, limit, boolParam(q.archived));
    const body: Record<string, unknown> = { results: records.map((r) => serializeRecord(portal, type, r, shape)) };
    if (nextId !== undefined) {
      const after = encodeCursor(nextId);
      body.paging = { next: { after, link: `${req.protocol}://${req.get('host')}${req.path}?after=${after}` } };
    }
    stats.recordsRead(records.length);
    sendJson(res, 200, body);
  });

  router.get('/crm/v3/objects/:type/:id', (req, res) => {
    const type = objectTypeParam(req.params.type);
    const q = req.query as Record<string, unknown>;
    const r = portal.findBy(type, req.params.id, stringParam(q.idProperty), boolParam(q.archived));
    if (!r) throw objectNotFound(type.name, req.params.id);
    stats.recordsRead(1);
    sendJson(res, 200, serializeRecord(portal, type, r, readShape(ctx, q)));
  });

  router.post('/crm/v3/objects/:type', (req, res) => {
    const type = objectTypeParam(req.params.type);
    const input = parseBody(CreateSchema, req.body);
    const props = portal.normalizeWrite(type, input.properties);
    const links = planInlineAssociations(portal, type, input.associations ?? []);
    const r = portal.createRecord(type, props);
    applyLinks(portal, type, r.id, links);
    stats.recordsWritten(1);
    sendJson(res, 201, serializeWritten(portal, type, r, Object.keys(input.properties)));
  });

  router.patch('/crm/v3/objects/:type/:id', (req, res) => {
    const type = objectTypeParam(req.params.type);
    const input = parseBody(UpdateSchema, req.body);
    const r = portal.findBy(type, req.params.id, stringParam((req.query as Record<string, unknown>).idProperty));
    if (!r) throw objectNotFound(type.name, req.params.id);
    const props = portal.normalizeWrite(type, input.properties);
    if (portal.updateRecord(type, r, props).length > 0) stats.recordsWritten(1);
    sendJson(res, 200, serializeWritten(portal, type, r, Object.keys(input.properties)));
  });

  router.delete('/crm/v3/objects/:type/:id', (req, res) => {
    const type = objectTypeParam(req.params.type);
    if (!/^\d+$/.test(req.params.id)) throw validationError(`Invalid id "${req.params.id}": record ids are numeric.`);
    const r = portal.find(type, req.params.id);
    if (r && portal.archiveRecord(type, r)) stats.recordsWritten(1);
    res.status(204).end();
  });

  return router;
}
