/**
 * What a CRM connector offers the jobs. One implementation per CRM (hubspot/, salesforce/); the
 * jobs only see this interface, so they wire any CRM the same way.
 */
import type { Logger } from 'pino';
import type { CrmSource } from '../domain/model.js';
import type { Store } from '../store/index.js';
import type { LedgerValue } from '../store/ledger.js';
import type { BudgetStatus } from './budget.js';

export interface SyncContext {
  store: Store;
  logger: Logger;
  /** ignore checkpoints and read everything (initial load / nightly reconciliation) */
  full?: boolean;
  /** stop between pages when aborted; the checkpoint is saved, nothing is lost */
  signal?: AbortSignal;
  runId?: string;
  /** the cycle this sync belongs to: metadata read once per cycle is shared by its streams */
  cycleId?: string;
  /** called after each page */
  onPage?: (progress: { stream: string; pages: number; read: number; total: number | null }) => void;
}

export interface StreamResult {
  source: CrmSource;
  stream: string;
  pages: number;
  /** records read from the CRM */
  read: number;
  /** records whose stored version changed */
  changed: number;
  /** records removed (deleted/archived/merged in the CRM) */
  deleted: number;
  quarantined: number;
  /** our ids of the accounts whose data changed (to rescore) */
  accountIds: string[];
  /** our ids of owners whose deals or quotas changed (to recompute attainment) */
  ownerIds: string[];
  /** true when the stream reached its end; false when stopped (budget reserve, abort) */
  complete: boolean;
  stoppedReason: 'budget' | 'aborted' | null;
  /** API calls this stream made */
  calls: number;
}

/** Logical fields AccountPulse writes on accounts (defined by the domain's write-back plan). */
export { writeBackFields as writeBackFieldNames } from '../domain/writeback.js';
export type { WriteBackField as WriteBackFieldName } from '../domain/writeback.js';
import type { WriteBackField as WriteBackFieldName } from '../domain/writeback.js';

export interface FieldUpdate {
  /** the CRM's id of the account */
  externalId: string;
  fields: Partial<Record<WriteBackFieldName, LedgerValue>>;
}

export interface RecordWriteResult {
  externalId: string;
  ok: boolean;
  /** CRM error code and message when not ok, e.g. "INVALID_FIELD: No such column…" */
  error?: string;
  /** permanent errors (validation, deleted record) are not retried on later runs */
  permanent?: boolean;
}

export interface TaskRequest {
  /** stable identity: the same key never creates a second task (retries, re-runs) */
  dedupeKey: string;
  /** CRM id of the account the task is about */
  accountExternalId: string;
  /** CRM id of the owner who should do it (null: the account owner) */
  ownerExternalId: string | null;
  subject: string;
  body: string;
  dueDate: string;
  priority: 'low' | 'normal' | 'high';
}

export interface TaskResult {
  dedupeKey: string;
  ok: boolean;
  taskId?: string;
  error?: string;
  /** true when the task already existed (created by an earlier attempt) */
  existed?: boolean;
}

/** Per-record results of one write-back: field updates and task creates, each in input order. */
export interface WriteBackResult {
  fields: RecordWriteResult[];
  tasks: TaskResult[];
}

export interface ProvisionReport {
  source: CrmSource;
  created: string[];
  existing: string[];
  /** fields the connector could not create, with what an admin must do */
  manual: { field: string; instruction: string }[];
}

export interface AuthStatus {
  ok: boolean;
  /** who we are connected as, e.g. portal id / org id + user */
  identity?: string;
  message?: string;
}

export interface CrmConnector {
  readonly source: CrmSource;
  /** stream names in the order a full sync runs them (owners and products first) */
  readonly streams: readonly string[];
  checkAuth(): Promise<AuthStatus>;
  syncStream(stream: string, ctx: SyncContext): Promise<StreamResult>;
  /** targeted re-read of given CRM ids after a change notice (webhook) */
  syncRecords(stream: string, externalIds: readonly string[], ctx: SyncContext): Promise<StreamResult>;
  provision(options: { dryRun: boolean }): Promise<ProvisionReport>;
  /** current CRM values of our fields (to detect edits by people since our last write) */
  readFields(externalIds: readonly string[]): Promise<Map<string, Partial<Record<WriteBackFieldName, LedgerValue>>>>;
  writeFields(updates: readonly FieldUpdate[]): Promise<RecordWriteResult[]>;
  createTasks(tasks: readonly TaskRequest[]): Promise<TaskResult[]>;
  /** a run's field updates and tasks together, in the fewest calls the CRM allows for both */
  writeBack(updates: readonly FieldUpdate[], tasks: readonly TaskRequest[]): Promise<WriteBackResult>;
  budget(): Promise<BudgetStatus>;
  close(): Promise<void>;
}
