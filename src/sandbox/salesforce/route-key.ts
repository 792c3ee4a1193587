/**
 * The key a call is counted under in CallStats.byRoute: "METHOD /path" with the API version
 * replaced by vXX and record ids, job ids, query locators and external id values by
 * placeholders, e.g. "GET /services/data/vXX/query/{locator}",
 * "PATCH /services/data/vXX/sobjects/Account/{id}", "GET /services/data/vXX/jobs/query/{id}/results".
 */
const idSegment = /^[0-9][a-zA-Z0-9]{2}[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?$/;

export function routeKey(method: string, path: string): string {
  const parts = path.split('/');
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const prev = parts[i - 1];
    const prev2 = parts[i - 2];
    const prev3 = parts[i - 3];
    if (prev === 'data' && /^v\d+\.\d+$/.test(part)) out.push('vXX');
    else if ((prev === 'query' || prev === 'queryAll') && prev2 !== 'jobs' && part) out.push('{locator}');
    else if (prev2 === 'jobs' && part) out.push('{id}');
    else if (prev3 === 'sobjects' && prev2 !== 'composite' && !idSegment.test(prev ?? '') && part && parts[i - 4] !== 'composite') out.push('{value}');
    else if (idSegment.test(part)) out.push('{id}');
    else out.push(part);
  }
  return `${method} ${out.join('/').replace(/\/$/, '') || '/'}`;
}
