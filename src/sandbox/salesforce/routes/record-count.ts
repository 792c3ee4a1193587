/**
 * `GET /limits/recordCount?sObjects=A,B` (REST API 40.0+): approximate row counts per object.
 * Salesforce answers from a cached snapshot; the sandbox counts exactly, which a client must not
 * rely on. Deleted rows (recycle bin) are not counted; object names the org does not have are
 * ignored, as on Salesforce; without `sObjects`, every object is listed.
 */
import type { SalesforceOrg } from '../org.js';
import { json, type ApiRouter } from '../router.js';

export function registerRecordCountRoutes(router: ApiRouter, org: SalesforceOrg): void {
  router.add('GET', '/limits/recordCount', (req) => {
    const filter = req.query.get('sObjects');
    const requested = filter === null ? org.store.schema.all().map((o) => o.name) : filter.split(',').map((n) => n.trim()).filter(Boolean);
    const seen = new Set<string>();
    const sObjects: Array<{ count: number; name: string }> = [];
    for (const asked of requested) {
      const object = org.store.schema.object(asked);
      if (!object || seen.has(object.name)) continue;
      seen.add(object.name);
      const table = org.store.table(object.name);
      let count = 0;
      for (const row of table.rows()) if (!table.isDeleted(row)) count++;
      sObjects.push({ count, name: object.name });
    }
    return json(200, { sObjects });
  });
}
