/**
 * One account and its contacts: firmographics, CRM placement, lifecycle (prospect or customer,
 * contract start, the renewal that decides a risky account's fate) and the people at it.
 */
import {
  DECISION_MAKER_TITLES,
  FIRST_NAMES,
  INDUSTRIES,
  INDUSTRY_SUFFIXES,
  LAST_NAMES,
  NAME_PREFIXES,
  NAME_ROOTS,
  OTHER_TITLES,
  REVENUE_PER_EMPLOYEE,
  SIZE_BANDS,
  isDecisionMakerTitle,
} from './catalog.js';
import { businessMinute } from './calendar.js';
import type { AccountPlan, RiskProfile, SeedContext } from './context.js';
import type { SeededRandom } from './random.js';
import type { SalesOrg } from './sales-org.js';
import type { SeedContact, SeedCrm } from './types.js';

export const CHURNED_SHARE = 0.12;
export const AT_RISK_SHARE = 0.06;
/** share of all accounts that are customers (churned and at-risk ones included) */
export const CUSTOMER_SHARE = 0.8;
const YEAR = 365;

export interface AccountPlanOptions {
  ctx: SeedContext;
  org: SalesOrg;
  rng: SeededRandom;
  /** domains taken so far (kept unique across the org) */
  domains: Set<string>;
}

export function planAccount({ ctx, org, rng, domains }: AccountPlanOptions): AccountPlan {
  const risk: RiskProfile = rng.weighted<RiskProfile>([
    ['churned', CHURNED_SHARE],
    ['atRisk', AT_RISK_SHARE],
    ['healthy', 1 - CHURNED_SHARE - AT_RISK_SHARE],
  ]);
  const customer = risk !== 'healthy' || rng.chance((CUSTOMER_SHARE - CHURNED_SHARE - AT_RISK_SHARE) / (1 - CHURNED_SHARE - AT_RISK_SHARE));
  const crm = rng.weighted<SeedCrm | 'both'>([
    ['hubspot', 0.5],
    ['salesforce', 0.45],
    ['both', 0.05],
  ]);
  const industry = rng.pick(INDUSTRIES);
  const sizeBand = rng.weighted(SIZE_BANDS.map((band, i) => [i, band[2]] as const));
  const [minEmployees, maxEmployees] = SIZE_BANDS[sizeBand] ?? [10, 49];
  // log-uniform inside the band: small companies are more common than large ones
  const employees = Math.round(Math.exp(rng.between(Math.log(minEmployees), Math.log(maxEmployees + 1))));
  const annualRevenue = Math.round((employees * REVENUE_PER_EMPLOYEE[industry] * rng.between(0.6, 1.5)) / 10_000) * 10_000;
  const { name, domain } = uniqueName(rng, industry, domains);

  const asOf = ctx.asOf;
  let contractStart: number | null = null;
  let decisiveRenewal: number | null = null;
  let createdDay: number;
  let renewalDay: number | null = null;
  if (customer) {
    if (risk === 'healthy') {
      contractStart = asOf - rng.int(30, 3 * YEAR);
      renewalDay = contractStart + YEAR * Math.max(1, Math.ceil((asOf - contractStart) / YEAR));
    } else {
      // built backwards from the renewal that decides the account: lost in the last 60 days or due soon
      decisiveRenewal = risk === 'churned' ? asOf + rng.int(-60, 90) : asOf + rng.int(20, 200);
      contractStart = decisiveRenewal - YEAR * rng.int(1, 3);
      renewalDay = decisiveRenewal;
    }
    createdDay = contractStart - rng.int(40, 160);
  } else {
    createdDay = asOf - rng.int(20, 720);
  }

  const formerRep = org.formerReps.length > 0 && rng.chance(0.1) ? rng.pick(org.formerReps) : null;
  const account = {
    key: ctx.keys.next('acct', 6),
    name,
    domain,
    industry,
    employees,
    annualRevenue,
    ownerKey: rng.pick(org.activeReps).key,
    crm,
    // 08:00, the start of the business day: same-day records come after it
    createdAt: ctx.iso.instant(createdDay, 8 * 60),
    renewalDate: renewalDay === null ? null : ctx.iso.date(renewalDay),
    churned: risk === 'churned',
    usage: usageIndex(rng, risk, customer),
  };
  const plan: AccountPlan = {
    account,
    rng,
    risk,
    customer,
    sizeBand,
    createdDay,
    contractStart,
    decisiveRenewal,
    formerOwner: formerRep && formerRep.leftDay > createdDay ? { key: formerRep.owner.key, untilDay: formerRep.leftDay } : null,
    contacts: [],
    deals: [],
    dealSpans: [],
  };
  plan.contacts = buildContacts(plan, ctx);
  return plan;
}

function uniqueName(rng: SeededRandom, industry: (typeof INDUSTRIES)[number], domains: Set<string>): { name: string; domain: string } {
  let name = '';
  let slug = '';
  for (let attempt = 0; attempt < 8; attempt += 1) {
    const stem = rng.pick(NAME_PREFIXES) + rng.pick(NAME_ROOTS);
    name = `${stem} ${rng.pick(INDUSTRY_SUFFIXES[industry])}`;
    slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    if (!domains.has(`${slug}.com`)) break;
  }
  let domain = `${slug}.com`;
  // the name space holds ~280,000 names; past it, a number keeps domains unique
  for (let n = 2; domains.has(domain); n += 1) domain = `${slug}-${n}.com`;
  domains.add(domain);
  return { name, domain };
}

/** Six monthly usage figures (oldest first): flat or growing when healthy, falling before churn. */
function usageIndex(rng: SeededRandom, risk: RiskProfile, customer: boolean): number[] {
  if (!customer) return [0, 0, 0, 0, 0, 0];
  const base = rng.between(40, 95);
  const drift = rng.between(-0.01, 0.04);
  const out: number[] = [];
  for (let month = 0; month < 6; month += 1) {
    let factor = 1 + drift * month;
    if (risk === 'churned' && month >= 2) factor *= 1 - (month - 1) * rng.between(0.1, 0.14);
    if (risk === 'atRisk' && month >= 3) factor *= 1 - (month - 2) * rng.between(0.04, 0.08);
    out.push(Math.max(0, Math.round(base * factor * rng.between(0.96, 1.04))));
  }
  return out;
}

function buildContacts(plan: AccountPlan, ctx: SeedContext): SeedContact[] {
  const { rng, account } = plan;
  const count = Math.min(6, 1 + rng.int(0, 2 + plan.sizeBand));
  const contacts: SeedContact[] = [];
  const locals = new Set<string>();
  for (let i = 0; i < count; i += 1) {
    const firstName = rng.pick(FIRST_NAMES);
    const lastName = rng.pick(LAST_NAMES);
    let local = `${firstName}.${lastName}`.toLowerCase();
    if (locals.has(local)) local += String(i + 1);
    locals.add(local);
    const title = i === 0 && rng.chance(0.85) ? rng.pick(DECISION_MAKER_TITLES) : rng.chance(0.3) ? rng.pick(DECISION_MAKER_TITLES) : rng.pick(OTHER_TITLES);
    const latest = Math.max(plan.createdDay, Math.min(ctx.asOf - 1, plan.createdDay + 400));
    contacts.push({
      key: ctx.keys.next('contact', 7),
      accountKey: account.key,
      firstName,
      lastName,
      email: `${local}@${account.domain}`,
      title,
      active: !rng.chance(0.04),
      createdAt: ctx.iso.instant(rng.int(plan.createdDay, latest), businessMinute(rng)),
    });
  }
  // "champion left": on a third of churned accounts a decision maker is no longer there
  if (plan.risk === 'churned' && rng.chance(0.35)) {
    const champion = contacts.find((c) => isDecisionMakerTitle(c.title));
    if (champion) champion.active = false;
  }
  return contacts;
}
