/**
 * Tasks for account owners, created through sObject Collections (200 per call), linked to the
 * account (WhatId) and never duplicated: each task's Subject ends with a marker derived from its
 * dedupe key (`[AP-<12 hex>]`). Each key's create is recorded in Redis (store/pendingTasks.ts)
 * before it is sent and when its answer comes: a key created before is answered from the record,
 * a key never sent is created without a lookup, and only a key whose create had no clear answer
 * (dropped connection, 5xx, a process killed mid-call) is looked up by marker on its account
 * first, so a task Salesforce did create is found, not created twice.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { PendingTasks } from '../../store/pendingTasks.js';
import type { TaskRequest, TaskResult } from '../types.js';
import type { SalesforceClient } from './client.js';
import { SalesforceApiError, classifyRecordError } from './errors.js';
import type { QueryReader } from './query.js';
import { soqlIdList } from './soql.js';
import { isNetworkError } from '../retry.js';

export const TASK_BATCH = 200;
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

interface SaveResult {
  id?: string;
  success: boolean;
  errors?: { statusCode?: string; message?: string; fields?: string[] }[];
}

export interface TaskCreatorOptions {
  client: SalesforceClient;
  reader: QueryReader;
  logger: Logger;
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
  /** creates sent and their outcomes, kept in Redis across attempts and processes */
  sent: PendingTasks;
}

export class TaskCreator {
  constructor(private readonly options: TaskCreatorOptions) {}

  async create(tasks: readonly TaskRequest[]): Promise<TaskResult[]> {
    const results = new Map<string, TaskResult>();
    // One task per dedupe key, whatever the input repeats.
    const unique = [...new Map(tasks.map((t) => [t.dedupeKey, t])).values()];
    for (let i = 0; i < unique.length; i += TASK_BATCH) {
      for (const r of await this.createBatch(unique.slice(i, i + TASK_BATCH))) results.set(r.dedupeKey, r);
    }
    return tasks.map((t) => results.get(t.dedupeKey) ?? { dedupeKey: t.dedupeKey, ok: false, error: 'not attempted' });
  }

  /** Markers already present on these accounts' tasks → task id. */
  private async existing(accountIds: readonly string[]): Promise<Map<string, string>> {
    const rows = await this.options.reader.restAll(
      `SELECT Id, Subject FROM Task WHERE WhatId IN ${soqlIdList(accountIds)} AND Subject LIKE '%[AP-%'`,
      'Salesforce Task lookup (AccountPulse markers)',
    );
    const out = new Map<string, string>();
    for (const r of rows) {
      const m = typeof r.Subject === 'string' ? markerPattern.exec(r.Subject) : null;
      if (m && typeof r.Id === 'string') out.set(m[0].trim(), r.Id);
    }
    return out;
  }

  private async owners(accountIds: readonly string[]): Promise<Map<string, string>> {
    if (accountIds.length === 0) return new Map();
    const rows = await this.options.reader.restAll(`SELECT Id, OwnerId FROM Account WHERE Id IN ${soqlIdList(accountIds)}`, 'Salesforce Account owner lookup for tasks');
    return new Map(rows.filter((r) => typeof r.Id === 'string' && typeof r.OwnerId === 'string').map((r) => [r.Id as string, r.OwnerId as string]));
  }

  private async createBatch(batch: readonly TaskRequest[]): Promise<TaskResult[]> {
    const valid = batch.filter((t) => /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(t.accountExternalId));
    const results = new Map<string, TaskResult>();
    for (const t of batch) if (!valid.includes(t)) results.set(t.dedupeKey, { dedupeKey: t.dedupeKey, ok: false, error: `INVALID_ID: "${t.accountExternalId}" is not a Salesforce account id` });
    const owners = new Map<string, string>();
    const maxAttempts = this.options.maxAttempts ?? 4;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));

    const { sent } = this.options;
    // keys created by an earlier attempt are known; keys whose create had no answer are looked up
    const outcomes = await sent.outcomes(valid.map((t) => t.dedupeKey));
    let unknown = new Set<string>();
    for (const t of valid) {
      const o = outcomes.get(t.dedupeKey);
      if (o?.state === 'created') results.set(t.dedupeKey, { dedupeKey: t.dedupeKey, ok: true, taskId: o.taskId, existed: true });
      else if (o?.state === 'unknown') unknown.add(t.dedupeKey);
    }

    for (let attempt = 1; ; attempt++) {
      const lookupAccounts = [...new Set(valid.filter((t) => unknown.has(t.dedupeKey) && !results.has(t.dedupeKey)).map((t) => t.accountExternalId))];
      const found = lookupAccounts.length ? await this.existing(lookupAccounts) : new Map<string, string>();
      const todo: TaskRequest[] = [];
      const foundNow: { dedupeKey: string; taskId: string }[] = [];
      for (const t of valid) {
        if (results.has(t.dedupeKey)) continue;
        const id = unknown.has(t.dedupeKey) ? found.get(taskMarker(t.dedupeKey)) : undefined;
        if (id) {
          results.set(t.dedupeKey, { dedupeKey: t.dedupeKey, ok: true, taskId: id, existed: true });
          foundNow.push({ dedupeKey: t.dedupeKey, taskId: id });
        } else todo.push(t);
      }
      await sent.markCreated(foundNow);
      if (todo.length === 0) break;
      // account owners for tasks that name none: looked up once, only for what is created
      const needOwner = [...new Set(todo.filter((t) => !t.ownerExternalId && !owners.has(t.accountExternalId)).map((t) => t.accountExternalId))];
      for (const [account, owner] of await this.owners(needOwner)) owners.set(account, owner);
      const records = todo.map((t) => {
        const owner = t.ownerExternalId ?? owners.get(t.accountExternalId);
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
      });
      await sent.markSent(todo.map((t) => t.dedupeKey));
      try {
        const res = await this.options.client.call<SaveResult[]>(
          { method: 'POST', url: '/composite/sobjects', body: { allOrNone: false, records } },
          { what: `Salesforce Task create (${records.length} tasks)`, idempotent: false },
        );
        const saved = Array.isArray(res.body) ? res.body : [];
        const created: { dedupeKey: string; taskId: string }[] = [];
        const refused: string[] = [];
        todo.forEach((t, i) => {
          const r = saved[i];
          if (r?.success && r.id) {
            results.set(t.dedupeKey, { dedupeKey: t.dedupeKey, ok: true, taskId: r.id });
            created.push({ dedupeKey: t.dedupeKey, taskId: r.id });
          } else {
            const e = r?.errors?.[0];
            const { error } = classifyRecordError(e?.statusCode ?? 'UNKNOWN_ERROR', e?.message ?? 'no result for this task', e?.fields ?? []);
            results.set(t.dedupeKey, { dedupeKey: t.dedupeKey, ok: false, error });
            refused.push(t.dedupeKey);
          }
        });
        await sent.markCreated(created);
        await sent.clear(refused);
        break;
      } catch (err) {
        const transient = isNetworkError(err) || (err instanceof SalesforceApiError && err.transient);
        // refused outright: nothing was created. In flight: the outcome stays unknown (looked up next)
        if (!transient) await sent.clear(todo.map((t) => t.dedupeKey));
        if (!transient || attempt >= maxAttempts) {
          for (const t of todo) results.set(t.dedupeKey, { dedupeKey: t.dedupeKey, ok: false, error: (err as Error).message });
          break;
        }
        this.options.logger.warn({ attempt, err: (err as Error).message }, 'Salesforce task create failed in flight; checking which tasks exist before trying again');
        unknown = new Set([...unknown, ...todo.map((t) => t.dedupeKey)]);
        await sleep(Math.min(8000, 500 * 2 ** (attempt - 1)));
      }
    }
    return batch.map((t) => results.get(t.dedupeKey) ?? { dedupeKey: t.dedupeKey, ok: false, error: 'not attempted' });
  }
}
