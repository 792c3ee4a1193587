/** The sandbox's stage picklist and seed mapping: seed `contract` deals are Commit deals in Salesforce too. */
import { describe, expect, it } from 'vitest';
import { tinySeedOrg } from '../../src/sandbox/salesforce/fixtures.js';
import { createSalesforceApp } from '../../src/sandbox/salesforce/server.js';
import { stageNameBySeedStage } from '../../src/sandbox/salesforce/seed.js';

describe('Salesforce sandbox stages', () => {
  const { org } = createSalesforceApp({ seed: tinySeedOrg() });
  const rows = (type: string) => [...org.store.table(type).values()];

  it('maps the seed stage contract to "Contract Sent" (probability 95, Commit) and keeps negotiation on Negotiation/Review', () => {
    expect(stageNameBySeedStage.contract).toBe('Contract Sent');
    expect(stageNameBySeedStage.negotiation).toBe('Negotiation/Review');
    const stage = rows('OpportunityStage').find((s) => s.ApiName === 'Contract Sent');
    expect(stage).toMatchObject({ IsActive: true, IsClosed: false, IsWon: false, DefaultProbability: 95, ForecastCategoryName: 'Commit', ForecastCategory: 'Forecast' });
    expect(rows('OpportunityStage').map((s) => s.ApiName)).toEqual([
      'Prospecting', 'Qualification', 'Needs Analysis', 'Value Proposition', 'Id. Decision Makers', 'Perception Analysis',
      'Proposal/Price Quote', 'Negotiation/Review', 'Contract Sent', 'Closed Won', 'Closed Lost',
    ]);
  });

  it('replays a deal that passed through contract with a Commit history row before it closed', () => {
    // deal-2 (Contoso renewal): contract → lost on 2026-10-31
    const dealId = org.seedIds.get('deal-2');
    const history = rows('OpportunityHistory').filter((h) => h.OpportunityId === dealId).map((h) => [h.StageName, h.Probability, h.ForecastCategory]);
    expect(history).toEqual([
      ['Contract Sent', 95, 'Forecast'],
      ['Closed Lost', 0, 'Omitted'],
    ]);
  });
});
