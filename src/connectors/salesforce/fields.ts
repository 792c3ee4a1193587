/**
 * The AccountPulse custom fields on Account: logical write-back name → API name and the field
 * definition provisioning creates. Names are `<Prefix>_<Words>__c`, the prefix from
 * `writeBack.fieldPrefix` ("accountpulse" → `AccountPulse_Churn_Risk_Score__c`).
 */
import type { WriteBackFieldName } from '../types.js';

export interface CustomFieldDef {
  label: string;
  /** Metadata API type and its attributes, as the Tooling API CustomField takes them */
  metadata: Record<string, string | number | boolean>;
  /** for the admin instructions, e.g. "Number(5, 1)" */
  describe: string;
}

const words: Record<WriteBackFieldName, string> = {
  churnRiskScore: 'Churn_Risk_Score',
  churnRiskBand: 'Churn_Risk_Band',
  churnRiskTrend: 'Churn_Risk_Trend',
  churnRiskReasons: 'Churn_Risk_Reasons',
  crossSellTop: 'Cross_Sell_Top',
  crossSellEvidence: 'Cross_Sell_Evidence',
  lastScoredAt: 'Last_Scored_At',
};

export const customFieldDefs: Record<WriteBackFieldName, CustomFieldDef> = {
  churnRiskScore: { label: 'Churn Risk Score', metadata: { type: 'Number', precision: 5, scale: 1 }, describe: 'Number(5, 1)' },
  churnRiskBand: { label: 'Churn Risk Band', metadata: { type: 'Text', length: 20 }, describe: 'Text(20)' },
  churnRiskTrend: { label: 'Churn Risk Trend', metadata: { type: 'Text', length: 20 }, describe: 'Text(20)' },
  churnRiskReasons: { label: 'Churn Risk Reasons', metadata: { type: 'LongTextArea', length: 32768, visibleLines: 5 }, describe: 'Long Text Area(32768)' },
  crossSellTop: { label: 'Cross-Sell Top', metadata: { type: 'Text', length: 255 }, describe: 'Text(255)' },
  crossSellEvidence: { label: 'Cross-Sell Evidence', metadata: { type: 'LongTextArea', length: 32768, visibleLines: 5 }, describe: 'Long Text Area(32768)' },
  lastScoredAt: { label: 'Last Scored At', metadata: { type: 'DateTime' }, describe: 'Date/Time' },
};

export function fieldPrefix(configPrefix: string): string {
  return configPrefix.toLowerCase() === 'accountpulse' ? 'AccountPulse' : configPrefix.charAt(0).toUpperCase() + configPrefix.slice(1);
}

/** `AccountPulse_Churn_Risk_Score__c` for `churnRiskScore`. */
export function apiFieldName(configPrefix: string, field: WriteBackFieldName): string {
  return `${fieldPrefix(configPrefix)}_${words[field]}__c`;
}

export function apiFieldNames(configPrefix: string): Map<WriteBackFieldName, string> {
  return new Map((Object.keys(words) as WriteBackFieldName[]).map((f) => [f, apiFieldName(configPrefix, f)]));
}
