/**
 * The OpenAPI 3.1 document, generated from the routes' zod schemas (z.toJSONSchema): the JSON API
 * from its route table, the probes, metrics and webhooks from the schemas they answer with.
 */
import { z } from 'zod';
import { API_PREFIX, apiRoutes } from './api/index.js';
import { Readiness } from './health.js';
import { Problem } from './problem.js';
import type { AnyApiRoute } from './route.js';

type Json = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
  return rest;
}

const problemRef = { $ref: '#/components/schemas/Problem' };
const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: problemRef } } });

const problemDescriptions: Record<number, string> = {
  400: 'Invalid query, path or body; `errors` names each field',
  401: 'Missing or wrong credentials (or signature)',
  404: 'No such resource',
  409: 'Replayed request',
  413: 'Body larger than the configured limit',
  429: 'Rate limit exceeded; see Retry-After',
  500: 'Unexpected error',
  501: 'Not available in this build',
  503: 'API_TOKEN (or a webhook secret) is not configured, or a dependency is down',
};

function problems(statuses: number[]): Json {
  return Object.fromEntries([...new Set(statuses)].sort((a, b) => a - b).map((s) => [String(s), problemResponse(problemDescriptions[s] ?? 'Error')]));
}

/** /api/v1/accounts/:id → /api/v1/accounts/{id} */
export function openApiPath(route: Pick<AnyApiRoute, 'path'>): string {
  return `${API_PREFIX}${route.path.replace(/:(\w+)/g, '{$1}')}`;
}

function parameters(route: AnyApiRoute): Json[] {
  const out: Json[] = [];
  for (const [where, schema] of [['path', route.params], ['query', route.query]] as const) {
    if (!(schema instanceof z.ZodObject)) continue;
    for (const [name, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
      const fieldSchema = jsonSchema(field, 'input');
      out.push({
        name,
        in: where,
        required: where === 'path' || !field.safeParse(undefined).success,
        ...(typeof fieldSchema.description === 'string' ? { description: fieldSchema.description } : {}),
        schema: fieldSchema,
      });
    }
  }
  return out;
}

function apiOperation(route: AnyApiRoute): Json {
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    security: [{ bearerAuth: [] }],
    parameters: parameters(route),
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } } : {}),
    responses: {
      [String(route.response.status)]: { description: route.response.description, content: { 'application/json': { schema: jsonSchema(route.response.schema, 'output') } } },
      ...problems([...route.problems, 401, 429, 500, 503]),
    },
  };
}

const AcceptedNotice = z.object({
  enqueued: z.array(z.object({ stream: z.string(), ids: z.number().int(), cycleId: z.string() })),
  ignoredStreams: z.array(z.string()),
});

function otherPaths(): Json {
  const header = (name: string, description: string) => ({ name, in: 'header', required: true, description, schema: { type: 'string' } });
  return {
    '/healthz': { get: { operationId: 'healthz', summary: 'The process is up (no I/O)', tags: ['operations'], responses: { '200': { description: 'Up', content: { 'application/json': { schema: jsonSchema(z.object({ status: z.literal('ok') }), 'output') } } } } } },
    '/readyz': {
      get: {
        operationId: 'readyz',
        summary: 'Redis reachable, CRM connections authenticated (cached 60 s), workers alive',
        tags: ['operations'],
        responses: {
          '200': { description: 'Ready', content: { 'application/json': { schema: jsonSchema(Readiness, 'output') } } },
          '503': { description: 'Not ready; `failed` names the checks', content: { 'application/json': { schema: jsonSchema(Readiness, 'output') } } },
        },
      },
    },
    '/metrics': { get: { operationId: 'metrics', summary: 'Prometheus metrics', tags: ['operations'], responses: { '200': { description: 'Prometheus text format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } } } } },
    '/openapi.json': { get: { operationId: 'openapi', summary: 'This document', tags: ['operations'], responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } } } } },
    '/webhooks/hubspot': {
      post: {
        operationId: 'hubspotWebhook',
        summary: 'HubSpot webhook events (v3 signature); each event triggers a targeted re-read',
        tags: ['webhooks'],
        parameters: [header('X-HubSpot-Signature-v3', 'base64 HMAC-SHA256 (client secret) of method + URI + body + timestamp'), header('X-HubSpot-Request-Timestamp', 'milliseconds since the epoch; older than 5 minutes is refused')],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'array', items: { type: 'object' } } } } },
        responses: { '202': { description: 'Accepted; targeted syncs enqueued', content: { 'application/json': { schema: jsonSchema(AcceptedNotice.extend({ skipped: z.array(z.object({ index: z.number(), reason: z.string() })) }), 'output') } } }, ...problems([400, 401, 409, 413, 429, 503]) },
      },
    },
    '/webhooks/salesforce': {
      post: {
        operationId: 'salesforceChangeNotice',
        summary: 'Salesforce change notice {objectType, ids} signed with SALESFORCE_WEBHOOK_SECRET',
        tags: ['webhooks'],
        parameters: [header('X-AccountPulse-Timestamp', 'unix seconds; more than 5 minutes off is refused'), header('X-AccountPulse-Signature', 'v1=<hex HMAC-SHA256 of `${timestamp}.${rawBody}`>')],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
        responses: { '202': { description: 'Accepted; targeted syncs enqueued', content: { 'application/json': { schema: jsonSchema(AcceptedNotice, 'output') } } }, ...problems([400, 401, 409, 413, 429, 503]) },
      },
    },
    '/': { get: { operationId: 'dashboard', summary: 'Sales-leader dashboard (HTML); `?token=` or the login form sets a session cookie', tags: ['dashboard'], responses: { '200': { description: 'Dashboard', content: { 'text/html': { schema: { type: 'string' } } } }, '401': { description: 'Login form', content: { 'text/html': { schema: { type: 'string' } } } } } } },
    '/admin/queues': { get: { operationId: 'queueBoard', summary: 'Queue dashboard (bull-board)', tags: ['operations'], security: [{ bearerAuth: [] }, { dashboardCookie: [] }], responses: { '200': { description: 'bull-board', content: { 'text/html': { schema: { type: 'string' } } } }, ...problems([401, 503]) } } },
  };
}

export function buildOpenApiDocument(options: { version?: string } = {}): Json {
  const paths: Record<string, Json> = otherPaths() as Record<string, Json>;
  for (const route of apiRoutes) {
    const path = openApiPath(route);
    paths[path] = { ...(paths[path] ?? {}), [route.method]: apiOperation(route) };
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'AccountPulse API',
      version: options.version ?? '1.0.0',
      description: 'Account intelligence for Salesforce and HubSpot: churn risk, attainment and forecast, cross-sell, alerts, run audit. Errors are application/problem+json (RFC 9457).',
    },
    tags: ['accounts', 'attainment', 'alerts', 'runs', 'quarantine', 'usage', 'admin', 'operations', 'webhooks', 'dashboard'].map((name) => ({ name })),
    paths,
    components: {
      schemas: { Problem: jsonSchema(Problem, 'output') },
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'API_TOKEN' },
        dashboardCookie: { type: 'apiKey', in: 'cookie', name: 'ap_dashboard', description: 'set by the dashboard login (an HMAC of the token)' },
      },
    },
  };
}
