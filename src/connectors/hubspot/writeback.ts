/**
 * Writing AccountPulse results to companies: `provision` (property group + properties,
 * idempotent), `writeFields` (batch update, 100 per call, a result per record from 200/207
 * answers), `readFields` (batch read, 100 per call). A batch HubSpot rejects as a whole (400) is
 * split in halves so one bad record does not fail its 99 neighbours; a deleted property fails the
 * batch at once with what to do.
 */
import type { Logger } from 'pino';
import type { LedgerValue } from '../../store/index.js';
import type { FieldUpdate, ProvisionReport, RecordWriteResult, WriteBackFieldName } from '../types.js';
import { HubSpotApiError, isPermanentCategory } from './errors.js';
import type { HubSpotGateway } from './gateway.js';
import { mapInParallel } from '../inParallel.js';
import { companyProperties, fromHubSpot, groupName, taskKeyProperty, toHubSpot, type PropertyDef } from './properties.js';

export const WRITE_BATCH = 100;
/** batch updates in flight at once */
const WRITE_CONCURRENCY = 4;

export interface CompanyWriterOptions {
  gateway: HubSpotGateway;
  prefix: string;
  logger: Logger;
}

interface BatchErrorLike {
  status?: string;
  category?: string;
  message?: string;
  context?: Record<string, string[] | undefined>;
}

export class CompanyWriter {
  constructor(private readonly options: CompanyWriterOptions) {}

  private get gateway(): HubSpotGateway {
    return this.options.gateway;
  }

  /** Dry run: `created` lists what would be created; nothing is written. */
  async provision(dryRun: boolean): Promise<ProvisionReport> {
    const report: ProvisionReport = { source: 'hubspot', created: [], existing: [], manual: [] };
    const group = groupName(this.options.prefix);
    const targets: { objectType: 'companies' | 'tasks'; defs: PropertyDef[] }[] = [
      { objectType: 'companies', defs: companyProperties(this.options.prefix) },
      { objectType: 'tasks', defs: [taskKeyProperty(this.options.prefix)] },
    ];
    for (const { objectType, defs } of targets) {
      const scope = `crm.schemas.${objectType === 'tasks' ? 'contacts' : objectType}.write`;
      const existing = await this.gateway.call({ operation: `${objectType} properties read`, scope: `crm.schemas.${objectType === 'tasks' ? 'contacts' : objectType}.read`, idempotent: true }, (c, o) =>
        c.crm.properties.coreApi.getAll(objectType, false, undefined, o),
      );
      const have = new Set(existing.results.map((p) => p.name));
      const missing = defs.filter((d) => !have.has(d.name));
      defs.filter((d) => have.has(d.name)).forEach((d) => report.existing.push(`${objectType}.${d.name}`));
      if (dryRun) {
        missing.forEach((d) => report.created.push(`${objectType}.${d.name}`));
        continue;
      }
      if (missing.length === 0) continue;
      const groupTarget = objectType === 'companies' ? group : 'taskinformation';
      if (objectType === 'companies') {
        try {
          await this.gateway.call({ operation: 'companies property group create', scope, idempotent: true }, (c, o) =>
            c.crm.properties.groupsApi.create('companies', { name: group, label: 'AccountPulse', displayOrder: -1 }, o),
          );
        } catch (err) {
          // 409: the group is there already, which is what we want
          if (!(err instanceof HubSpotApiError && err.kind === 'conflict')) throw err;
        }
      }
      for (const d of missing) {
        try {
          await this.gateway.call({ operation: `${objectType} property ${d.name} create`, scope, idempotent: true }, (c, o) =>
            c.crm.properties.coreApi.create(objectType, {
              name: d.name,
              label: d.label,
              type: d.type as never,
              fieldType: d.fieldType as never,
              groupName: groupTarget,
              description: d.description,
            }, o),
          );
          report.created.push(`${objectType}.${d.name}`);
        } catch (err) {
          if (err instanceof HubSpotApiError && err.kind === 'conflict') report.existing.push(`${objectType}.${d.name}`);
          else if (err instanceof HubSpotApiError && err.kind === 'scopes') {
            report.manual.push({ field: `${objectType}.${d.name}`, instruction: `${err.message}; or create the ${d.type} property "${d.name}" (label "${d.label}") in HubSpot settings` });
          } else throw err;
        }
      }
    }
    return report;
  }

  async writeFields(updates: readonly FieldUpdate[]): Promise<RecordWriteResult[]> {
    const defs = new Map(companyProperties(this.options.prefix).map((d) => [d.field, d]));
    const batches: { id: string; properties: Record<string, string> }[][] = [];
    for (let i = 0; i < updates.length; i += WRITE_BATCH) {
      const inputs = updates.slice(i, i + WRITE_BATCH).map((u) => ({
        id: u.externalId,
        properties: Object.fromEntries(
          Object.entries(u.fields).map(([field, value]) => {
            const def = defs.get(field as WriteBackFieldName);
            if (!def) throw new Error(`HubSpot write-back: unknown field "${field}" for company ${u.externalId}; known fields: ${[...defs.keys()].join(', ')}`);
            return [def.name, toHubSpot(value as LedgerValue, def.type)];
          }),
        ),
      }));
      batches.push(inputs);
    }
    // A few batches in flight: the calls are paced by the shared rate limit either way, and one at
    // a time would leave most of it unused while each answer travels (10,000 accounts: 55 calls).
    return (await mapInParallel(batches, WRITE_CONCURRENCY, (inputs) => this.updateBatch(inputs))).flat();
  }

  private async updateBatch(inputs: { id: string; properties: Record<string, string> }[]): Promise<RecordWriteResult[]> {
    if (inputs.length === 0) return [];
    let response;
    try {
      response = await this.gateway.call({ operation: `companies batch update (${inputs.length})`, scope: 'crm.objects.companies.write', idempotent: true }, (c, o) =>
        c.crm.companies.batchApi.update({ inputs }, o),
      );
    } catch (err) {
      if (!(err instanceof HubSpotApiError)) throw err;
      const deletedProperty = /PROPERTY_DOESNT_EXIST|does not exist|doesn't exist/i.test(`${err.body.subCategory ?? ''} ${err.body.message ?? ''} ${JSON.stringify(err.body.errors ?? [])}`);
      if (err.kind === 'validation' && inputs.length > 1 && !deletedProperty) {
        // one bad record fails the whole batch: split until the bad ones are alone
        const half = Math.ceil(inputs.length / 2);
        return [...(await this.updateBatch(inputs.slice(0, half))), ...(await this.updateBatch(inputs.slice(half)))];
      }
      const permanent = err.kind === 'validation' || err.kind === 'not_found';
      if (['auth', 'scopes', 'forbidden', 'daily_limit'].includes(err.kind)) throw err;
      return inputs.map((input) => ({ externalId: input.id, ok: false, error: err.message, permanent }));
    }
    const failed = new Map<string, { error: string; permanent: boolean }>();
    for (const e of ((response as { errors?: BatchErrorLike[] }).errors ?? []) as BatchErrorLike[]) {
      const ids = Object.values(e.context ?? {}).flat().filter((v): v is string => typeof v === 'string');
      const text = `${e.category ?? 'ERROR'}: ${e.message ?? 'no message'}`;
      const permanent = isPermanentCategory(e.category, e.category === 'RATE_LIMITS' ? 429 : 400);
      for (const id of ids) failed.set(id, { error: `HubSpot company ${id}: ${text}`, permanent });
    }
    const written = new Set(response.results.map((r) => r.id));
    return inputs.map((input) => {
      const f = failed.get(input.id);
      if (f) return { externalId: input.id, ok: false, error: f.error, permanent: f.permanent };
      if (written.has(input.id)) return { externalId: input.id, ok: true };
      // HubSpot neither wrote it nor said why: retry on a later run
      return { externalId: input.id, ok: false, error: `HubSpot company ${input.id}: not in the batch update answer (no result, no error); will retry`, permanent: false };
    });
  }

  async readFields(externalIds: readonly string[]): Promise<Map<string, Partial<Record<WriteBackFieldName, LedgerValue>>>> {
    const defs = companyProperties(this.options.prefix);
    const out = new Map<string, Partial<Record<WriteBackFieldName, LedgerValue>>>();
    const ids = [...new Set(externalIds)];
    for (let i = 0; i < ids.length; i += WRITE_BATCH) {
      const chunk = ids.slice(i, i + WRITE_BATCH);
      const response = await this.gateway.call({ operation: `companies batch read (${chunk.length})`, scope: 'crm.objects.companies.read', idempotent: true }, (c, o) =>
        c.crm.companies.batchApi.read({ inputs: chunk.map((id) => ({ id })), properties: defs.map((d) => d.name), propertiesWithHistory: [] }, false, o),
      );
      for (const r of response.results) {
        const values: Partial<Record<WriteBackFieldName, LedgerValue>> = {};
        for (const d of defs) values[d.field] = fromHubSpot(r.properties[d.name], d.type);
        out.set(r.id, values);
      }
    }
    return out;
  }
}
