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
import type { SeedOptions, SeedOrg } from './types.js';

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
  const parsed = SeedOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ');
    throw new Error(`generateSeedOrg: invalid options (${detail}); expected { seed: integer >= 0, accounts: 10..${MAX_ACCOUNTS}, asOf: YYYY-MM-DD }`);
  }
  const { seed, accounts: accountCount } = parsed.data;
  const asOf = parsed.data.asOf ? parseDay(parsed.data.asOf) : todayDay();
  const ctx = createContext(seed, asOf);

  const org = buildSalesOrg(accountCount, new SeededRandom(streamSeed(seed, 0)), ctx);
  const result: SeedOrg = {
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
  };
  const domains = new Set<string>();
  for (let i = 0; i < accountCount; i += 1) {
    const plan = planAccount({ ctx, org, rng: new SeededRandom(streamSeed(seed, i + 1)), domains });
    buildDeals(plan, ctx);
    result.accounts.push(plan.account);
    for (const contact of plan.contacts) result.contacts.push(contact);
    for (const deal of plan.deals) result.deals.push(deal);
    for (const activity of buildActivities(plan, ctx)) result.activities.push(activity);
    for (const ticket of buildTickets(plan, ctx)) result.tickets.push(ticket);
  }
  result.quotas = buildQuotas(org, result.deals, ctx, new SeededRandom(streamSeed(seed, accountCount + 1)));
  return result;
}
