/** The parsed form of a SOQL query. Paths are the dotted segments as written (case preserved). */

export type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'date'; value: string }
  | { kind: 'datetime'; value: number; text: string }
  | { kind: 'dateLiteral'; name: string; n: number | null };

export type AggregateFunction = 'COUNT' | 'COUNT_DISTINCT' | 'SUM' | 'AVG' | 'MIN' | 'MAX';

export type SelectItem =
  | { kind: 'field'; path: string[] }
  | { kind: 'countAll' }
  | { kind: 'aggregate'; fn: AggregateFunction; path: string[] | null; alias: string | null }
  | { kind: 'subquery'; query: SelectQuery };

export type Condition =
  | { kind: 'and' | 'or'; items: Condition[] }
  | { kind: 'not'; item: Condition }
  | { kind: 'compare'; path: string[]; op: '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE'; value: Literal }
  | { kind: 'in'; path: string[]; negated: boolean; values: Literal[] }
  | { kind: 'inQuery'; path: string[]; negated: boolean; query: SelectQuery };

export interface OrderItem {
  target: { kind: 'field'; path: string[] } | { kind: 'aggregate'; fn: AggregateFunction; path: string[] | null };
  descending: boolean;
  nullsLast: boolean;
}

export interface SelectQuery {
  select: SelectItem[];
  from: string;
  alias: string | null;
  where: Condition | null;
  groupBy: string[][];
  orderBy: OrderItem[];
  limit: number | null;
  offset: number | null;
}
