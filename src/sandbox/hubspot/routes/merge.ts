/**
 * POST /crm/v3/objects/{type}/merge (companies, contacts, deals, tickets; by name or type id):
 * `{primaryObjectId, objectIdToMerge}` → 200 with the surviving record. Errors [UNCONFIRMED
 * bodies]: a missing or non-string/number field → 400 VALIDATION_ERROR; the same id twice → 400
 * VALIDATION_ERROR; an unknown (or archived, or already merged) id → 404 OBJECT_NOT_FOUND; another
 * object type → 400 VALIDATION_ERROR.
 */
import { Router } from 'express';
import { z } from 'zod';
import { IdSchema } from '../associationWrites.js';
import type { RouteContext } from '../context.js';
import { objectNotFound, sendJson, validationError } from '../errors.js';
import { objectTypeParam, parseBody } from '../params.js';
import { mergeableTypes } from '../propertyCatalog.js';
import { serializeRecord, defaultReadShape } from '../serialize.js';

const MergeSchema = z.object({ primaryObjectId: IdSchema, objectIdToMerge: IdSchema });

export function mergeRoutes(ctx: RouteContext): Router {
  const { portal, stats } = ctx;
  const router = Router();

  router.post('/crm/v3/objects/:type/merge', (req, res) => {
    const type = objectTypeParam(req.params.type);
    if (!mergeableTypes.includes(type.name)) {
      throw validationError(`Merging ${type.name} is not supported by this sandbox; it merges ${mergeableTypes.join(', ')}.`);
    }
    const input = parseBody(MergeSchema, req.body);
    if (input.primaryObjectId === input.objectIdToMerge) {
      throw validationError(`Cannot merge ${type.singular} ${input.primaryObjectId} into itself: objectIdToMerge must differ from primaryObjectId.`);
    }
    const primary = portal.find(type, input.primaryObjectId);
    if (!primary) throw objectNotFound(type.name, input.primaryObjectId);
    const merged = portal.find(type, input.objectIdToMerge);
    if (!merged) throw objectNotFound(type.name, input.objectIdToMerge);
    const links = portal.mergeRecords(type, primary, merged);
    // the survivor changed, the merged record left, and every moved link was removed and created
    stats.recordsWritten(2 + links.linksCreated + links.linksRemoved);
    sendJson(res, 200, serializeRecord(portal, type, primary, defaultReadShape));
  });

  return router;
}
