/**
 * Measures the patterns planted in a seeded org, the way an analyst would find them from the
 * records alone (plus the `churned` label). The figures in README.md come from here, and the
 * generator's tests hold them within tolerances.
 */
import { parseDay, quarterOf } from './calendar.js';
import type { SeedOrg } from './types.js';

export interface PlantedPatternFigures {
  accounts: { total: number; hubspotOnly: number; salesforceOnly: number; both: number; customers: number; churned: number };
  records: { owners: number; activeReps: number; inactiveOwners: number; contacts: number; deals: number; activities: number; tickets: number; quotas: number; nullAmountDeals: number };
  churn: {
    /** Σ activities in the last 90 days / Σ in the 90 days before, over the group */
    activityRatioChurned: number;
    activityRatioOthers: number;
    /** share of accounts (with activity in the earlier window) whose own ratio is < 0.4 */
    declineBelow40Churned: number;
    declineBelow40Others: number;
    urgentOpenTicketChurned: number;
    urgentOpenTicketOthers: number;
    competitorMention120dChurned: number;
    competitorMention120dOthers: number;
    /** last month of usage below 80% of the first */
    usageDropChurned: number;
    usageDropOthers: number;
    /** churned accounts whose renewal was lost / is open and due within 90 days */
    renewalLostChurned: number;
    renewalDueSoonChurned: number;
    decisionMakerInactiveChurned: number;
    decisionMakerInactiveOthers: number;
  };
  crossSell: {
    /** accounts owning Insight Dashboards and API Access that own Forecasting AI */
    forecastingGivenBundle: number;
    forecastingOtherwise: number;
    bundleOwners: number;
    auditGivenSso: number;
    auditOtherwise: number;
    /** accounts owning any Compliance product */
    complianceShare: number;
    /** open deals proposing Forecasting AI to bundle owners who lack it */
    openForecastingOffersToBundleOwners: number;
  };
  slippage: {
    /** open contract-stage deals whose close date moved out of the current quarter */
    commitPushedOut: number;
    commitPushedOutPerRep: number;
    dealsWithPushes: number;
    pushesPerPushedDeal: number;
  };
  attainment: { quarters: number; p10: number; median: number; p90: number; shareWithin50to130: number };
}

const DECISION_WORDS = /^(CEO|CFO|CTO|COO|CIO|VP |Director |Head of )/;

export function measurePlantedPatterns(org: SeedOrg): PlantedPatternFigures {
  const asOf = parseDay(org.asOf);
  const dayOf = (iso: string): number => parseDay(iso.slice(0, 10));
  const churned = new Set(org.accounts.filter((a) => a.churned).map((a) => a.key));
  const share = (n: number, d: number): number => (d === 0 ? 0 : round(n / d));

  // activity windows
  const recent = new Map<string, number>();
  const earlier = new Map<string, number>();
  const mention = new Set<string>();
  const competitorPattern = new RegExp(`\\b(${org.competitors.join('|')})\\b`);
  for (const a of org.activities) {
    const age = asOf - dayOf(a.at);
    if (age >= 1 && age <= 90) recent.set(a.accountKey, (recent.get(a.accountKey) ?? 0) + 1);
    else if (age > 90 && age <= 180) earlier.set(a.accountKey, (earlier.get(a.accountKey) ?? 0) + 1);
    if (age <= 120 && competitorPattern.test(`${a.subject} ${a.body}`)) mention.add(a.accountKey);
  }
  const customers = org.accounts.filter((a) => a.renewalDate !== null);
  const churnedAccounts = customers.filter((a) => a.churned);
  const others = customers.filter((a) => !a.churned);
  const ratio = (group: typeof customers): number => {
    let r = 0;
    let e = 0;
    for (const a of group) {
      r += recent.get(a.key) ?? 0;
      e += earlier.get(a.key) ?? 0;
    }
    return e === 0 ? 0 : round(r / e);
  };
  const declineShare = (group: typeof customers): number => {
    const withHistory = group.filter((a) => (earlier.get(a.key) ?? 0) > 0);
    return share(withHistory.filter((a) => (recent.get(a.key) ?? 0) / (earlier.get(a.key) ?? 1) < 0.4).length, withHistory.length);
  };
  const urgentOpen = new Set(org.tickets.filter((t) => t.priority === 'urgent' && t.status === 'open').map((t) => t.accountKey));
  const usageDrop = (a: SeedOrg['accounts'][number]): boolean => (a.usage[5] ?? 0) < 0.8 * (a.usage[0] ?? 0);
  const dmInactive = new Set(org.contacts.filter((c) => !c.active && DECISION_WORDS.test(c.title)).map((c) => c.accountKey));
  const renewalLost = new Set<string>();
  const renewalDueSoon = new Set<string>();
  for (const d of org.deals) {
    if (d.type !== 'renewal') continue;
    if (d.stage === 'lost' && asOf - dayOf(d.closeDate) <= 90) renewalLost.add(d.accountKey);
    if (d.stage !== 'won' && d.stage !== 'lost' && dayOf(d.closeDate) - asOf <= 90) renewalDueSoon.add(d.accountKey);
  }
  const count = (group: typeof customers, set: Set<string>): number => share(group.filter((a) => set.has(a.key)).length, group.length);

  // ownership from won line items
  const owns = new Map<string, Set<string>>();
  for (const d of org.deals) {
    if (d.stage !== 'won') continue;
    let set = owns.get(d.accountKey);
    if (!set) owns.set(d.accountKey, (set = new Set()));
    for (const li of d.lineItems) set.add(li.productKey);
  }
  const owners = [...owns.values()];
  const bundle = owners.filter((s) => s.has('prod-dash') && s.has('prod-api'));
  const nonBundle = owners.filter((s) => !(s.has('prod-dash') && s.has('prod-api')));
  const sso = owners.filter((s) => s.has('prod-sso'));
  const noSso = owners.filter((s) => !s.has('prod-sso'));
  let openOffers = 0;
  for (const d of org.deals) {
    if (d.stage === 'won' || d.stage === 'lost' || d.type !== 'expansion') continue;
    const set = owns.get(d.accountKey);
    if (set?.has('prod-dash') && set.has('prod-api') && !set.has('prod-fcst') && d.lineItems.some((li) => li.productKey === 'prod-fcst')) openOffers += 1;
  }

  // slippage
  const quarter = quarterOf(asOf);
  let commitPushedOut = 0;
  let pushedDeals = 0;
  let pushes = 0;
  for (const d of org.deals) {
    const moves = d.history.filter((h) => h.field === 'closeDate' && h.from !== null);
    if (moves.length > 0) {
      pushedDeals += 1;
      pushes += moves.length;
    }
    if (d.stage !== 'contract') continue;
    if (moves.some((h) => h.from !== null && dayOf(h.from) >= quarter.start && dayOf(h.from) <= quarter.end && dayOf(h.to) > quarter.end)) commitPushedOut += 1;
  }
  const activeReps = org.owners.filter((o) => o.active && o.teamKey !== null && !org.teams.some((t) => t.managerKey === o.key));

  // attainment over closed quarters
  const wonIn = new Map<string, number>();
  for (const q of org.quotas) wonIn.set(`${q.ownerKey}|${q.periodStart}`, 0);
  for (const d of org.deals) {
    if (d.stage !== 'won' || d.amount === null) continue;
    const quarterStart = new Date(quarterOf(parseDay(d.closeDate)).start * 86_400_000).toISOString().slice(0, 10);
    const key = `${d.ownerKey}|${quarterStart}`;
    if (wonIn.has(key)) wonIn.set(key, (wonIn.get(key) ?? 0) + d.amount);
  }
  const attainments: number[] = [];
  for (const q of org.quotas) {
    if (parseDay(q.periodEnd) >= quarter.start) continue;
    attainments.push((wonIn.get(`${q.ownerKey}|${q.periodStart}`) ?? 0) / q.amount);
  }
  attainments.sort((a, b) => a - b);
  const pct = (p: number): number => round(attainments[Math.min(attainments.length - 1, Math.floor(p * attainments.length))] ?? 0);

  return {
    accounts: {
      total: org.accounts.length,
      hubspotOnly: org.accounts.filter((a) => a.crm === 'hubspot').length,
      salesforceOnly: org.accounts.filter((a) => a.crm === 'salesforce').length,
      both: org.accounts.filter((a) => a.crm === 'both').length,
      customers: customers.length,
      churned: churned.size,
    },
    records: {
      owners: org.owners.length,
      activeReps: activeReps.length,
      inactiveOwners: org.owners.filter((o) => !o.active).length,
      contacts: org.contacts.length,
      deals: org.deals.length,
      activities: org.activities.length,
      tickets: org.tickets.length,
      quotas: org.quotas.length,
      nullAmountDeals: org.deals.filter((d) => d.amount === null).length,
    },
    churn: {
      activityRatioChurned: ratio(churnedAccounts),
      activityRatioOthers: ratio(others),
      declineBelow40Churned: declineShare(churnedAccounts),
      declineBelow40Others: declineShare(others),
      urgentOpenTicketChurned: count(churnedAccounts, urgentOpen),
      urgentOpenTicketOthers: count(others, urgentOpen),
      competitorMention120dChurned: count(churnedAccounts, mention),
      competitorMention120dOthers: count(others, mention),
      usageDropChurned: share(churnedAccounts.filter(usageDrop).length, churnedAccounts.length),
      usageDropOthers: share(others.filter(usageDrop).length, others.length),
      renewalLostChurned: count(churnedAccounts, renewalLost),
      renewalDueSoonChurned: count(churnedAccounts, renewalDueSoon),
      decisionMakerInactiveChurned: count(churnedAccounts, dmInactive),
      decisionMakerInactiveOthers: count(others, dmInactive),
    },
    crossSell: {
      forecastingGivenBundle: share(bundle.filter((s) => s.has('prod-fcst')).length, bundle.length),
      forecastingOtherwise: share(nonBundle.filter((s) => s.has('prod-fcst')).length, nonBundle.length),
      bundleOwners: bundle.length,
      auditGivenSso: share(sso.filter((s) => s.has('prod-audit')).length, sso.length),
      auditOtherwise: share(noSso.filter((s) => s.has('prod-audit')).length, noSso.length),
      complianceShare: share(owners.filter((s) => s.has('prod-hipaa') || s.has('prod-sox')).length, owners.length),
      openForecastingOffersToBundleOwners: openOffers,
    },
    slippage: {
      commitPushedOut,
      commitPushedOutPerRep: share(commitPushedOut, activeReps.length),
      dealsWithPushes: pushedDeals,
      pushesPerPushedDeal: share(pushes, pushedDeals),
    },
    attainment: {
      quarters: attainments.length,
      p10: pct(0.1),
      median: pct(0.5),
      p90: pct(0.9),
      shareWithin50to130: share(attainments.filter((a) => a >= 0.5 && a <= 1.3).length, attainments.length),
    },
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
