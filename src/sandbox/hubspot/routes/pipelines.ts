/** /crm/v3/pipelines/{type}[/{id}[/stages[/{stageId}]]] for deals and tickets. */
import { Router } from 'express';
import type { RouteContext } from '../context.js';
import { HubSpotError, sendJson } from '../errors.js';
import type { ObjectTypeDef } from '../objectTypes.js';
import { objectTypeParam } from '../params.js';
import type { Pipeline } from '../pipelines.js';

export function pipelineRoutes(ctx: RouteContext): Router {
  const { portal } = ctx;
  const router = Router();

  const pipelinesOf = (type: ObjectTypeDef): Pipeline[] => {
    const list = portal.pipelines.get(type.name);
    if (!list) throw new HubSpotError(400, 'VALIDATION_ERROR', `Object type ${type.name} does not have pipelines (deals and tickets do).`);
    return list;
  };
  const pipeline = (type: ObjectTypeDef, id: string): Pipeline => {
    const p = pipelinesOf(type).find((x) => x.id === id);
    if (!p) throw new HubSpotError(404, 'OBJECT_NOT_FOUND', `Pipeline ${id} does not exist for ${type.name}.`, { context: { pipelineId: [id] } });
    return p;
  };

  router.get('/crm/v3/pipelines/:type', (req, res) => {
    sendJson(res, 200, { results: pipelinesOf(objectTypeParam(req.params.type)) });
  });
  router.get('/crm/v3/pipelines/:type/:id', (req, res) => {
    sendJson(res, 200, pipeline(objectTypeParam(req.params.type), req.params.id));
  });
  router.get('/crm/v3/pipelines/:type/:id/stages', (req, res) => {
    sendJson(res, 200, { results: pipeline(objectTypeParam(req.params.type), req.params.id).stages });
  });
  router.get('/crm/v3/pipelines/:type/:id/stages/:stageId', (req, res) => {
    const type = objectTypeParam(req.params.type);
    const stage = pipeline(type, req.params.id).stages.find((s) => s.id === req.params.stageId);
    if (!stage) throw new HubSpotError(404, 'OBJECT_NOT_FOUND', `Stage ${req.params.stageId} does not exist in pipeline ${req.params.id}.`);
    sendJson(res, 200, stage);
  });
  return router;
}
