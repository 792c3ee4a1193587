/**
 * The express app (no listen; see server.ts). Order matters:
 *   security headers → request log → probes and metrics (never rate limited, no auth)
 *   → OpenAPI, webhooks, dashboard (rate limited per IP)
 *   → /api/v1 and /admin/queues (token, then rate limited per token)
 *   → 404 problem → error handler (every error is a problem+json; nothing secret is logged).
 */
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { pinoHttp } from 'pino-http';
import type { AppContext } from '../jobs/context.js';
import { apiRoutes, API_PREFIX } from './api/index.js';
import { requireToken } from './auth.js';
import { dashboardRouter } from './dashboard/index.js';
import { healthRouter, type AuthStatusCache } from './health.js';
import { metricsRouter } from './metrics.js';
import { buildOpenApiDocument } from './openapi.js';
import { HttpProblem, problemBody, sendProblem } from './problem.js';
import { QUEUE_BOARD_PATH, queueBoardRouter } from './queueBoard.js';
import { RateLimiter } from './rateLimit.js';
import { mountRoutes } from './route.js';
import { securityHeaders } from './security.js';
import { webhookRouter } from './webhooks.js';

export interface AppOptions {
  /** false for an API-only process with no workers anywhere: /readyz then skips the worker check */
  expectWorkers?: boolean;
  /** public base URL as HubSpot calls it (needed for its signature behind a proxy) */
  publicUrl?: string;
  /** express "trust proxy" (hops or subnets) when behind a load balancer; default off */
  trustProxy?: boolean | number | string;
  /** serve bull-board at /admin/queues (default true) */
  queueBoard?: boolean;
  authCache?: AuthStatusCache;
  /** clock in ms for webhook timestamps and rate-limit windows (tests) */
  now?: () => number;
}

/** Never log query strings (`/?token=…`) or headers: method, path, status and timing only. */
function requestLogger(ctx: AppContext) {
  return pinoHttp({
    logger: ctx.logger,
    quietReqLogger: true,
    autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics' },
    serializers: {
      req: (req: { method?: string; url?: string; id?: unknown }) => ({ id: req.id, method: req.method, path: (req.url ?? '').split('?')[0] }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
  });
}

export function createApp(ctx: AppContext, options: AppOptions = {}): Express {
  const { http } = ctx.loaded.config;
  const apiToken = ctx.loaded.env.API_TOKEN;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy ?? false);
  app.set('query parser', 'simple');

  const limiterFor = (bucket: string, limitPerMinute: number) =>
    new RateLimiter({ redis: ctx.redis, prefix: ctx.store.keys.prefix, limitPerMinute, bucket, logger: ctx.logger, ...(options.now ? { now: options.now } : {}) }).middleware();
  const limiter = limiterFor('api', http.rateLimitPerMinute);

  app.use(securityHeaders);
  app.use(requestLogger(ctx));
  app.use(healthRouter(ctx, { ...(options.expectWorkers !== undefined ? { expectWorkers: options.expectWorkers } : {}), ...(options.authCache ? { authCache: options.authCache } : {}) }));
  app.use(metricsRouter(ctx));

  const openApiDocument = buildOpenApiDocument();
  app.get('/openapi.json', limiter, (_req, res) => {
    res.json(openApiDocument);
  });
  app.use('/webhooks', limiterFor('webhooks', http.webhookRateLimitPerMinute));
  app.use(webhookRouter(ctx, { bodyLimit: http.bodyLimit, ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}), ...(options.now ? { now: options.now } : {}) }));

  app.use(API_PREFIX, requireToken({ apiToken }), limiter, express.json({ limit: http.bodyLimit }), mountRoutes(ctx, apiRoutes));
  if (options.queueBoard !== false) app.use(QUEUE_BOARD_PATH, requireToken({ apiToken, acceptCookie: true }), limiter, queueBoardRouter(ctx));

  app.use(['/', '/login', '/logout', '/assets', '/favicon.ico'], limiter);
  app.use(dashboardRouter(ctx));

  app.use((req: Request) => {
    throw new HttpProblem(404, `no route ${req.method} ${req.path}; the API is under ${API_PREFIX} (see /openapi.json)`);
  });
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    if (err instanceof HttpProblem) return sendProblem(req, res, err);
    // body-parser errors carry a status and a type
    const parserError = err as { status?: number; type?: string; expose?: boolean };
    if (parserError.type === 'entity.too.large') return sendProblem(req, res, new HttpProblem(413, `request body is larger than the limit of ${http.bodyLimit} (config http.bodyLimit); split it into smaller calls`));
    if (parserError.type === 'entity.parse.failed') return sendProblem(req, res, new HttpProblem(400, 'request body is not valid JSON', { errors: [{ field: 'body', message: 'malformed JSON' }] }));
    // The router fails to decode a malformed percent-escape in a path parameter with a 400 (not exposed).
    if (err instanceof URIError || /^Failed to decode param/.test((err as Error)?.message ?? '')) {
      return sendProblem(req, res, new HttpProblem(400, 'a path parameter is not valid percent-encoding', { errors: [{ field: 'path', message: 'malformed percent-escape' }] }));
    }
    if (parserError.expose && typeof parserError.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
      return sendProblem(req, res, new HttpProblem(parserError.status, 'the request could not be read'));
    }
    ctx.logger.error({ err, path: req.path }, 'request failed');
    res.status(500).type('application/problem+json').send(JSON.stringify(problemBody(req, 500, 'unexpected error; see the server log for details')));
  });
  return app;
}
