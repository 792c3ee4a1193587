/** Whole records in REST form (`GET /sobjects/{T}/{id}`, collections retrieve). */
import { jsonValue } from './soql/evaluator.js';
import type { FieldDef, ObjectDef } from './schema.js';
import type { SfRecord } from './store.js';

export function renderRecord(object: ObjectDef, record: SfRecord, version: string, fields?: FieldDef[]): Record<string, unknown> {
  const out: Record<string, unknown> = { attributes: { type: object.name, url: `/services/data/v${version}/sobjects/${object.name}/${record.Id as string}` } };
  for (const f of fields ?? object.fields) out[f.name] = jsonValue(record[f.name], f);
  return out;
}
