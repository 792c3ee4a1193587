/**
 * The obvious alternative on HubSpot, written the way the @hubspot/api-client README shows: read
 * every object with `getAll` (pages of 100, the same properties, history and inline associations
 * AccountPulse reads), owners and deal pipelines, then one `basicApi.update` per company for the
 * fields AccountPulse wrote. The client's limiter is set to the portal's 190 calls per 10 s (the
 * README's `limiterOptions`; its default, 9 per second, would be slower) and it retries 429s.
 * Tasks are not created (AccountPulse creates a few per cycle): the baseline's call count is a floor.
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
}

type Discovery = { getAll(limit?: number, after?: string, properties?: string[], propertiesWithHistory?: string[], associations?: string[]): Promise<unknown[]> };

export async function runHubSpotBaseline(options: HubSpotBaselineOptions): Promise<BaselineResult> {
  const client = new Client({ accessToken: options.token, basePath: options.url, numberOfApiCallRetries: 6, limiterOptions: { minTime: 10_000 / options.ratePer10s, maxConcurrent: 6 } });
  const config = ConfigSchema.parse({});
  const discoveries: Record<string, Discovery> = {
    companies: client.crm.companies,
    contacts: client.crm.contacts,
    deals: client.crm.deals,
    line_items: client.crm.lineItems,
    tickets: client.crm.tickets,
    products: client.crm.products,
  };
  let recordsRead = 0;
  const started = performance.now();
  for (const spec of objectStreams) {
    const properties = spec.properties(config);
    const history = spec.propertiesWithHistory ? [...spec.propertiesWithHistory] : undefined;
    const limit = history ? 50 : 100;
    const associations = spec.associations.length ? [...spec.associations] : undefined;
    const discovery = discoveries[spec.objectType];
    if (discovery) {
      recordsRead += (await discovery.getAll(limit, undefined, properties, history, associations)).length;
    } else {
      // activities and goal_targets have no getAll in the client: the same pages through basicApi
      let after: string | undefined;
      do {
        const page = await client.crm.objects.basicApi.getPage(spec.objectType, limit, after, properties, history, associations);
        recordsRead += page.results.length;
        after = page.paging?.next?.after;
      } while (after);
    }
  }
  let after: string | undefined;
  do {
    const page = await client.crm.owners.ownersApi.getPage(undefined, after, 100);
    recordsRead += page.results.length;
    after = page.paging?.next?.after;
  } while (after);
  await client.crm.pipelines.pipelinesApi.getAll('deals');
  let updated = 0;
  for (const [id, properties] of options.updates) {
    await client.crm.companies.basicApi.update(id, { properties });
    updated += 1;
  }
  return { recordsRead, recordsUpdated: updated, wallMs: Math.round(performance.now() - started) };
}
