/**
 * A stream is declared, not coded (like Airbyte's manifests): which HubSpot object, which
 * properties and inline associations to ask for, which property carries the modstamp, and a
 * mapper from one raw record to domain records. One runner (../runner.ts) interprets every spec:
 * list pages for the initial load, id-windowed search for increments, archived lists for
 * deletions, a checkpoint after every page.
 */
import type { Config } from '../../../config/schema.js';
import type { AnyRecord, RecordKind, UsageMetric } from '../../../domain/model.js';
import type { RawObject } from '../raw.js';

export interface DealStage {
  pipelineId: string;
  pipelineLabel: string;
  label: string;
  probability: number | null;
  isClosed: boolean;
}

/** What mappers may look up: metadata fetched once per run (pipelines, owners). */
export interface MapContext {
  config: Config;
  /** deal stage id → stage (from the deals pipelines) */
  dealStages: Map<string, DealStage>;
  /** HubSpot user id → owner id (goal targets name users, not owners) */
  ownerIdByUserId: Map<string, string>;
}

export interface Mapped {
  kind: RecordKind;
  record: AnyRecord;
}

export interface ObjectStreamSpec {
  /** stream name (also the checkpoint key) */
  name: string;
  /** HubSpot object type in URLs */
  objectType: string;
  /** the record kind the stream produces first ('activity' is folded, not stored) */
  kind: RecordKind;
  /** property carrying the modstamp: hs_lastmodifieddate (contacts: lastmodifieddate) */
  modifiedProperty: string;
  properties: (config: Config) => string[];
  /** the properties configuration names (custom ones): warned about when the portal lacks them */
  mappedProperties?: (config: Config) => string[];
  /** properties whose change history is read (deals: stage, amount, close date) */
  propertiesWithHistory?: readonly string[];
  /** association types wanted inline on list pages (read through v4 batch on search pages) */
  associations: readonly string[];
  /** metadata the mapper needs before the first page */
  needs?: readonly ('dealStages' | 'owners')[];
  /** scope named in a 403 when HubSpot does not say */
  scope: string;
  map: (raw: RawObject, ctx: MapContext) => Mapped[];
  /** a usage figure carried by a changed record (companies: config.hubspot.usageField) */
  usageOf?: (record: AnyRecord, ctx: MapContext) => UsageMetric | null;
}
