/** Small SOQL builders: literals and the incremental query every stream runs. */

/** A datetime literal, floored to the second (SOQL takes `2026-09-26T14:03:00Z`); flooring only widens a `>` window. */
export function soqlDateTime(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A quoted string literal. */
export function soqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** `Id IN ('a','b')` for ids already validated as Salesforce ids. */
export function soqlIdList(ids: readonly string[]): string {
  return `(${ids.map(soqlString).join(',')})`;
}

export interface IncrementalQuery {
  sobject: string;
  fields: readonly string[];
  /** read rows changed after this instant (already moved back by the lookback) */
  since: string | null;
  /** and up to this instant, inclusive (the pass's windowEnd, whole seconds) */
  until?: string | null;
  filter?: string;
  /** REST reads are ordered; Bulk 2.0 jobs are not (ORDER BY slows them and disables PK chunking) */
  ordered?: boolean;
}

/** `SELECT … FROM X WHERE filter AND SystemModstamp > since AND SystemModstamp <= until [ORDER BY SystemModstamp, Id]`. */
export function incrementalSoql(q: IncrementalQuery): string {
  const where = [
    q.filter ? `(${q.filter})` : null,
    q.since ? `SystemModstamp > ${soqlDateTime(q.since)}` : null,
    q.until ? `SystemModstamp <= ${soqlDateTime(q.until)}` : null,
  ].filter(Boolean);
  return `SELECT ${q.fields.join(', ')} FROM ${q.sobject}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}${q.ordered === false ? '' : ' ORDER BY SystemModstamp, Id'}`;
}
