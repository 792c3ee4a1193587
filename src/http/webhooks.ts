/**
 * CRM change notices in: HubSpot webhooks (v3 signature) and Salesforce change notices (shared
 * secret HMAC). The verifiers and parsers are the connectors' (hubspot/webhooks.ts,
 * salesforce/changeNotices.ts); this layer keeps the raw body, refuses replays (each signature is
 * accepted once, remembered in Redis for longer than the timestamp window), and turns the
 * notices into targeted sync cycles.
 */
import { createHash } from 'node:crypto';
import express, { Router, type Request } from 'express';
import { MAX_WEBHOOK_AGE_MS, parseHubSpotEvents, verifyHubSpotSignature } from '../connectors/hubspot/webhooks.js';
import { ChangeNoticeError, verifyChangeNotice } from '../connectors/salesforce/changeNotices.js';
import type { CrmSource } from '../domain/model.js';
import type { AppContext } from '../jobs/context.js';
import { enqueueTargetedSync } from '../jobs/cycle.js';
import { HttpProblem } from './problem.js';

/** Longer than either timestamp window in both directions, so a replay inside it is always caught. */
const NONCE_TTL_MS = 2 * MAX_WEBHOOK_AGE_MS + 60_000;
const IDS_PER_SYNC = 1000;

export interface WebhookOptions {
  bodyLimit: string;
  /** the public base URL HubSpot calls (behind a proxy the Host header may differ), e.g. https://ap.example.com */
  publicUrl?: string;
  now?: () => number;
}

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function rawBodyOf(req: Request): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

/** Records a signature as used; false when it was already seen (a replay). */
async function firstUse(ctx: AppContext, source: CrmSource, signature: string): Promise<boolean> {
  const key = `${ctx.store.keys.prefix}:webhook:seen:${source}:${createHash('sha256').update(signature).digest('hex').slice(0, 32)}`;
  let set: string | null;
  try {
    set = await ctx.redis.set(key, '1', 'PX', NONCE_TTL_MS, 'NX');
  } catch (err) {
    throw new HttpProblem(503, `cannot record the webhook signature to refuse replays (Redis: ${(err as Error).message}); the sender should retry`);
  }
  return set === 'OK';
}

async function enqueueTargets(ctx: AppContext, source: CrmSource, byStream: Map<string, string[]>) {
  const connector = ctx.connectors.get(source);
  if (!connector) throw new HttpProblem(503, `${source} is not enabled on this server: notice refused so the sender retries after it is (set ${source.toUpperCase()}_ENABLED)`);
  const enqueued: { stream: string; ids: number; cycleId: string }[] = [];
  const ignored: string[] = [];
  for (const [stream, ids] of byStream) {
    if (!connector.streams.includes(stream)) {
      ignored.push(stream);
      continue;
    }
    for (let i = 0; i < ids.length; i += IDS_PER_SYNC) {
      const chunk = ids.slice(i, i + IDS_PER_SYNC);
      enqueued.push({ stream, ids: chunk.length, cycleId: await enqueueTargetedSync(ctx, source, stream, chunk) });
    }
  }
  return { enqueued, ignoredStreams: ignored };
}

export function webhookRouter(ctx: AppContext, options: WebhookOptions): Router {
  const router = Router();
  const raw = express.raw({ type: () => true, limit: options.bodyLimit });
  const now = options.now ?? Date.now;

  router.post('/webhooks/hubspot', raw, async (req, res) => {
    const secret = ctx.loaded.env.HUBSPOT_CLIENT_SECRET;
    if (!secret) throw new HttpProblem(503, 'HubSpot webhooks are disabled: set HUBSPOT_CLIENT_SECRET to the app client secret');
    const rawBody = rawBodyOf(req).toString('utf8');
    const url = `${options.publicUrl ? options.publicUrl.replace(/\/$/, '') : `${req.protocol}://${req.get('host') ?? 'localhost'}`}${req.originalUrl}`;
    const signature = header(req, 'x-hubspot-signature-v3');
    const verdict = verifyHubSpotSignature(secret, { method: req.method, url, rawBody, signature, timestamp: header(req, 'x-hubspot-request-timestamp') }, now());
    if (!verdict.ok) throw new HttpProblem(401, `HubSpot webhook refused: ${verdict.reason}`);
    if (!(await firstUse(ctx, 'hubspot', signature as string))) throw new HttpProblem(409, 'HubSpot webhook refused: this signature was already accepted (replayed request)');
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch {
      throw new HttpProblem(400, 'HubSpot webhook body is not JSON');
    }
    const { targets, skipped } = parseHubSpotEvents(body);
    const byStream = new Map<string, string[]>();
    for (const t of targets) byStream.set(t.objectType, [...(byStream.get(t.objectType) ?? []), t.objectId]);
    const result = await enqueueTargets(ctx, 'hubspot', byStream);
    ctx.logger.info({ source: 'hubspot', events: targets.length, skipped: skipped.length, syncs: result.enqueued.length }, 'webhook accepted');
    res.status(202).json({ ...result, skipped });
  });

  router.post('/webhooks/salesforce', raw, async (req, res) => {
    const rawBody = rawBodyOf(req);
    let targets;
    try {
      targets = verifyChangeNotice({ rawBody, headers: req.headers, secret: ctx.loaded.env.SALESFORCE_WEBHOOK_SECRET, nowSeconds: Math.floor(now() / 1000) });
    } catch (err) {
      if (err instanceof ChangeNoticeError) throw new HttpProblem(err.status, err.message);
      throw err;
    }
    if (!(await firstUse(ctx, 'salesforce', header(req, 'x-accountpulse-signature') as string))) throw new HttpProblem(409, 'Salesforce change notice refused: this signature was already accepted (replayed request)');
    const result = await enqueueTargets(ctx, 'salesforce', new Map(targets.map((t) => [t.stream, t.externalIds])));
    ctx.logger.info({ source: 'salesforce', streams: targets.length, syncs: result.enqueued.length }, 'change notice accepted');
    res.status(202).json(result);
  });
  return router;
}
