/** What the Bulk API 2.0 query and ingest routes share: finding a job, with Salesforce's 404 when it is unknown. */
import { SfApiError } from '../errors.js';

export function findBulkJob<J>(jobs: ReadonlyMap<string, J>, id: string, kind: 'query' | 'ingest'): J {
  const job = jobs.get(id);
  if (!job) throw new SfApiError(404, 'NOT_FOUND', `The requested resource does not exist: ${kind} job ${id}`);
  return job;
}
