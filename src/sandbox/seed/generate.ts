/**
 * The seeded company both simulated CRMs load: `generateSeedOrg({ seed, accounts, asOf })`.
 * Same options, same org, byte for byte (JSON). Scales from 100 to 100,000 accounts (about ten
 * activities per account). What is planted in it, and the measured figures, are in README.md.
 *
 * Each account draws from its own random stream (seed, account number), so the generator reads
 * top to bottom: sales org, then per account its record and contacts, deals, activities, tickets;
 * quotas last, set against the bookings the deals produced.
 */
import { z } from 'zod';
import { planAccount } from './accounts.js';
import { COMPETITORS, PRODUCTS } from './catalog.js';
import { parseDay, todayDay } from './calendar.js';
import { createContext } from './context.js';
import { buildDeals } from './deals.js';
import { buildActivities, buildTickets } from './engagement.js';
import { SeededRandom, streamSeed } from './random.js';
import { buildQuotas, buildSalesOrg } from './sales-org.js';
import type { Booking } from './sales-org.js';
import type { SeedAccount, SeedOptions, SeedOrg } from './types.js';

export const DEFAULT_SEED = 42;
export const DEFAULT_ACCOUNTS = 1_000;
export const MAX_ACCOUNTS = 200_000;

const SeedOptionsSchema = z.object({
  seed: z.number().int().nonnegative().max(0xffffffff).default(DEFAULT_SEED),
  accounts: z.number().int().min(10).max(MAX_ACCOUNTS).default(DEFAULT_ACCOUNTS),
  asOf: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
    .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), 'not a calendar date')
    .optional(),
});

export function generateSeedOrg(options: SeedOptions = {}): SeedOrg {
  return generate(options, [() => true])[0]!;
}

/** The two CRMs' parts of one org, each holding only what that CRM loads. */
export interface SeedOrgsByCrm {
  /** accounts with crm 'hubspot' or 'both', and what belongs to them */
  hubspot: SeedOrg;
  /** accounts with crm 'salesforce' or 'both', and what belongs to them */
  salesforce: SeedOrg;
}

/**
 * The same org as `generateSeedOrg` (same options, same records), split per CRM as it is built, so
 * a caller can load one CRM and drop its part before loading the other (the whole org is ~590 MB
 * at 100,000 accounts). Owners, teams, products, quotas and competitors are in both parts; quotas
 * are set against the bookings of all deals, as in the whole org.
 */
export function generateSeedOrgsByCrm(options: SeedOptions = {}): SeedOrgsByCrm {
  const [hubspot, salesforce] = generate(options, [(a) => a.crm !== 'salesforce', (a) => a.crm !== 'hubspot']);
  return { hubspot: hubspot!, salesforce: salesforce! };
}

/** Builds the org once, keeping each account (and what belongs to it) in every part whose filter takes it. */
function generate(options: SeedOptions, parts: ((account: SeedAccount) => boolean)[]): SeedOrg[] {
  const parsed = SeedOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ');
    throw new Error(`generateSeedOrg: invalid options (${detail}); expected { seed: integer >= 0, accounts: 10..${MAX_ACCOUNTS}, asOf: YYYY-MM-DD }`);
  }
  const { seed, accounts: accountCount } = parsed.data;
  const asOf = parsed.data.asOf ? parseDay(parsed.data.asOf) : todayDay();
  const ctx = createContext(seed, asOf);

  const org = buildSalesOrg(accountCount, new SeededRandom(streamSeed(seed, 0)), ctx);
  const results: SeedOrg[] = parts.map(() => ({
    seed,
    asOf: ctx.iso.date(asOf),
    teams: org.teams,
    owners: org.owners,
    quotas: [],
    products: PRODUCTS.map((p) => ({ ...p })),
    accounts: [],
    contacts: [],
    deals: [],
    activities: [],
    tickets: [],
    competitors: [...COMPETITORS],
  }));
  /** every won deal's booking, whichever part keeps the deal: quotas are set against all of them */
  const bookings: Booking[] = [];
  const domains = new Set<string>();
  for (let i = 0; i < accountCount; i += 1) {
    const plan = planAccount({ ctx, org, rng: new SeededRandom(streamSeed(seed, i + 1)), domains });
    buildDeals(plan, ctx);
    // activities and tickets are built for every account: their keys count across all accounts
    const activities = buildActivities(plan, ctx);
    const tickets = buildTickets(plan, ctx);
    for (const deal of plan.deals) {
      if (deal.stage === 'won') bookings.push({ stage: deal.stage, amount: deal.amount, closeDate: deal.closeDate, ownerKey: deal.ownerKey });
    }
    results.forEach((result, p) => {
      if (!parts[p]!(plan.account)) return;
      result.accounts.push(plan.account);
      for (const contact of plan.contacts) result.contacts.push(contact);
      for (const deal of plan.deals) result.deals.push(deal);
      for (const activity of activities) result.activities.push(activity);
      for (const ticket of tickets) result.tickets.push(ticket);
    });
  }
  const quotas = buildQuotas(org, bookings, ctx, new SeededRandom(streamSeed(seed, accountCount + 1)));
  for (const result of results) result.quotas = quotas;
  return results;
}
