/**
 * Runs a parsed SOQL query against the store. Fields are resolved against the schema first
 * (INVALID_FIELD / INVALID_TYPE errors as Salesforce words them), then the table's rows are
 * streamed through the WHERE filter, which reads single columns by row number (no record is
 * built); only the matching row numbers are collected, sorted (skipped when the table's write
 * order already satisfies ORDER BY) and sliced by OFFSET/LIMIT. Records are built when a page
 * is rendered, so a cursor holds one number a row, and a page shows the values at the time it
 * is read.
 */
import { SfApiError } from '../errors.js';
import { normalizeId } from '../ids.js';
import type { FieldDef, ObjectDef } from '../schema.js';
import type { RecordTable } from '../record-table.js';
import type { FieldValue, SalesforceStore } from '../store.js';
import { dateOf, dateToMs, formatDatetime } from '../values.js';
import type { AggregateFunction, Condition, Literal, OrderItem, SelectItem, SelectQuery } from './ast.js';
import { dateLiteralRange } from './date-literals.js';
import { parseSoql } from './parser.js';

export interface QueryContext {
  store: SalesforceStore;
  /** queryAll: include soft-deleted rows */
  includeDeleted: boolean;
  now: number;
}

type Json = Record<string, unknown>;

export interface CompiledPath {
  text: string;
  hops: FieldDef[];
  leaf: FieldDef;
  /** the value at a row of the path's object's table */
  get: (row: number) => FieldValue;
}

export interface QueryOutcome {
  object: ObjectDef;
  /** total rows the query matches (COUNT() queries: the count) */
  totalSize: number;
  /** matching row numbers of `object`'s table in order, or aggregate rows already shaped */
  rows: number[] | Json[];
  aggregate: boolean;
  /** renders one row as the REST API does (records only; aggregate rows are returned as they are) */
  project: (row: number, version: string) => Json;
  /** flat columns for Bulk API CSV (no subqueries or aggregates) */
  columns: CompiledPath[];
  hasSubqueries: boolean;
}

const noSuchColumn = (name: string, object: string) =>
  new SfApiError(400, 'INVALID_FIELD', `No such column '${name}' on entity '${object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`);

export function runSoql(soql: string, ctx: QueryContext): QueryOutcome {
  return runQuery(parseSoql(soql), ctx);
}

export function resolveObject(ctx: QueryContext, name: string): ObjectDef {
  const def = ctx.store.schema.object(name);
  if (!def) throw new SfApiError(400, 'INVALID_TYPE', `sObject type '${name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`);
  return def;
}

export function compilePath(ctx: QueryContext, object: ObjectDef, segments: string[], alias: string | null = null): CompiledPath {
  const { store } = ctx;
  let parts = segments;
  const first = parts[0]!.toLowerCase();
  if (parts.length > 1 && !object.relationshipsByLower.has(first) && (first === object.name.toLowerCase() || first === alias?.toLowerCase())) parts = parts.slice(1);
  const hops: FieldDef[] = [];
  let current = object;
  for (const segment of parts.slice(0, -1)) {
    const relationship = current.relationshipsByLower.get(segment.toLowerCase());
    if (!relationship) {
      throw new SfApiError(400, 'INVALID_FIELD', `Didn't understand relationship '${segment}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`);
    }
    hops.push(relationship);
    const target = store.schema.object(relationship.referenceTo[0] ?? '');
    if (!target) throw noSuchColumn(segment, current.name);
    current = target;
  }
  const leafName = parts[parts.length - 1]!;
  const leaf = store.schema.field(current, leafName);
  if (!leaf) throw noSuchColumn(leafName, current.name);
  const leafKey = leaf.name;
  const root = store.table(object.name);
  const column = hops.length === 0 ? root.column(leafKey) : undefined;
  const get =
    hops.length === 0
      ? column
        ? (row: number) => column.get(row)
        : () => null
      : (row: number) => {
          let table: RecordTable = root;
          let at = row;
          for (const hop of hops) {
            const id = table.value(at, hop.name) as string | null;
            if (!id) return null;
            const parent = store.locate(id);
            if (!parent) return null;
            table = parent.table;
            at = parent.row;
          }
          return table.value(at, leafKey);
        };
  return { text: [...hops.map((h) => h.relationshipName!), leaf.name].join('.'), hops, leaf, get };
}

// ---- comparison values ----------------------------------------------------------------------

type Comparable = string | number | boolean | null;

const stringTypes = new Set(['string', 'textarea', 'picklist', 'email', 'phone', 'url']);

/** A field value in the form comparisons use: case-folded strings, 18-character ids. */
function comparable(value: FieldValue, leaf: FieldDef): Comparable {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' && (stringTypes.has(leaf.type) || leaf.type === 'id' || leaf.type === 'reference')) return value.toLowerCase();
  return value;
}

type LiteralValue = { kind: 'value'; value: Comparable } | { kind: 'range'; start: Comparable; end: Comparable };

function literalValue(literal: Literal, leaf: FieldDef, now: number): LiteralValue {
  const isDatetime = leaf.type === 'datetime';
  switch (literal.kind) {
    case 'null':
      return { kind: 'value', value: null };
    case 'boolean':
      return { kind: 'value', value: literal.value };
    case 'number':
      return { kind: 'value', value: literal.value };
    case 'string': {
      if (leaf.type === 'id' || leaf.type === 'reference') return { kind: 'value', value: (normalizeId(literal.value) ?? literal.value).toLowerCase() };
      if (leaf.type === 'double' || leaf.type === 'currency' || leaf.type === 'percent' || leaf.type === 'int') return { kind: 'value', value: Number(literal.value) };
      if (leaf.type === 'boolean') return { kind: 'value', value: literal.value.toLowerCase() === 'true' };
      return { kind: 'value', value: literal.value.toLowerCase() };
    }
    case 'date':
      return { kind: 'value', value: isDatetime ? dateToMs(literal.value) : literal.value };
    case 'datetime':
      return { kind: 'value', value: isDatetime ? literal.value : dateOf(literal.value) };
    case 'dateLiteral': {
      const range = dateLiteralRange(literal.name, literal.n, now);
      return isDatetime ? { kind: 'range', start: dateToMs(range.start), end: dateToMs(range.end) } : { kind: 'range', start: range.start, end: range.end };
    }
  }
}

function likeMatcher(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && (pattern[i + 1] === '%' || pattern[i + 1] === '_')) {
      source += pattern[i + 1];
      i += 1;
    } else if (c === '%') source += '.*';
    else if (c === '_') source += '.';
    else source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'is');
}

function compare(a: Comparable, b: Comparable): number {
  if (a === b) return 0;
  return (a as string | number) < (b as string | number) ? -1 : 1;
}

function compileCondition(ctx: QueryContext, object: ObjectDef, alias: string | null, condition: Condition): (row: number) => boolean {
  switch (condition.kind) {
    case 'and': {
      const parts = condition.items.map((c) => compileCondition(ctx, object, alias, c));
      return (r) => parts.every((p) => p(r));
    }
    case 'or': {
      const parts = condition.items.map((c) => compileCondition(ctx, object, alias, c));
      return (r) => parts.some((p) => p(r));
    }
    case 'not': {
      const inner = compileCondition(ctx, object, alias, condition.item);
      return (r) => !inner(r);
    }
    case 'in':
    case 'inQuery': {
      const path = compilePath(ctx, object, condition.path, alias);
      let set: Set<Comparable>;
      if (condition.kind === 'in') {
        set = new Set(condition.values.map((v) => {
          const lv = literalValue(v, path.leaf, ctx.now);
          return lv.kind === 'value' ? lv.value : null;
        }));
      } else {
        const inner = runQuery(condition.query, { ...ctx, includeDeleted: false });
        const column = inner.columns[0];
        if (!column || inner.aggregate || inner.columns.length !== 1) throw new SfApiError(400, 'MALFORMED_QUERY', 'semi-join sub-selects must select exactly one field');
        set = new Set((inner.rows as number[]).map((row) => comparable(column.get(row), column.leaf)));
      }
      const negated = condition.negated;
      return (r) => {
        const value = comparable(path.get(r), path.leaf);
        if (value === null) return negated ? !set.has(null) : set.has(null);
        return negated ? !set.has(value) : set.has(value);
      };
    }
    case 'compare': {
      const path = compilePath(ctx, object, condition.path, alias);
      const { op } = condition;
      if (op === 'LIKE') {
        const regex = likeMatcher((condition.value as { value: string }).value);
        return (r) => {
          const v = path.get(r);
          return typeof v === 'string' && regex.test(v);
        };
      }
      const literal = literalValue(condition.value, path.leaf, ctx.now);
      if (literal.kind === 'range') {
        const { start, end } = literal;
        return (r) => {
          const v = comparable(path.get(r), path.leaf);
          if (v === null) return op === '!=';
          switch (op) {
            case '=':
              return compare(v, start) >= 0 && compare(v, end) < 0;
            case '!=':
              return compare(v, start) < 0 || compare(v, end) >= 0;
            case '<':
              return compare(v, start) < 0;
            case '<=':
              return compare(v, end) < 0;
            case '>':
              return compare(v, end) >= 0;
            case '>=':
              return compare(v, start) >= 0;
          }
        };
      }
      const target = literal.value;
      return (r) => {
        const v = comparable(path.get(r), path.leaf);
        if (target === null) return op === '=' ? v === null : op === '!=' ? v !== null : false;
        if (v === null) return op === '!=';
        const c = compare(v, target);
        switch (op) {
          case '=':
            return c === 0;
          case '!=':
            return c !== 0;
          case '<':
            return c < 0;
          case '<=':
            return c <= 0;
          case '>':
            return c > 0;
          case '>=':
            return c >= 0;
        }
      };
    }
  }
}

// ---- ordering -------------------------------------------------------------------------------

type RowComparator<T> = (a: T, b: T) => number;

function orderComparator<T>(keys: Array<{ get: (row: T) => Comparable; descending: boolean; nullsLast: boolean }>): RowComparator<T> {
  return (a, b) => {
    for (const key of keys) {
      const va = key.get(a);
      const vb = key.get(b);
      if (va === vb) continue;
      if (va === null) return key.nullsLast ? 1 : -1;
      if (vb === null) return key.nullsLast ? -1 : 1;
      const c = compare(va, vb);
      return key.descending ? -c : c;
    }
    return 0;
  };
}

function sortIfNeeded<T>(rows: T[], comparator: RowComparator<T>): void {
  for (let i = 1; i < rows.length; i++) {
    if (comparator(rows[i - 1]!, rows[i]!) > 0) {
      rows.sort(comparator);
      return;
    }
  }
}

// ---- projection -----------------------------------------------------------------------------

function recordUrl(version: string, type: string, id: string): string {
  return `/services/data/v${version}/sobjects/${type}/${id}`;
}

/** The JSON form of a stored value: datetimes as "2026-05-20T20:49:32.000+0000". */
export function jsonValue(value: FieldValue | undefined, field: FieldDef): FieldValue {
  if (value === undefined || value === null) return null;
  if (field.type === 'datetime' && typeof value === 'number') return formatDatetime(value);
  return value;
}

interface Projector {
  (row: number, version: string, out: Json): void;
}

function compileProjection(ctx: QueryContext, object: ObjectDef, alias: string | null, items: SelectItem[]): { projectors: Projector[]; columns: CompiledPath[]; hasSubqueries: boolean } {
  const { store } = ctx;
  const projectors: Projector[] = [];
  const columns: CompiledPath[] = [];
  let hasSubqueries = false;
  for (const item of items) {
    if (item.kind === 'field') {
      const path = compilePath(ctx, object, item.path, alias);
      columns.push(path);
      const { hops, leaf } = path;
      if (hops.length === 0) {
        projectors.push((row, _v, out) => {
          out[leaf.name] = jsonValue(path.get(row), leaf);
        });
        continue;
      }
      const root = store.table(object.name);
      projectors.push((row, version, out) => {
        let table: RecordTable = root;
        let at = row;
        let holder: Json = out;
        for (const hop of hops) {
          const key = hop.relationshipName!;
          const id = table.value(at, hop.name) as string | null;
          const parent = id ? store.locate(id) : undefined;
          if (!parent) {
            if (!(key in holder)) holder[key] = null;
            return;
          }
          let nested = holder[key] as Json | null | undefined;
          if (!nested) {
            nested = { attributes: { type: parent.def.name, url: recordUrl(version, parent.def.name, id!) } };
            holder[key] = nested;
          }
          holder = nested;
          table = parent.table;
          at = parent.row;
        }
        holder[leaf.name] = jsonValue(table.value(at, leaf.name), leaf);
      });
    } else if (item.kind === 'subquery') {
      hasSubqueries = true;
      const sub = item.query;
      const relationship = store.schema.childRelationship(object, sub.from);
      if (!relationship) {
        throw new SfApiError(400, 'INVALID_TYPE', `Didn't understand relationship '${sub.from}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`);
      }
      const { child, field } = relationship;
      const where = sub.where ? compileCondition(ctx, child, sub.alias, sub.where) : null;
      const inner = compileProjection(ctx, child, sub.alias, sub.select);
      const order = sub.orderBy.length ? orderComparator(compileOrder(ctx, child, sub.alias, sub.orderBy)) : null;
      const key = relationship.field.childRelationshipName ?? sub.from;
      const parents = store.table(object.name);
      const children = store.table(child.name);
      projectors.push((parentRow, version, out) => {
        const rows: number[] = [];
        for (const row of store.childRows(child.name, field.name, parents.idOf(parentRow))) {
          if (children.isDeleted(row) && !ctx.includeDeleted) continue;
          if (where && !where(row)) continue;
          rows.push(row);
        }
        if (order) rows.sort(order);
        const sliced = rows.slice(sub.offset ?? 0, sub.limit === null ? undefined : (sub.offset ?? 0) + sub.limit);
        out[key] = sliced.length === 0 ? null : { totalSize: sliced.length, done: true, records: sliced.map((row) => projectRecord(child, inner.projectors, row, version, children)) };
      });
    } else {
      throw new SfApiError(400, 'MALFORMED_QUERY', 'Aggregate functions need GROUP BY or may be the only select items');
    }
  }
  return { projectors, columns, hasSubqueries };
}

function projectRecord(object: ObjectDef, projectors: Projector[], row: number, version: string, table: RecordTable): Json {
  const out: Json = { attributes: { type: object.name, url: recordUrl(version, object.name, table.idOf(row)) } };
  for (const p of projectors) p(row, version, out);
  return out;
}

function compileOrder(ctx: QueryContext, object: ObjectDef, alias: string | null, orderBy: OrderItem[]) {
  return orderBy.map((item) => {
    if (item.target.kind !== 'field') throw new SfApiError(400, 'MALFORMED_QUERY', 'ORDER BY an aggregate needs GROUP BY');
    const path = compilePath(ctx, object, item.target.path, alias);
    return { get: (row: number) => orderValue(path.get(row), path.leaf), descending: item.descending, nullsLast: item.nullsLast };
  });
}

function orderValue(value: FieldValue, leaf: FieldDef): Comparable {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' && stringTypes.has(leaf.type) ? value.toLowerCase() : value;
}

// ---- running --------------------------------------------------------------------------------

export function runQuery(query: SelectQuery, ctx: QueryContext): QueryOutcome {
  const object = resolveObject(ctx, query.from);
  const where = query.where ? compileCondition(ctx, object, query.alias, query.where) : null;
  const isAggregate = query.groupBy.length > 0 || query.select.some((s) => s.kind === 'aggregate' || s.kind === 'countAll');
  const table = ctx.store.table(object.name);

  const matches: number[] = [];
  // Without ORDER BY the scan can stop as soon as OFFSET + LIMIT rows matched.
  const stopAt = !isAggregate && query.orderBy.length === 0 && query.limit !== null ? (query.offset ?? 0) + query.limit : Infinity;
  for (const row of table.rows()) {
    if (!ctx.includeDeleted && table.isDeleted(row)) continue;
    if (where && !where(row)) continue;
    matches.push(row);
    if (matches.length >= stopAt) break;
  }

  if (isAggregate) return aggregate(ctx, object, query, matches);

  const { projectors, columns, hasSubqueries } = compileProjection(ctx, object, query.alias, query.select);
  if (query.orderBy.length) sortIfNeeded(matches, orderComparator(compileOrder(ctx, object, query.alias, query.orderBy)));
  const offset = query.offset ?? 0;
  const rows = offset || query.limit !== null ? matches.slice(offset, query.limit === null ? undefined : offset + query.limit) : matches;
  return {
    object,
    totalSize: rows.length,
    rows,
    aggregate: false,
    project: (row, version) => projectRecord(object, projectors, row, version, table),
    columns,
    hasSubqueries,
  };
}

interface AggregateColumn {
  key: string;
  fn: AggregateFunction;
  path: CompiledPath | null;
}

function aggregate(ctx: QueryContext, object: ObjectDef, query: SelectQuery, matches: number[]): QueryOutcome {
  const base = { object, aggregate: true, project: () => ({}), columns: [] as CompiledPath[], hasSubqueries: false };
  if (query.select.length === 1 && query.select[0]!.kind === 'countAll' && query.groupBy.length === 0) {
    return { ...base, totalSize: matches.length, rows: [] };
  }
  const groupPaths = query.groupBy.map((p) => compilePath(ctx, object, p, query.alias));
  const groupKeys: Array<{ key: string; path: CompiledPath }> = [];
  const aggregates: AggregateColumn[] = [];
  let exprIndex = 0;
  for (const item of query.select) {
    if (item.kind === 'field') {
      const path = compilePath(ctx, object, item.path, query.alias);
      if (!groupPaths.some((g) => g.text === path.text)) {
        throw new SfApiError(400, 'MALFORMED_QUERY', `Field must be grouped or aggregated: ${path.leaf.name}`);
      }
      groupKeys.push({ key: path.leaf.name, path });
    } else if (item.kind === 'aggregate') {
      const path = item.path ? compilePath(ctx, object, item.path, query.alias) : null;
      aggregates.push({ key: item.alias ?? `expr${exprIndex++}`, fn: item.fn, path });
    } else if (item.kind === 'countAll') {
      aggregates.push({ key: `expr${exprIndex++}`, fn: 'COUNT', path: null });
    } else {
      throw new SfApiError(400, 'MALFORMED_QUERY', 'Nested queries are not supported in aggregate queries');
    }
  }

  const groups = new Map<string, number[]>();
  for (const record of matches) {
    const key = JSON.stringify(groupPaths.map((p) => comparable(p.get(record), p.leaf)));
    const list = groups.get(key);
    if (list) list.push(record);
    else groups.set(key, [record]);
  }
  if (groupPaths.length === 0 && groups.size === 0) groups.set('[]', []);

  let rows: Json[] = [];
  for (const members of groups.values()) {
    const row: Json = { attributes: { type: 'AggregateResult' } };
    const first = members[0];
    for (const g of groupKeys) row[g.key] = first !== undefined ? jsonValue(g.path.get(first), g.path.leaf) : null;
    for (const a of aggregates) row[a.key] = computeAggregate(a, members);
    rows.push(row);
  }

  if (query.orderBy.length) {
    const keys = query.orderBy.map((item) => {
      let key: string | undefined;
      if (item.target.kind === 'field') {
        const path = compilePath(ctx, object, item.target.path, query.alias);
        key = groupKeys.find((g) => g.path.text === path.text)?.key ?? path.leaf.name;
      } else {
        const target = item.target;
        const targetText = target.path ? compilePath(ctx, object, target.path, query.alias).text : null;
        key = aggregates.find((a) => a.fn === target.fn && (a.path?.text ?? null) === targetText)?.key;
      }
      if (!key) throw new SfApiError(400, 'MALFORMED_QUERY', 'ORDER BY items of an aggregate query must be selected');
      const k = key;
      return { get: (r: Json) => (typeof r[k] === 'string' ? (r[k] as string).toLowerCase() : (r[k] as Comparable) ?? null), descending: item.descending, nullsLast: item.nullsLast };
    });
    rows.sort(orderComparator(keys));
  }
  const offset = query.offset ?? 0;
  if (offset || query.limit !== null) rows = rows.slice(offset, query.limit === null ? undefined : offset + query.limit);
  return { ...base, totalSize: rows.length, rows };
}

function computeAggregate(column: AggregateColumn, members: number[]): FieldValue {
  const { fn, path } = column;
  if (!path) return members.length;
  const values = members.map((m) => path.get(m)).filter((v): v is string | number | boolean => v !== null && v !== undefined);
  switch (fn) {
    case 'COUNT':
      return values.length;
    case 'COUNT_DISTINCT':
      return new Set(values.map((v) => (typeof v === 'string' ? v.toLowerCase() : v))).size;
    case 'SUM':
      return values.length ? values.reduce<number>((s, v) => s + Number(v), 0) : null;
    case 'AVG':
      return values.length ? values.reduce<number>((s, v) => s + Number(v), 0) / values.length : null;
    case 'MIN':
    case 'MAX': {
      if (!values.length) return null;
      let best = values[0]!;
      for (const v of values) if (fn === 'MIN' ? compare(v, best) < 0 : compare(v, best) > 0) best = v;
      return jsonValue(best, path.leaf);
    }
  }
}
