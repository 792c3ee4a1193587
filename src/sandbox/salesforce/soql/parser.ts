/**
 * Recursive-descent parser for the SOQL subset the sandbox serves: SELECT fields, parent paths,
 * child subqueries and aggregates; WHERE with AND/OR/NOT, comparisons, IN/NOT IN (lists or
 * semi-joins), LIKE and date literals; GROUP BY, ORDER BY, LIMIT, OFFSET. Errors are
 * MALFORMED_QUERY, as Salesforce answers.
 */
import { tokenize, malformed, type Token } from './lexer.js';
import type { AggregateFunction, Condition, Literal, OrderItem, SelectItem, SelectQuery } from './ast.js';
import { isDateLiteralName } from './date-literals.js';
import { parseDatetime } from '../values.js';

const aggregateFunctions = new Set<AggregateFunction>(['COUNT', 'COUNT_DISTINCT', 'SUM', 'AVG', 'MIN', 'MAX']);
const reserved = new Set(['SELECT', 'FROM', 'WHERE', 'AND', 'OR', 'NOT', 'IN', 'LIKE', 'GROUP', 'BY', 'ORDER', 'LIMIT', 'OFFSET', 'ASC', 'DESC', 'NULLS', 'FIRST', 'LAST', 'NULL', 'TRUE', 'FALSE', 'HAVING', 'WITH', 'FOR', 'USING', 'INCLUDES', 'EXCLUDES']);

export function parseSoql(query: string): SelectQuery {
  const parser = new Parser(query);
  const result = parser.query();
  parser.expectEnd();
  return result;
}

class Parser {
  private tokens: Token[];
  private pos = 0;

  constructor(private readonly source: string) {
    this.tokens = tokenize(source);
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos += 1;
    return t;
  }

  private isKeyword(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'ident' && t.text.toUpperCase() === word;
  }

  private acceptKeyword(word: string): boolean {
    if (!this.isKeyword(word)) return false;
    this.pos += 1;
    return true;
  }

  private expectKeyword(word: string): void {
    if (!this.acceptKeyword(word)) throw this.unexpected(`expecting '${word}'`);
  }

  private isPunct(text: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === text;
  }

  private expectPunct(text: string): void {
    if (!this.isPunct(text)) throw this.unexpected(`expecting '${text}'`);
    this.pos += 1;
  }

  private unexpected(expectation: string) {
    const t = this.peek();
    return malformed(this.source, t.at, t.kind === 'eof' ? `unexpected end of query, ${expectation}` : `unexpected token: '${t.text}', ${expectation}`);
  }

  expectEnd(): void {
    if (this.peek().kind !== 'eof') throw this.unexpected('expecting end of query');
  }

  query(): SelectQuery {
    this.expectKeyword('SELECT');
    const select = this.selectList();
    this.expectKeyword('FROM');
    const fromToken = this.next();
    if (fromToken.kind !== 'ident' || fromToken.text.includes('.')) throw malformed(this.source, fromToken.at, `unexpected token: '${fromToken.text}', expecting an object name`);
    let alias: string | null = null;
    if (this.peek().kind === 'ident' && !reserved.has(this.peek().text.toUpperCase())) alias = this.next().text;
    if (this.acceptKeyword('USING')) {
      this.expectKeyword('SCOPE');
      this.next();
    }
    const where = this.acceptKeyword('WHERE') ? this.condition() : null;
    if (this.acceptKeyword('WITH')) this.next();
    const groupBy: string[][] = [];
    if (this.acceptKeyword('GROUP')) {
      this.expectKeyword('BY');
      do groupBy.push(this.path()); while (this.acceptComma());
    }
    const orderBy: OrderItem[] = [];
    if (this.acceptKeyword('ORDER')) {
      this.expectKeyword('BY');
      do orderBy.push(this.orderItem()); while (this.acceptComma());
    }
    const limit = this.acceptKeyword('LIMIT') ? this.integer() : null;
    const offset = this.acceptKeyword('OFFSET') ? this.integer() : null;
    if (this.acceptKeyword('FOR')) this.next();
    return { select, from: fromToken.text, alias, where, groupBy, orderBy, limit, offset };
  }

  private acceptComma(): boolean {
    if (!this.isPunct(',')) return false;
    this.pos += 1;
    return true;
  }

  private integer(): number {
    const t = this.next();
    if (t.kind !== 'number' || !/^\d+$/.test(t.text)) throw malformed(this.source, t.at, `unexpected token: '${t.text}', expecting a non-negative integer`);
    return Number(t.text);
  }

  private path(): string[] {
    const t = this.next();
    if (t.kind !== 'ident' || reserved.has(t.text.toUpperCase())) throw malformed(this.source, t.at, t.kind === 'eof' ? 'unexpected end of query, expecting a field name' : `unexpected token: '${t.text}', expecting a field name`);
    return t.text.split('.');
  }

  private selectList(): SelectItem[] {
    const items: SelectItem[] = [];
    do items.push(this.selectItem()); while (this.acceptComma());
    return items;
  }

  private selectItem(): SelectItem {
    if (this.isPunct('(')) {
      this.pos += 1;
      const query = this.query();
      this.expectPunct(')');
      return { kind: 'subquery', query };
    }
    const t = this.peek();
    const upper = t.text.toUpperCase();
    if (t.kind === 'ident' && aggregateFunctions.has(upper as AggregateFunction) && this.peek(1).text === '(') {
      this.pos += 2;
      if (this.isPunct(')')) {
        this.pos += 1;
        if (upper !== 'COUNT') throw malformed(this.source, t.at, `${upper}() needs a field`);
        this.alias(); // COUNT() answers totalSize; an alias changes nothing
        return { kind: 'countAll' };
      }
      const path = this.path();
      this.expectPunct(')');
      return { kind: 'aggregate', fn: upper as AggregateFunction, path, alias: this.alias() };
    }
    return { kind: 'field', path: this.path() };
  }

  private alias(): string | null {
    const t = this.peek();
    if (t.kind === 'ident' && !reserved.has(t.text.toUpperCase()) && !t.text.includes('.')) {
      this.pos += 1;
      return t.text;
    }
    return null;
  }

  private orderItem(): OrderItem {
    const t = this.peek();
    const upper = t.text.toUpperCase();
    let target: OrderItem['target'];
    if (t.kind === 'ident' && aggregateFunctions.has(upper as AggregateFunction) && this.peek(1).text === '(') {
      this.pos += 2;
      const path = this.isPunct(')') ? null : this.path();
      this.expectPunct(')');
      target = { kind: 'aggregate', fn: upper as AggregateFunction, path };
    } else {
      target = { kind: 'field', path: this.path() };
    }
    let descending = false;
    if (this.acceptKeyword('DESC')) descending = true;
    else this.acceptKeyword('ASC');
    let nullsLast = descending;
    if (this.acceptKeyword('NULLS')) {
      if (this.acceptKeyword('LAST')) nullsLast = true;
      else if (this.acceptKeyword('FIRST')) nullsLast = false;
      else throw this.unexpected("expecting 'FIRST' or 'LAST'");
    }
    return { target, descending, nullsLast };
  }

  private condition(): Condition {
    const items = [this.andCondition()];
    while (this.acceptKeyword('OR')) items.push(this.andCondition());
    return items.length === 1 ? items[0]! : { kind: 'or', items };
  }

  private andCondition(): Condition {
    const items = [this.notCondition()];
    while (this.acceptKeyword('AND')) items.push(this.notCondition());
    return items.length === 1 ? items[0]! : { kind: 'and', items };
  }

  private notCondition(): Condition {
    if (this.acceptKeyword('NOT')) return { kind: 'not', item: this.notCondition() };
    if (this.isPunct('(')) {
      this.pos += 1;
      const inner = this.condition();
      this.expectPunct(')');
      return inner;
    }
    return this.comparison();
  }

  private comparison(): Condition {
    const path = this.path();
    const negated = this.isKeyword('NOT') && this.isKeyword('IN', 1);
    if (negated) this.pos += 1;
    if (this.acceptKeyword('IN')) {
      this.expectPunct('(');
      if (this.isKeyword('SELECT')) {
        const query = this.query();
        this.expectPunct(')');
        return { kind: 'inQuery', path, negated, query };
      }
      const values: Literal[] = [];
      do values.push(this.literal()); while (this.acceptComma());
      this.expectPunct(')');
      return { kind: 'in', path, negated, values };
    }
    if (this.acceptKeyword('LIKE')) {
      const value = this.literal();
      if (value.kind !== 'string') throw this.unexpected('LIKE needs a string');
      return { kind: 'compare', path, op: 'LIKE', value };
    }
    const op = this.next();
    if (op.kind !== 'op') throw malformed(this.source, op.at, op.kind === 'eof' ? 'unexpected end of query, expecting an operator' : `unexpected token: '${op.text}', expecting an operator`);
    return { kind: 'compare', path, op: op.text as '=' | '!=' | '<' | '<=' | '>' | '>=', value: this.literal() };
  }

  private literal(): Literal {
    const t = this.next();
    switch (t.kind) {
      case 'string':
        return { kind: 'string', value: t.text };
      case 'number':
        return { kind: 'number', value: Number(t.text) };
      case 'date':
        return { kind: 'date', value: t.text };
      case 'datetime': {
        const value = parseDatetime(t.text);
        if (Number.isNaN(value)) throw malformed(this.source, t.at, `invalid datetime literal '${t.text}'`);
        return { kind: 'datetime', value, text: t.text };
      }
      case 'ident': {
        const upper = t.text.toUpperCase();
        if (upper === 'NULL') return { kind: 'null' };
        if (upper === 'TRUE' || upper === 'FALSE') return { kind: 'boolean', value: upper === 'TRUE' };
        if (isDateLiteralName(upper)) {
          let n: number | null = null;
          if (upper.includes('_N_') || upper.startsWith('N_')) {
            this.expectPunct(':');
            n = this.integer();
          }
          return { kind: 'dateLiteral', name: upper, n };
        }
        throw malformed(this.source, t.at, `unexpected token: '${t.text}', expecting a value`);
      }
      default:
        throw malformed(this.source, t.at, t.kind === 'eof' ? 'unexpected end of query, expecting a value' : `unexpected token: '${t.text}', expecting a value`);
    }
  }
}
