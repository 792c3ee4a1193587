/**
 * CSV as Bulk API 2.0 speaks it (RFC 4180, comma, LF or CRLF): quoted fields may hold commas,
 * doubled quotes and line breaks. jsforce's own CSV path is not used for query results (its
 * multi-page bug), so results are parsed here, page by page.
 */

/** Parses a CSV text into rows of strings. */
export function parseCsvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let inQuotes = false;
  let fieldStarted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else field += c;
      continue;
    }
    if (c === '"' && !fieldStarted) {
      inQuotes = true;
      fieldStarted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
      fieldStarted = false;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      fieldStarted = false;
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (fieldStarted || row.length > 0 || field !== '') {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/**
 * Parses a results page into records keyed by header. Empty values become null (Bulk 2.0 writes
 * nulls as empty fields); dotted headers (`Owner.Name`) become nested objects, as REST returns them.
 */
export function parseCsvRecords(text: string): Record<string, unknown>[] {
  const rows = parseCsvRows(text);
  const header = rows[0];
  if (!header) return [];
  const out: Record<string, unknown>[] = [];
  for (let r = 1; r < rows.length; r++) {
    const cells = rows[r] as string[];
    if (cells.length === 1 && cells[0] === '' && header.length > 1) continue; // blank line
    const record: Record<string, unknown> = {};
    header.forEach((name, i) => setPath(record, name, cells[i] === undefined || cells[i] === '' ? null : cells[i]));
    out.push(record);
  }
  return out;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (let i = 0; i < parts.length - 1; i++) {
    const key = parts[i] as string;
    const next = node[key];
    if (next === null || typeof next !== 'object') node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[parts[parts.length - 1] as string] = value;
}

/**
 * One CSV cell: quoted when it holds a delimiter, quote or line break. For Bulk ingest, null is
 * `#N/A` (set the field empty) and undefined an empty cell (leave the field as it is).
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === undefined) return '';
  if (value === null) return '#N/A';
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(columns: readonly string[], rows: readonly (readonly (string | number | boolean | null | undefined)[])[]): string {
  return [columns.join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\n') + '\n';
}
