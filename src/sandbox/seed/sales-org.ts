/**
 * The selling company's sales organisation: a head of sales, 3-6 team managers, reps (about one
 * per 60 accounts, at most 300) and a few reps who have left; and a quota per rep per quarter
 * for the last 6 quarters, the current and the next one.
 */
import { FIRST_NAMES, LAST_NAMES, SELLER_DOMAIN, TEAM_NAMES } from './catalog.js';
import { parseDay, quarterShift, type Quarter } from './calendar.js';
import type { SeedContext } from './context.js';
import type { SeededRandom } from './random.js';
import type { SeedDeal, SeedOwner, SeedQuota, SeedTeam } from './types.js';

export interface SalesOrg {
  teams: SeedTeam[];
  owners: SeedOwner[];
  /** reps who own accounts today */
  activeReps: SeedOwner[];
  /** reps who left at the start of a past quarter; their old deals keep them as owner */
  formerReps: { owner: SeedOwner; leftDay: number }[];
  /** per rep: typical attainment (0.6-1.25), what their quotas are set against */
  repSkill: Map<string, number>;
}

export const QUOTA_QUARTERS_BACK = 6;

export function buildSalesOrg(accounts: number, rng: SeededRandom, ctx: SeedContext): SalesOrg {
  const repCount = Math.min(300, Math.max(3, Math.round(accounts / 60)));
  const managerCount = Math.min(6, Math.max(3, Math.ceil(repCount / 10)));
  const formerCount = Math.max(1, Math.round(repCount * 0.05));
  const usedNames = new Set<string>();
  const owners: SeedOwner[] = [];
  const newOwner = (managerKey: string | null, teamKey: string | null, active: boolean): SeedOwner => {
    let first: string;
    let last: string;
    let suffix = 0;
    do {
      first = rng.pick(FIRST_NAMES);
      last = rng.pick(LAST_NAMES);
      suffix += 1;
    } while (usedNames.has(`${first} ${last}`) && suffix < 50);
    let local = `${first}.${last}`.toLowerCase();
    if (usedNames.has(`${first} ${last}`)) local += String(owners.length + 1);
    usedNames.add(`${first} ${last}`);
    const owner: SeedOwner = {
      key: ctx.keys.next('owner', 4),
      firstName: first,
      lastName: last,
      email: `${local}@${SELLER_DOMAIN}`,
      managerKey,
      teamKey,
      active,
    };
    owners.push(owner);
    return owner;
  };

  const head = newOwner(null, null, true);
  const teams: SeedTeam[] = [];
  for (let t = 0; t < managerCount; t += 1) {
    const teamKey = `team-${String(t + 1).padStart(2, '0')}`;
    const manager = newOwner(head.key, teamKey, true);
    teams.push({ key: teamKey, name: TEAM_NAMES[t] ?? `Team ${t + 1}`, managerKey: manager.key });
  }
  const repSkill = new Map<string, number>();
  const addRep = (index: number, active: boolean): SeedOwner => {
    const team = teams[index % teams.length] as SeedTeam;
    const rep = newOwner(team.managerKey, team.key, active);
    repSkill.set(rep.key, Math.min(1.25, Math.max(0.6, rng.normal(0.92, 0.16))));
    return rep;
  };
  const activeReps: SeedOwner[] = [];
  for (let r = 0; r < repCount; r += 1) activeReps.push(addRep(r, true));
  const formerReps: SalesOrg['formerReps'] = [];
  for (let r = 0; r < formerCount; r += 1) {
    const owner = addRep(r, false);
    formerReps.push({ owner, leftDay: quarterShift(ctx.asOf, -1 - (r % 4)).start });
  }
  return { teams, owners, activeReps, formerReps, repSkill };
}

/**
 * Quotas: past quarters are set so that each rep's attainment is their typical attainment (skill)
 * plus the quarter's luck (sd 0.12), clamped to 45-140%; a rep with no bookings in a quarter keeps
 * their usual quota (attainment 0). The current and next quarter follow the rep's average
 * bookings and the org's growth, divided by the rep's skill.
 */
/** What quotas need of a deal. */
export type Booking = Pick<SeedDeal, 'stage' | 'amount' | 'closeDate' | 'ownerKey'>;

export function buildQuotas(org: SalesOrg, deals: readonly Booking[], ctx: SeedContext, rng: SeededRandom): SeedQuota[] {
  const quarters: Quarter[] = [];
  for (let k = -QUOTA_QUARTERS_BACK; k <= 1; k += 1) quarters.push(quarterShift(ctx.asOf, k));
  const past = quarters.slice(0, QUOTA_QUARTERS_BACK);
  const pastStart = past[0]?.start ?? ctx.asOf;
  const quarterIndex = (day: number): number => past.findIndex((q) => day >= q.start && day <= q.end);

  const won = new Map<string, number[]>();
  const orgWon = new Array<number>(past.length).fill(0);
  for (const deal of deals) {
    if (deal.stage !== 'won' || deal.amount === null) continue;
    const day = parseDay(deal.closeDate);
    if (day < pastStart) continue;
    const q = quarterIndex(day);
    if (q < 0) continue;
    let row = won.get(deal.ownerKey);
    if (!row) won.set(deal.ownerKey, (row = new Array<number>(past.length).fill(0)));
    row[q] = (row[q] ?? 0) + deal.amount;
    orgWon[q] = (orgWon[q] ?? 0) + deal.amount;
  }
  const orgMean = orgWon.reduce((a, b) => a + b, 0) / past.length || 1;
  const orgFactor = orgWon.map((w) => (w > 0 ? w / orgMean : 1));
  const lastFactor = orgFactor[orgFactor.length - 1] ?? 1;
  orgFactor.push(lastFactor * 1.03, lastFactor * 1.06);

  const reps = [...org.activeReps.map((owner) => ({ owner, leftDay: Infinity })), ...org.formerReps];
  // a rep's usual bookings per quarter, with the org's growth taken out
  const baseOf = new Map<string, number>();
  for (const { owner, leftDay } of reps) {
    const row = won.get(owner.key) ?? [];
    let sum = 0;
    let n = 0;
    past.forEach((quarter, q) => {
      if (quarter.end >= leftDay) return;
      sum += (row[q] ?? 0) / (orgFactor[q] ?? 1);
      n += 1;
    });
    if (n > 0 && sum > 0) baseOf.set(owner.key, sum / n);
  }
  const bases = [...baseOf.values()].sort((a, b) => a - b);
  const medianBase = bases[Math.floor(bases.length / 2)] ?? 100_000;

  const quotas: SeedQuota[] = [];
  for (const { owner, leftDay } of reps) {
    const skill = org.repSkill.get(owner.key) ?? 1;
    const usual = (baseOf.get(owner.key) ?? medianBase) / skill;
    const row = won.get(owner.key) ?? [];
    quarters.forEach((quarter, q) => {
      if (quarter.end >= leftDay) return;
      const booked = q < past.length ? (row[q] ?? 0) : 0;
      const attainment = Math.min(1.4, Math.max(0.45, rng.normal(skill, 0.12)));
      const amount = booked > 0 ? booked / attainment : usual * (orgFactor[q] ?? 1);
      quotas.push({
        ownerKey: owner.key,
        periodStart: ctx.iso.date(quarter.start),
        periodEnd: ctx.iso.date(quarter.end),
        amount: Math.max(1_000, Math.round(amount / 1_000) * 1_000),
      });
    });
  }
  return quotas;
}
