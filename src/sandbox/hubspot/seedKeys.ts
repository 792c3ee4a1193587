/** Seed key ("acct-000042") → HubSpot id; HubSpot's numeric ids are kept as numbers. */
import { SeedKeyIndex as NumericSeedKeyIndex } from '../common/seedKeyIndex.js';

const NUMERIC_ID = /^[1-9]\d{0,14}$/;

export class SeedKeyIndex extends NumericSeedKeyIndex {
  constructor() {
    super({ encode: (id) => (NUMERIC_ID.test(id) ? Number(id) : Number.NaN), decode: (code) => String(code) });
  }
}
