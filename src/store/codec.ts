/**
 * Compact record encoding: a record is stored as a JSON array of its values in the order of its
 * schema's keys (no repeated key names), which roughly halves the snapshot's memory against plain
 * JSON objects. Decoding validates nothing (the record was validated before it was stored).
 */
import { recordSchemas, type RecordKind, type RecordOf } from '../domain/model.js';

const fieldOrder = Object.fromEntries(
  Object.entries(recordSchemas).map(([kind, schema]) => [kind, Object.keys(schema.shape)]),
) as Record<RecordKind, string[]>;

export function encodeRecord<K extends RecordKind>(kind: K, record: RecordOf<K>): string {
  const r = record as unknown as Record<string, unknown>;
  return JSON.stringify(fieldOrder[kind].map((k) => (r[k] === undefined ? null : r[k])));
}

export function decodeRecord<K extends RecordKind>(kind: K, encoded: string): RecordOf<K> {
  const values = JSON.parse(encoded) as unknown[];
  const out: Record<string, unknown> = {};
  fieldOrder[kind].forEach((k, i) => {
    out[k] = values[i] ?? null;
  });
  return out as RecordOf<K>;
}

/** The CRM modstamp of an encoded record without decoding all of it. */
export function encodedUpdatedAt(kind: RecordKind, encoded: string): string | null {
  const i = fieldOrder[kind].indexOf('updatedAt');
  const values = JSON.parse(encoded) as unknown[];
  const v = values[i];
  return typeof v === 'string' ? v : null;
}
