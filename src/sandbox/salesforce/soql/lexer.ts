/** Tokens of the SOQL subset: identifiers (dotted paths included), literals, operators, punctuation. */
import { SfApiError } from '../errors.js';

export type TokenKind = 'ident' | 'string' | 'number' | 'date' | 'datetime' | 'op' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  /** 0-based offset in the query, for error messages */
  at: number;
}

const datetimePattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2})/;
const datePattern = /^\d{4}-\d{2}-\d{2}(?![\dT])/;
const numberPattern = /^[+-]?\d+(?:\.\d+)?/;
const identPattern = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/;

export function malformed(query: string, at: number, message: string): SfApiError {
  return new SfApiError(400, 'MALFORMED_QUERY', `${message} at position ${at + 1} of: ${query.length > 200 ? `${query.slice(0, 200)}…` : query}`);
}

export function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query[i]!;
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    const rest = query.slice(i);
    if (c === "'") {
      let text = '';
      let j = i + 1;
      for (;;) {
        if (j >= query.length) throw malformed(query, i, 'unterminated string literal');
        const ch = query[j]!;
        if (ch === '\\') {
          const next = query[j + 1];
          const escapes: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '"': '"', "'": "'", '\\': '\\', _: '\\_', '%': '\\%' };
          if (next === undefined || !(next in escapes)) throw malformed(query, j, 'invalid escape sequence in string literal');
          text += escapes[next];
          j += 2;
          continue;
        }
        if (ch === "'") break;
        text += ch;
        j += 1;
      }
      tokens.push({ kind: 'string', text, at: i });
      i = j + 1;
      continue;
    }
    let m = datetimePattern.exec(rest);
    if (m) {
      tokens.push({ kind: 'datetime', text: m[0], at: i });
      i += m[0].length;
      continue;
    }
    m = datePattern.exec(rest);
    if (m) {
      tokens.push({ kind: 'date', text: m[0], at: i });
      i += m[0].length;
      continue;
    }
    m = numberPattern.exec(rest);
    const previous = tokens[tokens.length - 1];
    const signAllowed = previous !== undefined && (previous.kind === 'op' || previous.text === '(' || previous.text === ',');
    if (m && (/\d/.test(c) || signAllowed)) {
      tokens.push({ kind: 'number', text: m[0], at: i });
      i += m[0].length;
      continue;
    }
    m = identPattern.exec(rest);
    if (m) {
      tokens.push({ kind: 'ident', text: m[0], at: i });
      i += m[0].length;
      continue;
    }
    const two = query.slice(i, i + 2);
    if (two === '!=' || two === '<>' || two === '<=' || two === '>=') {
      tokens.push({ kind: 'op', text: two === '<>' ? '!=' : two, at: i });
      i += 2;
      continue;
    }
    if (c === '=' || c === '<' || c === '>') {
      tokens.push({ kind: 'op', text: c, at: i });
      i += 1;
      continue;
    }
    if (c === '(' || c === ')' || c === ',' || c === ':') {
      tokens.push({ kind: 'punct', text: c, at: i });
      i += 1;
      continue;
    }
    throw malformed(query, i, `unexpected character '${c}'`);
  }
  tokens.push({ kind: 'eof', text: '', at: query.length });
  return tokens;
}
