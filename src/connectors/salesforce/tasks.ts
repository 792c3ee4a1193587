/**
 * Tasks for account owners, linked to the account (WhatId) and never duplicated: each task's
 * Subject ends with a marker derived from its dedupe key (`[AP-<12 hex>]`). Each key's create is
 * recorded in Redis (store/pendingTasks.ts) before it is sent and when its answer comes: a key
 * created before is answered from the record, a key never sent is created without a lookup, and
 * only a key whose create had no clear answer (dropped connection, 5xx, a process killed mid-call)
 * is looked up by marker on its account first, so a task Salesforce did create is found, not
 * created twice.
 *
 * The steps are separate so the write-back can send task creates in the same composite calls as
 * field updates (writeBack.ts): `prepare` (dedupe, outcomes on record, lookups, owners, markSent),
 * `collections` (Task create collections of 200), `settle` (each collection's outcome: created,
 * refused, or unanswered and left for a lookup). `create` runs them on its own, one collection per
 * call, retrying creates lost in flight with backoff up to `maxAttempts`.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { PendingTasks } from '../../store/pendingTasks.js';
import type { TaskRequest, TaskResult } from '../types.js';
import { COLLECTION_SIZE, inCollections, recordOutcome, type CollectionOutcome, type CollectionWrite, type CompositeWriter } from './compositeWriter.js';
import type { QueryReader } from './query.js';
import { soqlIdList } from './soql.js';

export const TASK_BATCH = COLLECTION_SIZE;
const SUBJECT_MAX = 255;

export function taskMarker(dedupeKey: string): string {
  return `[AP-${createHash('sha256').update(dedupeKey).digest('hex').slice(0, 12)}]`;
}

const markerPattern = /\[AP-[0-9a-f]{12}\]\s*$/;

export function subjectWithMarker(subject: string, dedupeKey: string): string {
  const marker = taskMarker(dedupeKey);
  const room = SUBJECT_MAX - marker.length - 1;
  const text = subject.length > room ? `${subject.slice(0, room - 1)}…` : subject;
  return `${text} ${marker}`;
}

const priorities: Record<TaskRequest['priority'], string> = { low: 'Low', normal: 'Normal', high: 'High' };
const salesforceId = /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/;
/** accounts per marker or owner lookup query (keeps the query URL short) */
const LOOKUP_SIZE = 200;

export interface TaskCreatorOptions {
  composite: CompositeWriter;
  reader: QueryReader;
  logger: Logger;
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
  /** creates sent and their outcomes, kept in Redis across attempts and processes */
  sent: PendingTasks;
}

export interface PreparedTasks {
  /** results known without a create: invalid ids, keys created before (on record or found by marker) */
  settled: Map<string, TaskResult>;
  /** one task per key still to create, marked sent */
  todo: TaskRequest[];
  /** the Task records for `todo`, in the same order */
  records: Record<string, unknown>[];
}

export interface TaskCollection {
  tasks: TaskRequest[];
  write: CollectionWrite;
}

export class TaskCreator {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: TaskCreatorOptions) {
    this.sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  }

  /** Tasks created on their own, one collection per call. `failedAttempts`: attempts already made (their creates unanswered). */
  async create(tasks: readonly TaskRequest[], options: { failedAttempts?: number } = {}): Promise<TaskResult[]> {
    const results = new Map<string, TaskResult>();
    // One task per dedupe key, whatever the input repeats.
    const unique = [...new Map(tasks.map((t) => [t.dedupeKey, t])).values()];
    for (let i = 0; i < unique.length; i += TASK_BATCH) {
      for (const r of await this.createBatch(unique.slice(i, i + TASK_BATCH), options.failedAttempts ?? 0)) results.set(r.dedupeKey, r);
    }
    return tasks.map((t) => results.get(t.dedupeKey) ?? { dedupeKey: t.dedupeKey, ok: false, error: 'not attempted' });
  }

  private async createBatch(batch: readonly TaskRequest[], failedAttempts: number): Promise<TaskResult[]> {
    const maxAttempts = this.options.maxAttempts ?? 4;
    const results = new Map<string, TaskResult>();
    const owners = new Map<string, string>();
    let pending: readonly TaskRequest[] = batch;
    for (let attempt = failedAttempts + 1; pending.length > 0; attempt++) {
      if (attempt > 1) await this.sleep(Math.min(8000, 500 * 2 ** (attempt - 2)));
      // keys whose create went unanswered are still marked sent: prepare looks them up first
      const prepared = await this.prepare(pending, owners);
      for (const r of prepared.settled.values()) results.set(r.dedupeKey, r);
      const [collection] = this.collections(prepared);
      if (!collection) break;
      const [outcome] = await this.options.composite.send([collection.write]);
      const settled = await this.settle(collection.tasks, outcome);
      for (const r of settled.results) results.set(r.dedupeKey, r);
      pending = settled.unanswered;
      if (pending.length && attempt >= maxAttempts) {
        const error = outcome?.kind === 'unanswered' ? errorText(outcome.error) : 'no answer from Salesforce';
        for (const t of pending) results.set(t.dedupeKey, { dedupeKey: t.dedupeKey, ok: false, error });
        break;
      }
      if (pending.length) this.options.logger.warn({ attempt, tasks: pending.length }, 'Salesforce task create failed in flight; checking which tasks exist before trying again');
    }
    return batch.map((t) => results.get(t.dedupeKey) ?? { dedupeKey: t.dedupeKey, ok: false, error: 'not attempted' });
  }

  /**
   * Decides what to create: one task per key; keys created before are answered from the record,
   * keys whose create had no answer are looked up by marker; owners are looked up only for tasks
   * that name none. The keys to create are marked sent before this returns.
   */
  async prepare(tasks: readonly TaskRequest[], owners = new Map<string, string>()): Promise<PreparedTasks> {
    const settled = new Map<string, TaskResult>();
    const unique = [...new Map(tasks.map((t) => [t.dedupeKey, t])).values()];
    const valid = unique.filter((t) => salesforceId.test(t.accountExternalId));
    for (const t of unique) if (!valid.includes(t)) settled.set(t.dedupeKey, { dedupeKey: t.dedupeKey, ok: false, error: `INVALID_ID: "${t.accountExternalId}" is not a Salesforce account id` });

    const { sent } = this.options;
    const outcomes = await sent.outcomes(valid.map((t) => t.dedupeKey));
    const unknown = valid.filter((t) => outcomes.get(t.dedupeKey)?.state === 'unknown');
    for (const t of valid) {
      const o = outcomes.get(t.dedupeKey);
      if (o?.state === 'created') settled.set(t.dedupeKey, { dedupeKey: t.dedupeKey, ok: true, taskId: o.taskId, existed: true });
    }
    const found = await this.existing([...new Set(unknown.map((t) => t.accountExternalId))]);
    const foundNow: { dedupeKey: string; taskId: string }[] = [];
    for (const t of unknown) {
      const id = found.get(taskMarker(t.dedupeKey));
      if (!id) continue;
      settled.set(t.dedupeKey, { dedupeKey: t.dedupeKey, ok: true, taskId: id, existed: true });
      foundNow.push({ dedupeKey: t.dedupeKey, taskId: id });
    }
    await sent.markCreated(foundNow);

    const todo = valid.filter((t) => !settled.has(t.dedupeKey));
    const needOwner = [...new Set(todo.filter((t) => !t.ownerExternalId && !owners.has(t.accountExternalId)).map((t) => t.accountExternalId))];
    for (const [account, owner] of await this.owners(needOwner)) owners.set(account, owner);
    const records = todo.map((t) => taskRecord(t, t.ownerExternalId ?? owners.get(t.accountExternalId)));
    await sent.markSent(todo.map((t) => t.dedupeKey));
    return { settled, todo, records };
  }

  /** The prepared creates as Task collections of up to 200. */
  collections(prepared: PreparedTasks): TaskCollection[] {
    const records = inCollections(prepared.records);
    return inCollections(prepared.todo).map((tasks, k) => ({ tasks, write: { method: 'POST', label: 'tasks', records: records[k] ?? [] } }));
  }

  /**
   * Records what became of one collection's creates: created (task id kept), refused (cleared:
   * nothing was created, the next run creates without a lookup), or unanswered (left marked sent,
   * returned for a retry that looks them up first).
   */
  async settle(tasks: readonly TaskRequest[], outcome: CollectionOutcome | undefined): Promise<{ results: TaskResult[]; unanswered: TaskRequest[] }> {
    const { sent } = this.options;
    if (!outcome || outcome.kind === 'unanswered') return { results: [], unanswered: [...tasks] };
    if (outcome.kind !== 'saved') {
      const error = outcome.kind === 'refused' ? outcome.error : errorText(outcome.error);
      await sent.clear(tasks.map((t) => t.dedupeKey));
      return { results: tasks.map((t) => ({ dedupeKey: t.dedupeKey, ok: false, error })), unanswered: [] };
    }
    const results: TaskResult[] = [];
    const created: { dedupeKey: string; taskId: string }[] = [];
    const refused: string[] = [];
    tasks.forEach((t, i) => {
      const r = recordOutcome(outcome.results[i]);
      if (r.ok && r.id) {
        results.push({ dedupeKey: t.dedupeKey, ok: true, taskId: r.id });
        created.push({ dedupeKey: t.dedupeKey, taskId: r.id });
      } else {
        results.push({ dedupeKey: t.dedupeKey, ok: false, error: r.ok ? 'NO_ID: Salesforce named no id for the created task' : r.error });
        refused.push(t.dedupeKey);
      }
    });
    await sent.markCreated(created);
    await sent.clear(refused);
    return { results, unanswered: [] };
  }

  /** Markers already present on these accounts' tasks → task id. */
  private async existing(accountIds: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (let i = 0; i < accountIds.length; i += LOOKUP_SIZE) {
      const rows = await this.options.reader.restAll(
        `SELECT Id, Subject FROM Task WHERE WhatId IN ${soqlIdList(accountIds.slice(i, i + LOOKUP_SIZE))} AND Subject LIKE '%[AP-%'`,
        'Salesforce Task lookup (AccountPulse markers)',
      );
      for (const r of rows) {
        const m = typeof r.Subject === 'string' ? markerPattern.exec(r.Subject) : null;
        if (m && typeof r.Id === 'string') out.set(m[0].trim(), r.Id);
      }
    }
    return out;
  }

  private async owners(accountIds: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (let i = 0; i < accountIds.length; i += LOOKUP_SIZE) {
      const rows = await this.options.reader.restAll(`SELECT Id, OwnerId FROM Account WHERE Id IN ${soqlIdList(accountIds.slice(i, i + LOOKUP_SIZE))}`, 'Salesforce Account owner lookup for tasks');
      for (const r of rows) if (typeof r.Id === 'string' && typeof r.OwnerId === 'string') out.set(r.Id, r.OwnerId);
    }
    return out;
  }
}

function taskRecord(t: TaskRequest, owner: string | undefined): Record<string, unknown> {
  return {
    attributes: { type: 'Task' },
    Subject: subjectWithMarker(t.subject, t.dedupeKey),
    Description: `${t.body}\n\nAccountPulse key: ${t.dedupeKey}`,
    WhatId: t.accountExternalId,
    ...(owner ? { OwnerId: owner } : {}),
    ActivityDate: t.dueDate.slice(0, 10),
    Priority: priorities[t.priority],
    Status: 'Not Started',
  };
}

export function errorText(err: unknown): string {
  return (err as Error)?.message ?? String(err);
}
