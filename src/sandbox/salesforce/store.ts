/**
 * The org's records: one columnar RecordTable per sObject (record-table.ts), indexes of children
 * by parent id, and the rules Salesforce applies on every write (audit fields, fields derived
 * from the stage, OpportunityHistory rows, line-item roll-ups). Datetimes are epoch ms, dates
 * "YYYY-MM-DD".
 *
 * A table iterates in write order (a write moves its record to the end), which is SystemModstamp
 * order while the clock moves forward: incremental queries then rarely need a sort.
 */
import { ChildIndex } from './child-index.js';
import { IdCodec, IdFactory } from './ids.js';
import { RecordTable, type SfRecord } from './record-table.js';
import { SalesforceSchema, standardStages, forecastCategoryApiValue, type ObjectDef, type StageDef } from './schema.js';
import { dateOf } from './values.js';

export type { FieldValue } from './columns.js';
export type { SfRecord } from './record-table.js';

export interface WriteContext {
  /** the acting user (CreatedById / LastModifiedById, default owner) */
  userId: string;
  /** epoch ms of the write; defaults to the store clock */
  at?: number;
  /** false when seeding: line items do not recompute their opportunity's Amount */
  rollUp?: boolean;
}

interface UndoEntry {
  type: string;
  id: string;
  previous: SfRecord | undefined;
}

/** Where a record lives: its object, table and row. */
export interface RecordLocation {
  def: ObjectDef;
  table: RecordTable;
  row: number;
}

const historyFields = ['StageName', 'Amount', 'CloseDate', 'Probability'] as const;

export class SalesforceStore {
  readonly schema: SalesforceSchema;
  readonly ids = new IdFactory();
  private readonly codec = new IdCodec();
  private tables = new Map<string, RecordTable>();
  /** "Child.Field" -> parent id -> child rows (fields with a child relationship, plus Task/Event AccountId) */
  private childIndex = new Map<string, ChildIndex>();
  private indexedFields = new Map<string, string[]>();
  /** "Type.Field" -> lower-cased external id value -> ids (external id fields, for upserts) */
  private externalIndex = new Map<string, Map<string, string[]>>();
  private stagesByLower = new Map<string, StageDef>();
  private undoLog: UndoEntry[] | null = null;
  private caseNumber = 1000;
  private readonly now: () => number;

  constructor(options: { schema?: SalesforceSchema; now: () => number }) {
    this.schema = options.schema ?? new SalesforceSchema();
    this.now = options.now;
    for (const def of this.schema.all()) {
      this.tables.set(def.name, new RecordTable({ object: def, codec: this.codec }));
      const indexed = def.fields.filter((f) => f.type === 'reference' && (f.childRelationshipName || (f.name === 'AccountId' && (def.name === 'Task' || def.name === 'Event'))));
      this.indexedFields.set(def.name, indexed.map((f) => f.name));
      for (const f of indexed) this.childIndex.set(`${def.name}.${f.name}`, new ChildIndex(this.codec));
    }
    for (const s of standardStages) this.stagesByLower.set(s.name.toLowerCase(), s);
  }

  clock(): number {
    return this.now();
  }

  /** The table of an sObject (read-only Map interface; write through insert/update/delete/load). */
  table(type: string): RecordTable {
    const t = this.tables.get(type);
    if (!t) throw new Error(`no table for sObject ${type}`);
    return t;
  }

  get(type: string, id: string): SfRecord | undefined {
    return this.tables.get(type)?.get(id);
  }

  /** The object, table and row of an id (type from the key prefix). */
  locate(id: string): RecordLocation | undefined {
    const def = this.schema.objectForId(id);
    const table = def ? this.tables.get(def.name) : undefined;
    const row = table ? table.rowOf(id) : -1;
    return def && table && row >= 0 ? { def, table, row } : undefined;
  }

  /** A record by id alone (type from the key prefix). */
  byId(id: string): { def: ObjectDef; record: SfRecord } | undefined {
    const found = this.locate(id);
    return found ? { def: found.def, record: found.table.read(found.row) } : undefined;
  }

  /** Rows (in `childType`'s table) of records whose `field` points at `parentId` (deleted ones included). */
  childRows(childType: string, field: string, parentId: string): number[] {
    return this.childIndex.get(`${childType}.${field}`)?.rows(parentId) ?? [];
  }

  /** Ids of `childType` records whose `field` points at `parentId` (deleted ones included). */
  children(childType: string, field: string, parentId: string): readonly string[] {
    const table = this.table(childType);
    return this.childRows(childType, field, parentId).map((row) => table.idOf(row));
  }

  hasChildIndex(childType: string, field: string): boolean {
    return this.childIndex.has(`${childType}.${field}`);
  }

  stage(name: string): StageDef | undefined {
    return this.stagesByLower.get(name.toLowerCase());
  }

  /**
   * Puts every table's write order in SystemModstamp order (then Id), and drops the tables' spare
   * capacity: called once seeding is done.
   */
  sortByModstamp(): void {
    for (const table of this.tables.values()) {
      const modstamp = table.column('SystemModstamp')!;
      table.reorder((a, b) => {
        const byStamp = (modstamp.get(a) as number) - (modstamp.get(b) as number);
        if (byStamp) return byStamp;
        // ids of one key prefix sort by their counter; others by their text
        const codeA = table.idCode(a);
        const codeB = table.idCode(b);
        if (codeA === codeA && codeB === codeB && IdCodec.prefixOf(codeA) === IdCodec.prefixOf(codeB)) return codeA - codeB;
        const idA = table.idOf(a);
        const idB = table.idOf(b);
        return idA < idB ? -1 : idA > idB ? 1 : 0;
      });
      table.trim();
    }
    for (const index of this.childIndex.values()) index.trim();
  }

  /** Runs `fn`; if it throws, every write it made is undone (allOrNone). */
  transaction<T>(fn: () => T): T {
    if (this.undoLog) return fn();
    this.undoLog = [];
    try {
      const result = fn();
      this.undoLog = null;
      return result;
    } catch (error) {
      this.rollback();
      throw error;
    }
  }

  /** Undo log handle for callers that decide to roll back without an exception. */
  begin(): { rollback: () => void; commit: () => void } {
    if (this.undoLog) return { rollback: () => undefined, commit: () => undefined };
    this.undoLog = [];
    return {
      rollback: () => this.rollback(),
      commit: () => {
        this.undoLog = null;
      },
    };
  }

  private rollback(): void {
    const log = this.undoLog ?? [];
    this.undoLog = null;
    for (let i = log.length - 1; i >= 0; i--) {
      const entry = log[i]!;
      this.put(entry.type, entry.id, entry.previous);
    }
  }

  /**
   * Replaces (or removes) a record, keeping the child indexes, the external id index and the undo
   * log in step. `known` is the current record when the caller has read it already.
   */
  private put(type: string, id: string, next: SfRecord | undefined, known?: SfRecord): void {
    const table = this.table(type);
    const previous = known ?? table.get(id);
    this.undoLog?.push({ type, id, previous });
    const rowBefore = previous ? table.rowOf(id) : -1;
    const row = next ? table.write(id, next) : rowBefore;
    if (!next) table.remove(id);
    for (const fieldName of this.indexedFields.get(type) ?? []) {
      const before = (previous?.[fieldName] as string | null | undefined) ?? null;
      const after = (next?.[fieldName] as string | null | undefined) ?? null;
      if (before === after) continue;
      const index = this.childIndex.get(`${type}.${fieldName}`)!;
      if (before) index.remove(before, row);
      if (after) index.add(after, row);
    }
    for (const f of table.object.fields) {
      if (!f.externalId) continue;
      const before = typeof previous?.[f.name] === 'string' && !previous.IsDeleted ? (previous[f.name] as string).toLowerCase() : null;
      const after = typeof next?.[f.name] === 'string' && !next.IsDeleted ? (next[f.name] as string).toLowerCase() : null;
      if (before === after) continue;
      const key = `${type}.${f.name}`;
      let index = this.externalIndex.get(key);
      if (!index) this.externalIndex.set(key, (index = new Map()));
      if (before) {
        const list = index.get(before)?.filter((x) => x !== id) ?? [];
        if (list.length) index.set(before, list);
        else index.delete(before);
      }
      if (after) index.set(after, [...(index.get(after) ?? []), id]);
    }
  }

  /** Live records whose external id field equals `value` (case-insensitive). */
  byExternalId(type: string, field: string, value: string): SfRecord[] {
    const ids = this.externalIndex.get(`${type}.${field}`)?.get(value.toLowerCase()) ?? [];
    return ids.map((id) => this.get(type, id)).filter((r): r is SfRecord => r !== undefined && !r.IsDeleted);
  }

  /**
   * Creates a record from already-validated values. Audit fields and derived fields are set
   * here; `values` may carry CreatedDate etc. when seeding.
   */
  insert(type: string, values: SfRecord, ctx: WriteContext): SfRecord {
    const def = this.schema.object(type)!;
    const at = ctx.at ?? this.now();
    const id = (values.Id as string | undefined) ?? this.ids.next(def.keyPrefix);
    const record: SfRecord = {
      Id: id,
      IsDeleted: false,
      CreatedDate: at,
      CreatedById: ctx.userId,
      LastModifiedDate: at,
      LastModifiedById: ctx.userId,
      SystemModstamp: at,
      ...this.defaults(def, ctx),
      ...values,
    };
    record.Id = id;
    this.derive(def.name, record, undefined, values);
    this.put(def.name, id, record);
    this.afterWrite(def.name, record, undefined, ctx, at);
    return record;
  }

  /** Applies validated changes to an existing record; returns the new record. */
  update(type: string, id: string, changes: SfRecord, ctx: WriteContext): SfRecord {
    const previous = this.get(type, id);
    if (!previous) throw new Error(`update of missing ${type} ${id}`);
    const at = ctx.at ?? this.now();
    const record: SfRecord = { ...previous, ...changes, LastModifiedDate: at, LastModifiedById: ctx.userId, SystemModstamp: at };
    this.derive(type, record, previous, changes);
    this.put(type, id, record, previous);
    this.afterWrite(type, record, previous, ctx, at);
    return record;
  }

  /** Soft delete (recycle bin): the row stays with IsDeleted = true, visible to queryAll and /deleted. */
  delete(type: string, id: string, ctx: WriteContext): void {
    const previous = this.get(type, id);
    if (!previous || previous.IsDeleted) return;
    const at = ctx.at ?? this.now();
    this.put(type, id, { ...previous, IsDeleted: true, LastModifiedDate: at, LastModifiedById: ctx.userId, SystemModstamp: at }, previous);
    if (type === 'OpportunityLineItem') this.rollUpLineItems(previous.OpportunityId as string, ctx, at);
  }

  private defaults(def: ObjectDef, ctx: WriteContext): SfRecord {
    const out: SfRecord = {};
    for (const f of def.fields) {
      if (f.type === 'boolean' && !f.nillable && f.name !== 'IsDeleted') out[f.name] = false;
    }
    if (def.fieldsByLower.has('ownerid')) out.OwnerId = ctx.userId;
    switch (def.name) {
      case 'User':
        out.IsActive = true;
        break;
      case 'Task':
        out.Status = 'Not Started';
        out.Priority = 'Normal';
        out.TaskSubtype = 'Task';
        break;
      case 'Event':
        out.EventSubtype = 'Event';
        break;
      case 'Case':
        out.Status = 'New';
        out.Priority = 'Medium';
        out.CaseNumber = String(++this.caseNumber).padStart(8, '0');
        break;
      case 'ForecastingQuota':
        out.IsAmount = true;
        break;
    }
    return out;
  }

  /** Fields Salesforce computes on save. `changes` are the values the caller set in this write. */
  private derive(type: string, record: SfRecord, previous: SfRecord | undefined, changes: SfRecord): void {
    switch (type) {
      case 'Contact':
      case 'User':
        record.Name = [record.FirstName, record.LastName].filter((v) => v).join(' ');
        break;
      case 'Opportunity': {
        const stage = this.stage(String(record.StageName ?? ''));
        const stageChanged = !previous || previous.StageName !== record.StageName;
        if (stage) {
          record.StageName = stage.name;
          record.IsClosed = stage.isClosed;
          record.IsWon = stage.isWon;
          if (stageChanged && !('Probability' in changes)) record.Probability = stage.probability;
          if (stageChanged && !('ForecastCategoryName' in changes)) record.ForecastCategoryName = stage.forecastCategoryName;
          if (stage.isClosed) record.ForecastCategoryName = stage.forecastCategoryName;
        }
        const category = record.ForecastCategoryName as StageDef['forecastCategoryName'] | null;
        record.ForecastCategory = category ? forecastCategoryApiValue[category] ?? null : null;
        const amount = record.Amount as number | null;
        const probability = record.Probability as number | null;
        record.ExpectedRevenue = amount === null || amount === undefined || probability === null || probability === undefined ? null : (amount * probability) / 100;
        const close = record.CloseDate as string | null;
        record.FiscalYear = close ? Number(close.slice(0, 4)) : null;
        record.FiscalQuarter = close ? Math.floor((Number(close.slice(5, 7)) - 1) / 3) + 1 : null;
        break;
      }
      case 'OpportunityLineItem': {
        // single fields, not whole records: this runs for every line item loaded
        const entry = record.PricebookEntryId ? this.locate(record.PricebookEntryId as string) : undefined;
        if (entry?.def.name === 'PricebookEntry') {
          const unitPrice = entry.table.value(entry.row, 'UnitPrice');
          record.Product2Id = entry.table.value(entry.row, 'Product2Id');
          record.ListPrice = unitPrice;
          if (record.UnitPrice === undefined || record.UnitPrice === null) record.UnitPrice = unitPrice;
        }
        const product = record.Product2Id ? this.locate(record.Product2Id as string) : undefined;
        if (product?.def.name === 'Product2') {
          record.Name = product.table.value(product.row, 'Name');
          record.ProductCode = product.table.value(product.row, 'ProductCode');
        }
        if (!('TotalPrice' in changes) || changes.TotalPrice === null) {
          const quantity = (record.Quantity as number | null) ?? 0;
          const unit = (record.UnitPrice as number | null) ?? 0;
          const discount = (record.Discount as number | null) ?? 0;
          record.TotalPrice = Math.round(quantity * unit * (1 - discount / 100) * 100) / 100;
        }
        break;
      }
      case 'PricebookEntry': {
        const product = record.Product2Id ? this.get('Product2', record.Product2Id as string) : undefined;
        record.Name = product?.Name ?? null;
        record.ProductCode = product?.ProductCode ?? null;
        break;
      }
      case 'Task':
      case 'Event': {
        record.AccountId = this.accountOf(record.WhatId as string | null) ?? this.accountOf(record.WhoId as string | null) ?? null;
        if (type === 'Task') {
          record.IsClosed = record.Status === 'Completed' || record.Status === 'Deferred';
          if (record.IsClosed && !previous?.IsClosed) record.CompletedDateTime = record.LastModifiedDate as number;
          if (!record.IsClosed) record.CompletedDateTime = null;
        } else {
          const start = record.StartDateTime as number | null;
          if (start !== null && start !== undefined) {
            record.ActivityDateTime = start;
            record.ActivityDate = dateOf(start);
            const end = record.EndDateTime as number | null;
            if (end !== null && end !== undefined) record.DurationInMinutes = Math.round((end - start) / 60_000);
            else if (record.DurationInMinutes !== null && record.DurationInMinutes !== undefined) record.EndDateTime = start + (record.DurationInMinutes as number) * 60_000;
          }
        }
        break;
      }
      case 'Case':
        record.IsClosed = record.Status === 'Closed';
        if (!record.IsClosed) record.ClosedDate = null;
        else if (!previous?.IsClosed && !('ClosedDate' in changes)) record.ClosedDate = record.LastModifiedDate as number;
        break;
      case 'ForecastingQuota': {
        const start = record.StartDate as string | null;
        if (start) {
          for (const period of this.table('Period').values()) {
            if (period.Type === 'Quarter' && (period.StartDate as string) <= start && start <= (period.EndDate as string)) {
              record.PeriodId = period.Id as string;
              break;
            }
          }
        }
        break;
      }
    }
  }

  private accountOf(id: string | null): string | null {
    if (!id) return null;
    const found = this.locate(id);
    if (!found) return null;
    if (found.def.name === 'Account') return id;
    return (found.table.value(found.row, 'AccountId') as string | null) ?? null;
  }

  private afterWrite(type: string, record: SfRecord, previous: SfRecord | undefined, ctx: WriteContext, at: number): void {
    if (type === 'Opportunity') {
      const changed = !previous || historyFields.some((f) => (previous[f] ?? null) !== (record[f] ?? null));
      if (changed) this.writeOpportunityHistory(record, previous, ctx, at);
    } else if (type === 'OpportunityLineItem' && ctx.rollUp !== false) {
      this.rollUpLineItems(record.OpportunityId as string, ctx, at);
    }
  }

  /** One OpportunityHistory row with the opportunity's values after a change (and the previous amount/close date). */
  writeOpportunityHistory(opportunity: SfRecord, previous: SfRecord | undefined, ctx: WriteContext, at: number): SfRecord {
    const values: SfRecord = {
      OpportunityId: opportunity.Id as string,
      StageName: opportunity.StageName ?? null,
      Amount: opportunity.Amount ?? null,
      PrevAmount: previous ? (previous.Amount ?? null) : null,
      ExpectedRevenue: opportunity.ExpectedRevenue ?? null,
      CloseDate: opportunity.CloseDate ?? null,
      PrevCloseDate: previous ? (previous.CloseDate ?? null) : null,
      Probability: opportunity.Probability ?? null,
      ForecastCategory: opportunity.ForecastCategory ?? null,
    };
    const def = this.schema.object('OpportunityHistory')!;
    const id = this.ids.next(def.keyPrefix);
    const row: SfRecord = { Id: id, IsDeleted: false, CreatedDate: at, CreatedById: ctx.userId, LastModifiedDate: at, LastModifiedById: ctx.userId, SystemModstamp: at, ...values };
    this.put('OpportunityHistory', id, row);
    return row;
  }

  /** Opportunity.Amount is the sum of its line items' TotalPrice once it has any (Salesforce's roll-up). */
  private rollUpLineItems(opportunityId: string, ctx: WriteContext, at: number): void {
    const opportunity = this.get('Opportunity', opportunityId);
    if (!opportunity) return;
    let total = 0;
    let count = 0;
    const items = this.table('OpportunityLineItem');
    for (const row of this.childRows('OpportunityLineItem', 'OpportunityId', opportunityId)) {
      if (items.isDeleted(row)) continue;
      count += 1;
      total += (items.value(row, 'TotalPrice') as number | null) ?? 0;
    }
    const has = count > 0;
    const amount = has ? total : opportunity.Amount;
    if (opportunity.HasOpportunityLineItem === has && (opportunity.Amount ?? null) === (amount ?? null)) return;
    this.update('Opportunity', opportunityId, { HasOpportunityLineItem: has, Amount: amount ?? null }, { ...ctx, at });
  }

  /** Loads a row as-is (seeding): no derivations, no history. */
  load(type: string, record: SfRecord): void {
    this.put(type, record.Id as string, record);
  }

  count(type: string): number {
    return this.table(type).size;
  }
}
