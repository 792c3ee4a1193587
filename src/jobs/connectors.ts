/**
 * The connectors of the enabled CRMs. Without credentials a connector talks to the built-in
 * sandbox with the sandbox's token (check-config says so), which is what the demo and
 * `docker compose --profile sandbox` rely on.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/load.js';
import { SANDBOX_HUBSPOT_TOKEN, SANDBOX_SALESFORCE_TOKEN } from '../config/env.js';
import type { CrmConnector } from '../connectors/types.js';
import type { CrmSource } from '../domain/model.js';
import { createHubSpotConnector } from '../connectors/hubspot/index.js';
import { createSalesforceConnector } from '../connectors/salesforce/index.js';

export interface ConnectorOverrides {
  /** Salesforce Bulk 2.0 results page size (tests and the demo force several pages) */
  bulkPageSize?: number;
}

export function createConnectors(loaded: LoadedConfig, redis: Redis, logger: Logger, overrides: ConnectorOverrides = {}): Map<CrmSource, CrmConnector> {
  const { env, config } = loaded;
  const out = new Map<CrmSource, CrmConnector>();
  if (env.HUBSPOT_ENABLED) {
    out.set(
      'hubspot',
      createHubSpotConnector({
        env: { ...env, HUBSPOT_ACCESS_TOKEN: env.HUBSPOT_ACCESS_TOKEN ?? (env.HUBSPOT_REFRESH_TOKEN ? undefined : SANDBOX_HUBSPOT_TOKEN) },
        config,
        redis,
        logger: logger.child({ crm: 'hubspot' }),
      }),
    );
  }
  if (env.SALESFORCE_ENABLED) {
    out.set(
      'salesforce',
      createSalesforceConnector({ env, config, redis, logger: logger.child({ crm: 'salesforce' }), fallbackToken: SANDBOX_SALESFORCE_TOKEN, bulkPageSize: overrides.bulkPageSize }),
    );
  }
  return out;
}
