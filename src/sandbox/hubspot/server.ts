/**
 * The HubSpot sandbox: an express app that `@hubspot/api-client`, unmodified (only `basePath`
 * changes), cannot tell from api.hubapi.com for the API subset AccountPulse uses.
 *
 *   const sb = await startHubSpotSandbox({ seed, port: 0 });
 *   const client = new Client({ accessToken: sb.token, basePath: sb.url });
 */
import express, { Router, type ErrorRequestHandler } from 'express';
import type { AddressInfo } from 'node:net';
import { FaultInjector } from '../common/faults.js';
import { CallStats } from '../common/stats.js';
import type { RunningSandbox } from '../common/types.js';
import type { SeedStream } from '../seed/generate.js';
import type { SeedOrg } from '../seed/types.js';
import { apiGate } from './apiGate.js';
import type { RouteContext } from './context.js';
import { HubSpotError, sendJson, validationError } from './errors.js';
import { HubSpotLimits, RateLimitError } from './limits.js';
import { HubSpotPortal } from './portal.js';
import { adminRoutes } from './routes/admin.js';
import { associationV4Routes } from './routes/associationsV4.js';
import { batchRoutes } from './routes/batch.js';
import { mergeRoutes } from './routes/merge.js';
import { oauthRoutes } from './routes/oauth.js';
import { objectRoutes } from './routes/objects.js';
import { ownerRoutes } from './routes/owners.js';
import { pipelineRoutes } from './routes/pipelines.js';
import { propertyRoutes } from './routes/properties.js';
import { searchRoutes } from './routes/search.js';
import { defaultSearchLimits, type SearchLimits } from './search.js';
import { loadSeed, loadSeedStream } from './seed.js';
import { DEFAULT_PRIVATE_APP_TOKEN, TokenRegistry } from './tokens.js';
import { WebhookEmitter, type WebhookOptions } from './webhooks.js';

export interface HubSpotSandboxOptions {
  /** accounts with crm 'hubspot' or 'both' and what belongs to them; null = empty portal */
  seed: SeedOrg | null;
  /** instead of `seed`: the same part generated chunk by chunk as it loads (only one chunk alive at a time) */
  seedStream?: SeedStream | null;
  /** private-app token accepted as Bearer (default DEFAULT_PRIVATE_APP_TOKEN) */
  token?: string;
  /** calls per rolling 10 s per token (default 190) */
  ratePer10s?: number;
  /** calls per day per token (default 1,000,000) */
  dailyLimit?: number;
  /** search calls per second per token (default 5) */
  searchPerSecond?: number;
  faults?: FaultInjector;
  stats?: CallStats;
  /** where to POST change events, and the app's client secret for signatures */
  webhook?: WebhookOptions;
  /** a write is invisible to search (which sees the previous version) for this long (default 0) */
  searchIndexDelayMs?: number;
  /** clock for record timestamps, token expiry and the daily reset (default: wall clock) */
  now?: () => Date;
  /** inline associations listed per type on a record read before `paging` (default 100) */
  maxAssociationsInline?: number;
  /** per-record page of v4 association reads, batch and single (default 500) */
  associationPageSize?: number;
  /** search filter-count and result caps (default 5 groups, 6 per group, 18 total, 10,000 results) */
  searchLimits?: Partial<SearchLimits>;
}

export interface HubSpotApp {
  app: express.Express;
  portal: HubSpotPortal;
  stats: CallStats;
  faults: FaultInjector;
  limits: HubSpotLimits;
  tokens: TokenRegistry;
  webhooks: WebhookEmitter | undefined;
}

const errorHandler: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  let error: HubSpotError;
  if (err instanceof HubSpotError) error = err;
  else if (typeof err === 'object' && err !== null && (err as { type?: string }).type === 'entity.parse.failed') {
    error = validationError(`Invalid input JSON: ${(err as Error).message}`);
  } else if (typeof err === 'object' && err !== null && (err as { type?: string }).type === 'entity.too.large') {
    error = new HubSpotError(413, 'VALIDATION_ERROR', 'Request body too large.');
  } else {
    error = new HubSpotError(500, 'INTERNAL_ERROR', `Sandbox internal error: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (error instanceof RateLimitError) for (const [k, v] of Object.entries(error.headers)) res.setHeader(k, v);
  sendJson(res, error.status, error.body());
};

export function createHubSpotApp(options: HubSpotSandboxOptions): HubSpotApp {
  const now = options.now ?? (() => new Date());
  const portal = new HubSpotPortal({ now, searchIndexDelayMs: options.searchIndexDelayMs ?? 0 });
  if (options.seed) loadSeed(portal, options.seed);
  else if (options.seedStream) loadSeedStream(portal, options.seedStream);
  const stats = options.stats ?? new CallStats();
  const faults = options.faults ?? new FaultInjector();
  const limits = new HubSpotLimits({
    ratePer10s: options.ratePer10s ?? 190,
    dailyLimit: options.dailyLimit ?? 1_000_000,
    searchPerSecond: options.searchPerSecond ?? 5,
    now,
  });
  const tokens = new TokenRegistry({ privateAppToken: options.token ?? DEFAULT_PRIVATE_APP_TOKEN, now });
  const webhooks = options.webhook ? new WebhookEmitter(options.webhook, portal.portalId) : undefined;
  if (webhooks) portal.onChange((e) => webhooks.enqueue(e));

  const ctx: RouteContext = {
    portal,
    stats,
    maxAssociationsInline: options.maxAssociationsInline ?? 100,
    associationPageSize: options.associationPageSize ?? 500,
  };

  const app = express();
  app.disable('x-powered-by');
  app.use(adminRoutes({ portal, stats, faults, limits }));
  app.use(oauthRoutes(tokens));

  const api = Router();
  api.use(apiGate({ stats, faults, limits, tokens }));
  api.use(express.json({ limit: '50mb' }));
  api.use(searchRoutes(ctx, { ...defaultSearchLimits, ...options.searchLimits }));
  api.use(batchRoutes(ctx));
  api.use(mergeRoutes(ctx));
  api.use(objectRoutes(ctx));
  api.use(associationV4Routes(ctx));
  api.use(propertyRoutes(ctx));
  api.use(pipelineRoutes(ctx));
  api.use(ownerRoutes(ctx));
  api.use((req) => {
    throw new HubSpotError(404, 'OBJECT_NOT_FOUND', `No sandbox route for ${req.method} ${req.path}; see src/sandbox/hubspot/README.md for what is simulated.`);
  });
  app.use(api);
  app.use(errorHandler);
  return { app, portal, stats, faults, limits, tokens, webhooks };
}

export async function startHubSpotSandbox(
  options: HubSpotSandboxOptions & { port?: number; host?: string },
): Promise<RunningSandbox & { hubspot: HubSpotApp }> {
  const hubspot = createHubSpotApp(options);
  const host = options.host ?? '127.0.0.1';
  // read before the closures below: a closure naming `options` would keep the seed org alive
  const requestedPort = options.port ?? 0;
  const server = await new Promise<import('node:http').Server>((resolve, reject) => {
    const s = hubspot.app.listen(requestedPort, host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const { port } = server.address() as AddressInfo;
  return {
    name: 'HubSpot',
    url: `http://${host}:${port}`,
    token: hubspot.tokens.privateAppToken,
    port,
    stats: hubspot.stats,
    faults: hubspot.faults,
    externalId: (seedKey) => hubspot.portal.seedIds.get(seedKey),
    hubspot,
    close: () =>
      new Promise<void>((resolve, reject) => {
        hubspot.webhooks?.close();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
