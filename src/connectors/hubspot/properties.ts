/**
 * The company properties AccountPulse writes (one per logical write-back field, named
 * `${writeBack.fieldPrefix}_churn_risk_score` etc., in the AccountPulse group), the task property
 * holding a task's dedupe key, and value conversion both ways.
 */
import type { LedgerValue } from '../../store/index.js';
import { writeBackFieldNames, type WriteBackFieldName } from '../types.js';

export interface PropertyDef {
  name: string;
  label: string;
  type: 'string' | 'number' | 'datetime';
  fieldType: 'text' | 'textarea' | 'number' | 'date';
  description: string;
}

const suffixes: Record<WriteBackFieldName, { suffix: string; label: string; type: PropertyDef['type']; fieldType: PropertyDef['fieldType']; description: string }> = {
  churnRiskScore: { suffix: 'churn_risk_score', label: 'Churn risk score', type: 'number', fieldType: 'number', description: 'AccountPulse churn risk, 0 (safe) to 100 (likely to churn)' },
  churnRiskBand: { suffix: 'churn_risk_band', label: 'Churn risk band', type: 'string', fieldType: 'text', description: 'AccountPulse churn risk band (green, amber, red)' },
  churnRiskTrend: { suffix: 'churn_risk_trend', label: 'Churn risk trend', type: 'string', fieldType: 'text', description: 'AccountPulse churn risk trend since the previous score' },
  churnRiskReasons: { suffix: 'churn_risk_reasons', label: 'Churn risk reasons', type: 'string', fieldType: 'textarea', description: 'Top reasons behind the churn risk, naming the records' },
  crossSellTop: { suffix: 'cross_sell_top', label: 'Top cross-sell product', type: 'string', fieldType: 'text', description: 'The product AccountPulse recommends next' },
  crossSellEvidence: { suffix: 'cross_sell_evidence', label: 'Cross-sell evidence', type: 'string', fieldType: 'textarea', description: 'Why that product is recommended' },
  lastScoredAt: { suffix: 'last_scored_at', label: 'AccountPulse last scored at', type: 'datetime', fieldType: 'date', description: 'When AccountPulse last scored this company' },
};

export function groupName(prefix: string): string {
  return prefix.toLowerCase();
}

export function propertyName(prefix: string, field: WriteBackFieldName): string {
  return `${prefix.toLowerCase()}_${suffixes[field].suffix}`;
}

export function companyProperties(prefix: string): (PropertyDef & { field: WriteBackFieldName })[] {
  return writeBackFieldNames.map((field) => ({ field, name: propertyName(prefix, field), ...suffixes[field] }));
}

/** Task property holding the TaskRequest dedupe key (never two tasks for one key). */
export function taskKeyProperty(prefix: string): PropertyDef {
  return { name: `${prefix.toLowerCase()}_task_key`, label: 'AccountPulse task key', type: 'string', fieldType: 'text', description: 'Identity of the AccountPulse alert that created this task' };
}

/** Our value → HubSpot's string (null clears the property). */
export function toHubSpot(value: LedgerValue, type: PropertyDef['type']): string {
  if (value === null) return '';
  if (type === 'datetime' && typeof value === 'string') return new Date(value).toISOString();
  return String(value);
}

/** HubSpot's string → our value. */
export function fromHubSpot(value: string | null | undefined, type: PropertyDef['type']): LedgerValue {
  if (value === null || value === undefined || value === '') return null;
  if (type === 'number') {
    const n = Number(value);
    return Number.isFinite(n) ? n : value;
  }
  if (type === 'datetime') {
    const d = /^\d+$/.test(value) ? new Date(Number(value)) : new Date(value);
    return Number.isNaN(d.getTime()) ? value : d.toISOString();
  }
  return value;
}
