/** Seed key ("acct-000042") -> Salesforce id; ids the sandbox issued are kept as IdCodec numbers. */
import { SeedKeyIndex } from '../common/seedKeyIndex.js';
import { IdCodec } from './ids.js';

export class SeedIdIndex extends SeedKeyIndex {
  constructor() {
    const codec = new IdCodec();
    super({ encode: (id) => codec.encode(id), decode: (code) => codec.decode(code) });
  }
}
