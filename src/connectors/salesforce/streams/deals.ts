/**
 * Opportunity → Deal, with the org's OpportunityStage metadata (IsClosed, IsWon,
 * DefaultProbability, ForecastCategoryName) queried at most once per run: stages are customised
 * per org, so the opportunity's own fields win and the stage fills what it lacks. The query runs
 * only when a page has opportunities missing one of those fields (most orgs fill them all), so a
 * sync costs no call beyond the minimum.
 */
import { z } from 'zod';
import { recordId, type Deal, type DealType, type ForecastCategory } from '../../../domain/model.js';
import { modstamp, sfBase, sfBoolean, sfDate, sfDateTime, sfIdOrNull, sfNumber, sfString } from '../raw.js';
import { defineStream, type StreamEnv } from './spec.js';

export const OpportunityRow = z.object({
  ...sfBase,
  Name: z.string().min(1),
  AccountId: sfIdOrNull,
  OwnerId: sfIdOrNull,
  Amount: sfNumber,
  StageName: z.string().min(1),
  Probability: sfNumber,
  ForecastCategoryName: sfString,
  CloseDate: sfDate,
  IsClosed: sfBoolean,
  IsWon: sfBoolean,
  Type: sfString,
  CreatedDate: sfDateTime,
});
export type OpportunityRow = z.infer<typeof OpportunityRow>;

export const StageRow = z.object({
  ApiName: z.string().min(1),
  MasterLabel: sfString,
  IsClosed: sfBoolean,
  IsWon: sfBoolean,
  DefaultProbability: sfNumber,
  ForecastCategoryName: sfString,
});
export type StageRow = z.infer<typeof StageRow>;
export type StageMap = Map<string, StageRow>;

const forecastCategories: Record<string, ForecastCategory> = {
  pipeline: 'pipeline',
  'best case': 'best_case',
  bestcase: 'best_case',
  commit: 'commit',
  forecast: 'commit',
  closed: 'closed',
  omitted: 'omitted',
};

export function forecastCategory(name: string | null | undefined): ForecastCategory | null {
  return name ? (forecastCategories[name.trim().toLowerCase()] ?? null) : null;
}

export function dealType(type: string | null): DealType | null {
  if (!type) return null;
  if (/renewal/i.test(type)) return 'renewal';
  if (/upgrade|upsell|expansion|add-on|cross/i.test(type)) return 'expansion';
  if (/new/i.test(type)) return 'new';
  return null;
}

export function mapOpportunity(row: OpportunityRow, stages: StageMap): Deal {
  const stage = stages.get(row.StageName);
  const isClosed = row.IsClosed ?? stage?.IsClosed ?? false;
  const isWon = row.IsWon ?? stage?.IsWon ?? false;
  const status = isClosed ? (isWon ? 'won' : 'lost') : 'open';
  const probability = row.Probability ?? stage?.DefaultProbability ?? null;
  const category =
    forecastCategory(row.ForecastCategoryName) ?? forecastCategory(stage?.ForecastCategoryName) ?? (status === 'won' ? 'closed' : status === 'lost' ? 'omitted' : 'pipeline');
  return {
    id: recordId('salesforce', row.Id),
    source: 'salesforce',
    externalId: row.Id,
    updatedAt: modstamp(row),
    name: row.Name,
    accountId: row.AccountId ? recordId('salesforce', row.AccountId) : null,
    ownerId: row.OwnerId ? recordId('salesforce', row.OwnerId) : null,
    amount: row.Amount,
    currency: null,
    status,
    stage: row.StageName,
    stageId: row.StageName,
    pipeline: null,
    probability: probability === null ? null : Math.min(1, Math.max(0, probability / 100)),
    forecastCategory: category,
    closeDate: row.CloseDate,
    type: dealType(row.Type),
    createdAt: row.CreatedDate,
  };
}

/** True when the opportunity lacks a field its stage supplies. */
export function needsStage(row: OpportunityRow): boolean {
  return row.IsClosed === null || row.IsWon === null || row.Probability === null || row.ForecastCategoryName === null;
}

/** The org's stages, once per run (one small query). */
export async function loadStages(env: StreamEnv): Promise<StageMap> {
  const cached = env.runCache.get('stages') as StageMap | undefined;
  if (cached) return cached;
  const rows = await env.queryAll(
    'SELECT ApiName, MasterLabel, IsClosed, IsWon, DefaultProbability, ForecastCategoryName FROM OpportunityStage',
    'Salesforce OpportunityStage query',
  );
  const stages: StageMap = new Map();
  for (const r of rows) {
    const parsed = StageRow.safeParse(r);
    if (parsed.success) stages.set(parsed.data.ApiName, parsed.data);
  }
  env.runCache.set('stages', stages);
  return stages;
}

export const dealsStream = defineStream<OpportunityRow, StageMap>({
  name: 'deals',
  sobject: 'Opportunity',
  kind: 'deal',
  bulk: true,
  fields: () => ['Id', 'SystemModstamp', 'CreatedDate', 'Name', 'AccountId', 'OwnerId', 'Amount', 'StageName', 'Probability', 'ForecastCategoryName', 'CloseDate', 'IsClosed', 'IsWon', 'Type'],
  raw: OpportunityRow,
  preparePage: (rows, env) => (rows.some(needsStage) ? loadStages(env) : Promise.resolve(env.runCache.get('stages') as StageMap | undefined ?? new Map())),
  map: (row, _config, stages) => [mapOpportunity(row, stages)],
});
