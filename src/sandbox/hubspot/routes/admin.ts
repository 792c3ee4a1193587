/**
 * Sandbox control (not API calls): GET /__sandbox/stats, POST /__sandbox/reset (clears call
 * counters and rate-limit windows), GET|POST|DELETE /__sandbox/faults, GET /__sandbox/ids/{seedKey}.
 */
import express, { Router } from 'express';
import { z } from 'zod';
import { FaultRuleSchema, FaultSpecError, parseFaultSpec, type FaultInjector } from '../../common/faults.js';
import type { CallStats } from '../../common/stats.js';
import { HubSpotError, sendJson, validationError } from '../errors.js';
import type { HubSpotLimits } from '../limits.js';
import { parseBody } from '../params.js';
import type { HubSpotPortal } from '../portal.js';

const FaultsBodySchema = z.union([
  z.object({ rules: z.array(FaultRuleSchema) }),
  z.object({ spec: z.string() }),
]);

export function adminRoutes(deps: { portal: HubSpotPortal; stats: CallStats; faults: FaultInjector; limits: HubSpotLimits }): Router {
  const { portal, stats, faults, limits } = deps;
  const router = Router();
  router.use(express.json());

  router.get('/__sandbox/stats', (_req, res) => sendJson(res, 200, stats.snapshot()));

  router.post('/__sandbox/reset', (_req, res) => {
    stats.reset();
    limits.reset();
    sendJson(res, 200, stats.snapshot());
  });

  router.get('/__sandbox/faults', (_req, res) => sendJson(res, 200, { rules: faults.list() }));

  router.post('/__sandbox/faults', (req, res) => {
    const body = parseBody(FaultsBodySchema, req.body);
    try {
      faults.set('rules' in body ? body.rules : parseFaultSpec(body.spec));
    } catch (e) {
      if (e instanceof FaultSpecError) throw validationError(e.message);
      throw e;
    }
    sendJson(res, 200, { rules: faults.list() });
  });

  router.delete('/__sandbox/faults', (_req, res) => {
    faults.clear();
    res.status(204).end();
  });

  router.get('/__sandbox/ids/:key', (req, res) => {
    const id = portal.seedIds.get(req.params.key);
    if (id === undefined) throw new HubSpotError(404, 'OBJECT_NOT_FOUND', `No seeded record with key "${req.params.key}".`);
    sendJson(res, 200, { key: req.params.key, id });
  });
  return router;
}
