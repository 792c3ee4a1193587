/**
 * The obvious alternative on HubSpot, written the way the @hubspot/api-client README shows: read
 * every object with `getAll` (pages of 100, the same properties, history and inline associations
 * AccountPulse reads), owners and deal pipelines, then one `basicApi.update` per company for the
 * fields given. A script has no checkpoints, so every run (initial or incremental) reads everything.
 * The client's limiter is set to the portal's 190 calls per 10 s (the README's `limiterOptions`;
 * its default, 9 per second and 6 in flight, would be slower) and it retries 429s. The objects are
 * read, and the companies updated, concurrently under that limiter with enough calls in flight
 * that latency does not hold it below the rate: the fastest this script can go, so the time ratio
 * is not flattered by a slow loop. (The limiter spaces call starts, not arrivals: a few calls still
 * land in a full window and are retried; they are counted, as `rateLimited`.) Tasks are not created (AccountPulse creates a few
 * per cycle): the baseline's call count is a floor.
 */
import { Client } from '@hubspot/api-client';
import { ConfigSchema } from '../../src/config/schema.js';
import { objectStreams } from '../../src/connectors/hubspot/streams/index.js';

/** Calls are counted by the sandbox (its stats), not here. */
export interface BaselineResult {
  recordsRead: number;
  recordsUpdated: number;
  wallMs: number;
}

export interface HubSpotBaselineOptions {
  url: string;
  token: string;
  ratePer10s: number;
  /** company id → properties to write */
  updates: Map<string, Record<string, string>>;
  /** called once everything is read, before the updates */
  onReadsDone?: () => void;
}

/** calls in flight: at 19 calls/s this keeps the rate for latencies up to ~0.8 s (a loaded machine) */
const MAX_IN_FLIGHT = 16;

type Discovery = { getAll(limit?: number, after?: string, properties?: string[], propertiesWithHistory?: string[], associations?: string[]): Promise<unknown[]> };

export async function runHubSpotBaseline(options: HubSpotBaselineOptions): Promise<BaselineResult> {
  const client = new Client({ accessToken: options.token, basePath: options.url, numberOfApiCallRetries: 6, limiterOptions: { minTime: 10_000 / options.ratePer10s, maxConcurrent: MAX_IN_FLIGHT } });
  const config = ConfigSchema.parse({});
  const discoveries: Record<string, Discovery> = {
    companies: client.crm.companies,
    contacts: client.crm.contacts,
    deals: client.crm.deals,
    line_items: client.crm.lineItems,
    tickets: client.crm.tickets,
    products: client.crm.products,
  };
  const started = performance.now();
  const reads = objectStreams.map(async (spec) => {
    const properties = spec.properties(config);
    const history = spec.propertiesWithHistory ? [...spec.propertiesWithHistory] : undefined;
    const limit = history ? 50 : 100;
    const associations = spec.associations.length ? [...spec.associations] : undefined;
    const discovery = discoveries[spec.objectType];
    if (discovery) return (await discovery.getAll(limit, undefined, properties, history, associations)).length;
    // activities and goal_targets have no getAll in the client: the same pages through basicApi
    let read = 0;
    let after: string | undefined;
    do {
      const page = await client.crm.objects.basicApi.getPage(spec.objectType, limit, after, properties, history, associations);
      read += page.results.length;
      after = page.paging?.next?.after;
    } while (after);
    return read;
  });
  const owners = (async () => {
    let read = 0;
    let after: string | undefined;
    do {
      const page = await client.crm.owners.ownersApi.getPage(undefined, after, 100);
      read += page.results.length;
      after = page.paging?.next?.after;
    } while (after);
    return read;
  })();
  const pipelines = client.crm.pipelines.pipelinesApi.getAll('deals').then(() => 0);
  const recordsRead = (await Promise.all([...reads, owners, pipelines])).reduce((a, b) => a + b, 0);
  options.onReadsDone?.();
  const updates = [...options.updates].map(([id, properties]) => client.crm.companies.basicApi.update(id, { properties }));
  const recordsUpdated = (await Promise.all(updates)).length;
  return { recordsRead, recordsUpdated, wallMs: Math.round(performance.now() - started) };
}
