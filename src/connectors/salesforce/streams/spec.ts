/**
 * A stream is declared, not coded: which sObject, which fields, the raw zod schema of a row and a
 * mapper to our model. One runner (../runner.ts) reads every stream the same way: REST or Bulk
 * 2.0, checkpoints, lookback, deletions, quarantine. Hooks cover what a mapper needs beyond its
 * row (opportunity stages, the previous history row, a task's opportunity's account).
 */
import type { z } from 'zod';
import type { Config } from '../../../config/schema.js';
import type { AnyRecord, RecordKind } from '../../../domain/model.js';
import type { Store } from '../../../store/index.js';
import type { SalesforceClient } from '../client.js';

export interface StreamEnv {
  config: Config;
  store: Store;
  client: SalesforceClient;
  /** values fetched once per run (e.g. OpportunityStage metadata), keyed by name */
  runCache: Map<string, unknown>;
  /** SOQL of a simple query, all pages (metadata lookups) */
  queryAll(soql: string, what: string): Promise<Record<string, unknown>[]>;
}

export interface StreamSpec<Row = unknown, PageState = unknown> {
  /** our stream name, e.g. "accounts" */
  name: string;
  sobject: string;
  /** record kind it produces; activities are folded per account, not stored */
  kind: RecordKind;
  /** SOQL select list (always with Id and SystemModstamp) */
  fields(config: Config): string[];
  /** configured fields that may be missing in the org: dropped (with a warning) instead of failing */
  optionalFields?(config: Config): string[];
  /** extra WHERE condition, e.g. "IsAmount = true" */
  filter?: string;
  /** may be read with Bulk API 2.0 (no child subqueries) */
  bulk: boolean;
  raw: z.ZodType<Row>;
  /** per-page context for the mapper (lookups in the store, metadata) */
  preparePage?(rows: Row[], env: StreamEnv): Promise<PageState>;
  /** maps one valid row; throws (→ quarantine) when it cannot */
  map(row: Row, config: Config, state: PageState): AnyRecord[];
  /** after a page is stored (e.g. usage metrics from an account field) */
  afterPage?(rows: Row[], env: StreamEnv): Promise<void>;
  /** false for objects Salesforce never deletes (User: deactivated instead; no IsDeleted field) */
  deletions?: boolean;
  /** extra fields read for deleted rows (activities need their account to unfold) */
  deletedFields?: string[];
  /** our ids a deleted row removes (default: recordId of its Id) */
  deletedIds?(id: string): string[];
  /** what an admin must grant when the object is not accessible */
  permissionHint?: string;
}

/** Erases a spec's row type so specs of different rows sit in one list. */
export function defineStream<Row, PageState = undefined>(spec: StreamSpec<Row, PageState>): StreamSpec<unknown, unknown> {
  return spec as unknown as StreamSpec<unknown, unknown>;
}
