/** `GET /limits/recordCount` through jsforce 3.10.16 unmodified (`conn.request`). */
import jsforce from 'jsforce';
import { afterEach, describe, expect, it } from 'vitest';
import { tinySeedOrg } from '../../src/sandbox/salesforce/fixtures.js';
import { startSalesforceSandbox, type RunningSalesforceSandbox } from '../../src/sandbox/salesforce/server.js';

const running: RunningSalesforceSandbox[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function start() {
  const sb = await startSalesforceSandbox({ seed: tinySeedOrg() });
  running.push(sb);
  return { sb, conn: new jsforce.Connection({ instanceUrl: sb.url, accessToken: sb.token, version: '62.0' }) };
}

interface RecordCountAnswer {
  sObjects: Array<{ count: number; name: string }>;
}

describe('GET /limits/recordCount', () => {
  it('counts the live rows of the listed objects, in one counted call', async () => {
    const { sb, conn } = await start();
    // tiny seed: acct-1, -2, -3 (salesforce) and acct-5 (both); contacts ct-1..3 of those (ct-4 is HubSpot's)
    const answer = await conn.request<RecordCountAnswer>('/limits/recordCount?sObjects=Account,Contact');
    expect(answer).toEqual({ sObjects: [{ count: 4, name: 'Account' }, { count: 3, name: 'Contact' }] });
    expect(sb.stats.snapshot().calls).toEqual({ total: 1, byRoute: { 'GET /services/data/vXX/limits/recordCount': 1 } });
  });

  it('does not count deleted rows (recycle bin)', async () => {
    const { conn } = await start();
    const [contact] = (await conn.query<{ Id: string }>('SELECT Id FROM Contact ORDER BY Id LIMIT 1')).records;
    await conn.sobject('Contact').destroy(contact!.Id);
    const answer = await conn.request<RecordCountAnswer>('/limits/recordCount?sObjects=Contact');
    expect(answer.sObjects).toEqual([{ count: 2, name: 'Contact' }]);
  });

  it('ignores object names the org does not have and answers with the API names', async () => {
    const { conn } = await start();
    const answer = await conn.request<RecordCountAnswer>('/limits/recordCount?sObjects=account,Nope__c,Opportunity');
    expect(answer.sObjects.map((o) => o.name)).toEqual(['Account', 'Opportunity']);
    expect(answer.sObjects[0]!.count).toBe(4);
  });

  it('lists every object without the sObjects filter', async () => {
    const { sb, conn } = await start();
    const answer = await conn.request<RecordCountAnswer>('/limits/recordCount');
    const names = answer.sObjects.map((o) => o.name);
    expect(names).toEqual(expect.arrayContaining(['Account', 'Contact', 'Opportunity', 'OpportunityHistory', 'Task', 'Case', 'User']));
    const live = [...sb.org.store.table('OpportunityHistory').values()].filter((r) => !r.IsDeleted).length;
    expect(answer.sObjects.find((o) => o.name === 'OpportunityHistory')?.count).toBe(live);
    expect(live).toBeGreaterThan(0);
  });
});
