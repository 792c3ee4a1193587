/** POST /crm/v3/objects/{type}/search (its 5/s limit is applied by the API gate). */
import { Router } from 'express';
import type { RouteContext } from '../context.js';
import { sendJson } from '../errors.js';
import { objectTypeParam, parseBody } from '../params.js';
import { runSearch, SearchCache, SearchRequestSchema, type SearchLimits } from '../search.js';
import { defaultReadShape, serializeRecord } from '../serialize.js';

export function searchRoutes(ctx: RouteContext, limits: SearchLimits): Router {
  const { portal, stats } = ctx;
  const router = Router();
  const cache = new SearchCache();
  router.post('/crm/v3/objects/:type/search', (req, res) => {
    const type = objectTypeParam(req.params.type);
    const input = parseBody(SearchRequestSchema, req.body);
    const page = runSearch(portal, type, input, limits, cache);
    const shape = { ...defaultReadShape, properties: input.properties };
    const body: Record<string, unknown> = { total: page.total, results: page.records.map((r) => serializeRecord(portal, type, r, shape)) };
    if (page.nextAfter !== undefined) body.paging = { next: { after: String(page.nextAfter) } };
    stats.recordsRead(page.records.length);
    sendJson(res, 200, body);
  });
  return router;
}
