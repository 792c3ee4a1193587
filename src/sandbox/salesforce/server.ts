/**
 * The Salesforce sandbox over HTTP, mounted at the root of its host:port (jsforce builds some
 * Bulk 2.0 URLs from the origin). Every call under /services/data/vXX.X/ goes through: call
 * accounting -> fault injection -> session check -> daily allowance -> the route, and counted
 * responses carry `Sforce-Limit-Info: api-usage=<used>/<max>`. The OAuth token endpoint,
 * `GET /services/data/` and `/__sandbox/*` are not API calls.
 */
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response } from 'express';
import { parseFaultSpec, FaultSpecError, type FaultRuleInput } from '../common/faults.js';
import type { RunningSandbox } from '../common/types.js';
import { SfApiError } from './errors.js';
import { tokenGrant } from './oauth.js';
import { API_VERSIONS, SalesforceOrg, type SalesforceSandboxOptions } from './org.js';
import { routeKey } from './route-key.js';
import { ApiRouter, handle, type ApiResponse } from './router.js';
import { registerBulkIngestRoutes } from './routes/bulk-ingest.js';
import { registerBulkQueryRoutes } from './routes/bulk-query.js';
import { registerCollectionRoutes } from './routes/collections.js';
import { registerCompositeRoutes } from './routes/composite.js';
import { registerLimitsAndToolingRoutes } from './routes/limits-tooling.js';
import { QueryCursors, registerQueryRoutes } from './routes/query.js';
import { registerRecordCountRoutes } from './routes/record-count.js';
import { registerSObjectRoutes } from './routes/sobjects.js';
import { loadSeed } from './seed.js';

export type { SalesforceSandboxOptions } from './org.js';
export { DEFAULT_SESSION_TOKEN, DEFAULT_REFRESH_TOKEN } from './org.js';

const JSON_TYPE = 'application/json;charset=UTF-8';
const apiPath = /^\/services\/data\/v(\d+\.\d+)(\/.*)?$/;

function sendJson(res: Response, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.status(status).set({ 'Content-Type': JSON_TYPE, ...headers }).send(JSON.stringify(body));
}

function sendApiResponse(res: Response, response: ApiResponse): void {
  res.status(response.status);
  if (response.headers) res.set(response.headers);
  if (response.text !== undefined) res.set('Content-Type', `${response.contentType ?? 'text/plain'};charset=UTF-8`).send(response.text);
  else if (response.json !== undefined) res.set('Content-Type', JSON_TYPE).send(JSON.stringify(response.json));
  else res.end();
}

function buildRouter(org: SalesforceOrg): ApiRouter {
  const router = new ApiRouter();
  router.add('GET', '/', (req) =>
    ({ status: 200, json: Object.fromEntries(['sobjects', 'query', 'queryAll', 'composite', 'jobs', 'limits', 'tooling'].map((r) => [r, `/services/data/v${req.version}/${r}`])) }));
  registerQueryRoutes(router, org, new QueryCursors(50));
  registerSObjectRoutes(router, org);
  registerCollectionRoutes(router, org);
  registerCompositeRoutes(router, org);
  registerBulkQueryRoutes(router, org);
  registerBulkIngestRoutes(router, org);
  registerLimitsAndToolingRoutes(router, org);
  registerRecordCountRoutes(router, org);
  return router;
}

export function createSalesforceApp(options: SalesforceSandboxOptions): { app: express.Express; org: SalesforceOrg } {
  const org = new SalesforceOrg(options);
  loadSeed(org, options.seed);
  org.openDefaultSession();
  const router = buildRouter(org);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(express.raw({ type: () => true, limit: '200mb' }));

  app.post('/services/oauth2/token', (req: Request, res: Response) => {
    const form = new URLSearchParams(bodyText(req));
    const result = tokenGrant(org, form);
    sendJson(res, result.status, result.body);
  });

  app.get(['/services/data', '/services/data/'], (_req, res) => {
    sendJson(res, 200, API_VERSIONS.map((v) => ({ label: `v${v}`, url: `/services/data/v${v}`, version: v })));
  });

  app.get('/__sandbox/stats', (_req, res) => sendJson(res, 200, org.stats.snapshot()));
  app.post('/__sandbox/reset', (_req, res) => {
    org.stats.reset();
    org.apiUsage = 0;
    sendJson(res, 200, org.stats.snapshot());
  });
  app.get('/__sandbox/faults', (_req, res) => sendJson(res, 200, { rules: org.faults.list() }));
  app.delete('/__sandbox/faults', (_req, res) => {
    org.faults.clear();
    sendJson(res, 200, { rules: [] });
  });
  app.post('/__sandbox/faults', (req, res) => {
    try {
      const body = JSON.parse(bodyText(req) || '{}') as { rules?: FaultRuleInput[]; spec?: string };
      org.faults.set(body.spec !== undefined ? parseFaultSpec(body.spec) : (body.rules ?? []));
      sendJson(res, 200, { rules: org.faults.list() });
    } catch (error) {
      const message = error instanceof FaultSpecError || error instanceof SyntaxError ? error.message : `invalid rules: ${(error as Error).message}`;
      sendJson(res, 400, [{ errorCode: 'INVALID_FAULT_RULES', message: `${message}. Send {"rules":[{"kind":"429",...}]} or {"spec":"429:0.1@GET /services/data/*"}.` }]);
    }
  });

  app.use(async (req: Request, res: Response) => {
    const m = apiPath.exec(req.path);
    if (!m) {
      sendJson(res, 404, [{ errorCode: 'NOT_FOUND', message: `The requested resource does not exist: ${req.method} ${req.path}` }]);
      return;
    }
    try {
      await serveApiCall(org, router, req, res, m[1]!, (m[2] ?? '/').replace(/\/+$/, '') || '/');
    } catch (error) {
      // Never crash on a bad request: anything unexpected is a 500 with the Salesforce error shape.
      if (!res.headersSent) sendJson(res, 500, [{ errorCode: 'UNKNOWN_EXCEPTION', message: `An unexpected error occurred in the sandbox: ${(error as Error).message}` }]);
    }
  });

  return { app, org };
}

function bodyText(req: Request): string {
  return Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function serveApiCall(org: SalesforceOrg, router: ApiRouter, req: Request, res: Response, version: string, path: string): Promise<void> {
  org.stats.call(routeKey(req.method, req.path));
  res.on('finish', () => org.stats.status(res.statusCode));

  const fault = org.faults.pick(req.method, req.path);
  if (fault) {
    switch (fault.kind) {
      case 'drop':
        org.stats.status(599);
        req.socket.destroy();
        return;
      case 'latency':
        await sleep(fault.latencyMs);
        break;
      case '429':
        sendJson(res, 429, [{ message: 'Too many requests: the sandbox injected a rate-limit fault.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
        return;
      case '5xx':
        sendJson(res, fault.status, [{ message: `The sandbox injected a ${fault.status} fault; retry the request.`, errorCode: fault.status === 503 ? 'SERVER_UNAVAILABLE' : 'UNKNOWN_EXCEPTION' }]);
        return;
      case 'expire':
        sendJson(res, 401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
        return;
    }
  }

  const authorization = req.get('authorization') ?? '';
  const token = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(authorization)?.[1]?.trim() ?? '';
  const session = token ? org.sessions.validate(token) : null;
  if (!session) {
    sendJson(res, 401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    return;
  }
  if (org.apiUsage >= org.dailyLimit) {
    sendJson(res, 403, [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
    return;
  }
  org.apiUsage += 1;
  res.set('Sforce-Limit-Info', `api-usage=${org.apiUsage}/${org.dailyLimit}`);

  const raw = bodyText(req);
  let body: unknown;
  if (raw && !/text\/csv/i.test(req.get('content-type') ?? '')) {
    try {
      body = JSON.parse(raw);
    } catch {
      if (/json/i.test(req.get('content-type') ?? '') || /^\s*[[{]/.test(raw)) {
        sendJson(res, 400, new SfApiError(400, 'JSON_PARSER_ERROR', `The request body is not valid JSON: ${raw.slice(0, 80)}`).body());
        return;
      }
    }
  }
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  const query = new URL(req.originalUrl, 'http://sandbox.local').searchParams;
  const response = await handle(router, { method: req.method, path, version, query, headers, body, rawBody: raw, userId: session.userId });
  sendApiResponse(res, response);
}

/** Starts the sandbox on 127.0.0.1 (port 0 = ephemeral). */
export interface RunningSalesforceSandbox extends RunningSandbox {
  /** the simulated org (records, schema, sessions), for tests that look behind the API */
  org: SalesforceOrg;
}

export async function startSalesforceSandbox(options: SalesforceSandboxOptions & { port?: number; host?: string }): Promise<RunningSalesforceSandbox> {
  const { app, org } = createSalesforceApp(options);
  const host = options.host ?? '127.0.0.1';
  // Read the port before any closure: a closure over `options` would keep the whole seed org alive.
  const listenPort = options.port ?? 0;
  const server = await new Promise<import('node:http').Server>((resolve, reject) => {
    const s = app.listen(listenPort, host, (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host}:${port}`;
  org.baseUrl = url;
  return {
    name: 'Salesforce',
    org,
    url,
    token: org.token,
    port,
    stats: org.stats,
    faults: org.faults,
    externalId: (seedKey) => org.seedIds.get(seedKey),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
