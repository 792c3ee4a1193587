/**
 * Owner tasks, created in batches of 100 with their company association inline (type 192,
 * task→company), never twice for one dedupe key: each task carries its key in the
 * `${prefix}_task_key` property (created by provision). Each key's create is recorded in Redis
 * (store/pendingTasks.ts) before it is sent and when its answer comes: a key created before is
 * answered from the record, a key never sent is created without a lookup, and only a key whose
 * create had no clear answer (5xx, dropped connection, a process killed mid-call) is searched for
 * in HubSpot first. A first attempt therefore costs only its batch creates.
 */
import type { Logger } from 'pino';
import type { PendingTasks } from '../../store/pendingTasks.js';
import type { TaskRequest, TaskResult } from '../types.js';
import { HubSpotApiError } from './errors.js';
import type { HubSpotGateway } from './gateway.js';
import { taskKeyProperty } from './properties.js';

export const TASK_BATCH = 100;
export const TASK_TO_COMPANY = 192;
const MAX_CREATE_ROUNDS = 3;

const priorities: Record<TaskRequest['priority'], string> = { low: 'LOW', normal: 'MEDIUM', high: 'HIGH' };

export interface TaskWriterOptions {
  gateway: HubSpotGateway;
  prefix: string;
  logger: Logger;
  /** wait before searching again after an ambiguous failure: new tasks take a moment to be searchable */
  searchLagMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** creates sent and their outcomes, kept in Redis across attempts and processes */
  sent: PendingTasks;
}

export class TaskWriter {
  constructor(private readonly options: TaskWriterOptions) {}

  private get keyProperty(): string {
    return taskKeyProperty(this.options.prefix).name;
  }

  async createTasks(tasks: readonly TaskRequest[]): Promise<TaskResult[]> {
    const unique = [...new Map(tasks.map((t) => [t.dedupeKey, t])).values()];
    const byKey = new Map<string, TaskResult>();
    for (let i = 0; i < unique.length; i += TASK_BATCH) {
      for (const r of await this.createBatch(unique.slice(i, i + TASK_BATCH))) byKey.set(r.dedupeKey, r);
    }
    return tasks.map((t) => byKey.get(t.dedupeKey) as TaskResult);
  }

  /** Keys that already have a task in HubSpot → task id. */
  async existing(keys: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (keys.length === 0) return found;
    let after: string | undefined;
    do {
      const page = await this.options.gateway
        .call({ lane: 'search', operation: 'tasks search by AccountPulse key', scope: 'crm.objects.contacts.read', idempotent: true }, (c, o) =>
          c.crm.objects.searchApi.doSearch('tasks', {
            filterGroups: [{ filters: [{ propertyName: this.keyProperty, operator: 'IN' as never, values: [...keys] }] }],
            properties: [this.keyProperty],
            limit: 200,
            after: after as never,
            sorts: [],
          }, o),
        )
        .catch((err: unknown) => {
          if (err instanceof HubSpotApiError && err.kind === 'validation') {
            throw new HubSpotApiError(`${err.message}; the task property ${this.keyProperty} is probably missing: run \`accountpulse provision\``, err.kind, err.status, err.body, err.operation);
          }
          throw err;
        });
      for (const r of page.results) {
        const key = r.properties[this.keyProperty];
        if (key && !found.has(key)) found.set(key, r.id);
      }
      after = page.paging?.next?.after;
    } while (after);
    return found;
  }

  private async ownersOfCompanies(companyIds: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (companyIds.length === 0) return out;
    const response = await this.options.gateway.call({ operation: 'companies batch read (task owners)', scope: 'crm.objects.companies.read', idempotent: true }, (c, o) =>
      c.crm.companies.batchApi.read({ inputs: companyIds.map((id) => ({ id })), properties: ['hubspot_owner_id'], propertiesWithHistory: [] }, false, o),
    );
    for (const r of response.results) {
      const owner = r.properties.hubspot_owner_id;
      if (owner) out.set(r.id, owner);
    }
    return out;
  }

  private async createBatch(batch: TaskRequest[]): Promise<TaskResult[]> {
    const results = new Map<string, TaskResult>();
    const { sent } = this.options;
    // keys created by an earlier attempt are known; keys whose create had no answer are searched
    const outcomes = await sent.outcomes(batch.map((t) => t.dedupeKey));
    const unknown: string[] = [];
    for (const t of batch) {
      const o = outcomes.get(t.dedupeKey);
      if (o?.state === 'created') results.set(t.dedupeKey, { dedupeKey: t.dedupeKey, ok: true, taskId: o.taskId, existed: true });
      else if (o?.state === 'unknown') unknown.push(t.dedupeKey);
    }
    let pending = batch.filter((t) => !results.has(t.dedupeKey));
    let toSearch = unknown;
    for (let round = 1; pending.length > 0; round++) {
      if (toSearch.length > 0) {
        const existing = await this.existing(toSearch);
        const found: { dedupeKey: string; taskId: string }[] = [];
        for (const t of pending) {
          const id = existing.get(t.dedupeKey);
          if (!id) continue;
          results.set(t.dedupeKey, { dedupeKey: t.dedupeKey, ok: true, taskId: id, existed: true });
          found.push({ dedupeKey: t.dedupeKey, taskId: id });
        }
        await sent.markCreated(found);
        pending = pending.filter((t) => !existing.has(t.dedupeKey));
        if (pending.length === 0) break;
      }
      const owners = await this.ownersOfCompanies([...new Set(pending.filter((t) => !t.ownerExternalId).map((t) => t.accountExternalId))]);
      await sent.markSent(pending.map((t) => t.dedupeKey));
      try {
        const response = await this.options.gateway.call(
          // not idempotent on its own: an ambiguous failure is resolved by searching the keys first
          { operation: `tasks batch create (${pending.length})`, scope: 'crm.objects.contacts.write', idempotent: false },
          (c, o) =>
            c.crm.objects.batchApi.create('tasks', {
              inputs: pending.map((t) => {
                const owner = t.ownerExternalId ?? owners.get(t.accountExternalId);
                return {
                  properties: {
                    hs_task_subject: t.subject,
                    hs_task_body: t.body,
                    hs_timestamp: new Date(/^\d{4}-\d{2}-\d{2}$/.test(t.dueDate) ? `${t.dueDate}T09:00:00Z` : t.dueDate).toISOString(),
                    hs_task_priority: priorities[t.priority],
                    hs_task_status: 'NOT_STARTED',
                    // HubSpot's enumeration value for a to-do task (EMAIL, CALL or TODO), not a code marker
                    hs_task_type: 'TODO',
                    [this.keyProperty]: t.dedupeKey,
                    ...(owner ? { hubspot_owner_id: owner } : {}),
                  },
                  associations: [{ to: { id: t.accountExternalId }, types: [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: TASK_TO_COMPANY }] }],
                };
              }),
            }, o),
        );
        const created = response.results;
        const failures = ((response as { errors?: { message?: string; category?: string; context?: Record<string, string[]> }[] }).errors ?? []);
        // results come back in input order only when all succeed; match them by key
        const done: { dedupeKey: string; taskId: string }[] = [];
        for (const r of created) {
          const key = r.properties[this.keyProperty];
          if (key) {
            results.set(key, { dedupeKey: key, ok: true, taskId: r.id });
            done.push({ dedupeKey: key, taskId: r.id });
          }
        }
        await sent.markCreated(done);
        const refused: string[] = [];
        for (const t of pending) {
          if (results.has(t.dedupeKey)) continue;
          const why = failures.map((f) => `${f.category ?? 'ERROR'}: ${f.message ?? ''}`).join('; ') || 'not in the batch create answer';
          results.set(t.dedupeKey, { dedupeKey: t.dedupeKey, ok: false, error: `HubSpot task for company ${t.accountExternalId}: ${why}` });
          refused.push(t.dedupeKey);
        }
        await sent.clear(refused);
        pending = [];
      } catch (err) {
        const ambiguous = err instanceof HubSpotApiError && (err.kind === 'server' || err.kind === 'network' || err.kind === 'rate_limit');
        if (!ambiguous) await sent.clear(pending.map((t) => t.dedupeKey));
        if (!ambiguous || round >= MAX_CREATE_ROUNDS) {
          // an ambiguous outcome stays marked: the next attempt (a later run) searches these keys first
          if (err instanceof HubSpotApiError && err.kind !== 'auth' && err.kind !== 'scopes') {
            for (const t of pending) results.set(t.dedupeKey, { dedupeKey: t.dedupeKey, ok: false, error: err.message });
            pending = [];
            continue;
          }
          throw err;
        }
        this.options.logger.warn(`${err.message}; searching the task keys before creating again`);
        toSearch = pending.map((t) => t.dedupeKey);
        await (this.options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms))))(this.options.searchLagMs ?? 2_000);
      }
    }
    return batch.map((t) => results.get(t.dedupeKey) as TaskResult);
  }
}
