/**
 * What happens to every API call before its handler: accounting (route key, status), fault
 * injection, bearer authentication, then HubSpot's rate limits and their headers.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { FaultInjector } from '../common/faults.js';
import type { CallStats } from '../common/stats.js';
import { expiredAuthentication, HubSpotError, invalidAuthentication } from './errors.js';
import { tenSecondlyError, type HubSpotLimits } from './limits.js';
import { isSearchPath, routeKey } from './routeKey.js';
import type { TokenRegistry } from './tokens.js';

export interface ApiGateOptions {
  stats: CallStats;
  faults: FaultInjector;
  limits: HubSpotLimits;
  tokens: TokenRegistry;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function bearer(req: Request): string | undefined {
  const h = req.headers.authorization;
  const m = h ? /^Bearer\s+(\S+)$/i.exec(h) : null;
  return m?.[1];
}

export function apiGate(options: ApiGateOptions): RequestHandler {
  const { stats, faults, limits, tokens } = options;
  return async (req: Request, res: Response, next: NextFunction) => {
    stats.call(routeKey(req.method, req.path));
    // every call ends exactly once for the stats (a dropped connection has no status)
    let ended = false;
    res.on('finish', () => {
      ended = true;
      stats.status(res.statusCode);
    });
    res.on('close', () => {
      if (!ended) stats.observer?.ended();
      ended = true;
    });

    const fault = faults.pick(req.method, req.path);
    if (fault?.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'latency') await sleep(fault.latencyMs);
    if (fault?.kind === '429') throw tenSecondlyError();
    if (fault?.kind === '5xx') throw new HubSpotError(fault.status, 'INTERNAL_ERROR', `Injected ${fault.status} (sandbox fault rule); retry later.`);
    if (fault?.kind === 'expire') throw expiredAuthentication(new Date(Date.now() - 1000));

    const token = bearer(req);
    const check = tokens.check(token);
    if (!check.ok) throw check.expiredAt ? expiredAuthentication(check.expiredAt) : invalidAuthentication();

    const { headers } = limits.admit(token!, isSearchPath(req.path));
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    next();
  };
}
