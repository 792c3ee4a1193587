/**
 * The analytics settings of the loaded configuration, resolved once with the domain's own schemas
 * (which fill in defaults and validated the sections at start).
 */
import { resolveChurnConfig, type ChurnConfig } from '../domain/churnConfig.js';
import { CrossSellConfigSchema, type CrossSellConfig } from '../domain/crosssell.js';
import { QuotaConfigSchema, type QuotaConfig } from '../domain/quota-config.js';
import type { Config } from '../config/schema.js';

export interface AnalyticsSettings {
  churn: ChurnConfig;
  crossSell: CrossSellConfig;
  quota: QuotaConfig;
}

const cache = new WeakMap<Config, AnalyticsSettings>();

export function analyticsSettings(config: Config): AnalyticsSettings {
  let s = cache.get(config);
  if (!s) {
    s = { churn: resolveChurnConfig(config.churn), crossSell: CrossSellConfigSchema.parse(config.crossSell ?? {}), quota: QuotaConfigSchema.parse(config.quota ?? {}) };
    cache.set(config, s);
  }
  return s;
}
