/** CSV as Bulk API 2.0 speaks it: RFC 4180 quoting, a chosen column delimiter and line ending. */

export const columnDelimiters: Record<string, string> = {
  COMMA: ',', TAB: '\t', SEMICOLON: ';', PIPE: '|', CARET: '^', BACKQUOTE: '`',
};

export const lineEndings: Record<string, string> = { LF: '\n', CRLF: '\r\n' };

/** Parses CSV text into rows of cells; quoted cells may hold delimiters, quotes ("") and newlines. */
export function parseCsv(text: string, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i += 1;
        continue;
      }
      cell += c;
      i += 1;
      continue;
    }
    if (c === '"' && cell === '') {
      quoted = true;
      i += 1;
    } else if (c === delimiter) {
      row.push(cell);
      cell = '';
      i += 1;
    } else if (c === '\n' || c === '\r') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else {
      cell += c;
      i += 1;
    }
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

/** Quotes every cell, as Salesforce's Bulk 2.0 query results do. */
export function toCsv(rows: Array<Array<string>>, delimiter = ',', lineEnding = '\n'): string {
  return rows.map((r) => r.map((cell) => `"${cell.replace(/"/g, '""')}"`).join(delimiter)).join(lineEnding) + (rows.length ? lineEnding : '');
}
