/** /crm/v3/owners (with or without the trailing slash the SDK sends) and /crm/v3/owners/{id}. */
import { Router } from 'express';
import type { RouteContext } from '../context.js';
import { HubSpotError, sendJson } from '../errors.js';
import { boolParam, decodeCursor, encodeCursor, intParam, stringParam } from '../params.js';

export function ownerRoutes(ctx: RouteContext): Router {
  const { portal } = ctx;
  const router = Router();

  router.get('/crm/v3/owners', (req, res) => {
    const q = req.query as Record<string, unknown>;
    const limit = intParam(q.limit, 'limit', { fallback: 100, max: 500 });
    const from = decodeCursor(stringParam(q.after));
    const email = stringParam(q.email);
    const all = portal.owners.list({ archived: boolParam(q.archived), ...(email ? { email } : {}) });
    const start = from === undefined ? 0 : all.findIndex((o) => Number(o.id) >= Number(from));
    const slice = start < 0 ? [] : all.slice(start, start + limit);
    const next = start < 0 ? undefined : all[start + limit];
    sendJson(res, 200, { results: slice, ...(next ? { paging: { next: { after: encodeCursor(next.id), link: `?after=${encodeCursor(next.id)}` } } } : {}) });
  });

  router.get('/crm/v3/owners/:id', (req, res) => {
    const q = req.query as Record<string, unknown>;
    const byUser = stringParam(q.idProperty) === 'userId';
    const owner = byUser ? portal.owners.getByUserId(Number(req.params.id)) : portal.owners.get(req.params.id);
    if (!owner || owner.archived !== boolParam(q.archived)) {
      throw new HubSpotError(404, 'OBJECT_NOT_FOUND', `No owner with ${byUser ? 'userId' : 'id'} ${req.params.id}.`, { context: { id: [req.params.id] } });
    }
    sendJson(res, 200, owner);
  });
  return router;
}
