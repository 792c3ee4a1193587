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
import type { SeedAccount, SeedCrm, SeedOptions, SeedOrg } from './types.js';

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

/** One CRM's part alone: accounts with crm `crm` or 'both', and what belongs to them. */
export function generateSeedOrgFor(crm: SeedCrm, options: SeedOptions = {}): SeedOrg {
  return generate(options, [(a) => a.crm === crm || a.crm === 'both'])[0]!;
}

/** The whole org's counts, whichever part keeps each record (what a streamed load can still report). */
export interface SeedTotals {
  accounts: number;
  /** accounts with crm 'hubspot' or 'both' */
  inHubSpot: number;
  /** accounts with crm 'salesforce' or 'both' */
  inSalesforce: number;
  contacts: number;
  deals: number;
  lineItems: number;
  activities: number;
  tickets: number;
}

/** Records of consecutive accounts: each account with its contacts, deals, activities and tickets. */
export type SeedChunk = Pick<SeedOrg, 'accounts' | 'contacts' | 'deals' | 'activities' | 'tickets'>;

/**
 * One CRM's part of the org, generated as it is consumed, so a loader never holds more than one
 * chunk of seed records: `head` has the sales org, products and competitors (no records; `quotas`
 * is filled once `chunks` is exhausted, as quotas are set against every deal's bookings), `chunks`
 * yields the part's records `chunkAccounts` accounts at a time (every record of an account is in
 * the account's chunk), and `totals` counts the whole org as the chunks go by. The same records as
 * `generateSeedOrgsByCrm`, in the same order.
 */
export interface SeedStream {
  head: SeedOrg;
  chunks: Iterable<SeedChunk>;
  totals: SeedTotals;
  /** time spent generating so far (not loading), ms */
  generationMs: number;
}

export function streamSeedOrg(options: SeedOptions, keep: (account: SeedAccount) => boolean, chunkAccounts = 1_000): SeedStream {
  const g = begin(options);
  const head = emptyPart(g);
  const totals: SeedTotals = { accounts: 0, inHubSpot: 0, inSalesforce: 0, contacts: 0, deals: 0, lineItems: 0, activities: 0, tickets: 0 };
  const stream: SeedStream = { head, chunks: chunks(), totals, generationMs: 0 };
  function* chunks(): Generator<SeedChunk> {
    let resumedAt = performance.now();
    let chunk = emptyChunk();
    for (const a of accountsOf(g)) {
      totals.accounts += 1;
      if (a.account.crm !== 'salesforce') totals.inHubSpot += 1;
      if (a.account.crm !== 'hubspot') totals.inSalesforce += 1;
      totals.contacts += a.contacts.length;
      totals.deals += a.deals.length;
      for (const d of a.deals) totals.lineItems += d.lineItems.length;
      totals.activities += a.activities.length;
      totals.tickets += a.tickets.length;
      if (!keep(a.account)) continue;
      addAccount(chunk, a);
      if (chunk.accounts.length === chunkAccounts) {
        stream.generationMs += performance.now() - resumedAt;
        yield chunk;
        resumedAt = performance.now();
        chunk = emptyChunk();
      }
    }
    head.quotas = quotasOf(g);
    stream.generationMs += performance.now() - resumedAt;
    if (chunk.accounts.length > 0) yield chunk;
  }
  return stream;
}

/** One generation run: validated options, the context and the sales org, and the bookings seen so far. */
interface Generation {
  seed: number;
  accountCount: number;
  asOf: number;
  ctx: ReturnType<typeof createContext>;
  org: ReturnType<typeof buildSalesOrg>;
  /** every won deal's booking, whichever part keeps the deal: quotas are set against all of them */
  bookings: Booking[];
}

function begin(options: SeedOptions): Generation {
  const parsed = SeedOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ');
    throw new Error(`generateSeedOrg: invalid options (${detail}); expected { seed: integer >= 0, accounts: 10..${MAX_ACCOUNTS}, asOf: YYYY-MM-DD }`);
  }
  const { seed, accounts: accountCount } = parsed.data;
  const asOf = parsed.data.asOf ? parseDay(parsed.data.asOf) : todayDay();
  const ctx = createContext(seed, asOf);
  const org = buildSalesOrg(accountCount, new SeededRandom(streamSeed(seed, 0)), ctx);
  return { seed, accountCount, asOf, ctx, org, bookings: [] };
}

function emptyPart(g: Generation): SeedOrg {
  return {
    seed: g.seed,
    asOf: g.ctx.iso.date(g.asOf),
    teams: g.org.teams,
    owners: g.org.owners,
    quotas: [],
    products: PRODUCTS.map((p) => ({ ...p })),
    accounts: [],
    contacts: [],
    deals: [],
    activities: [],
    tickets: [],
    competitors: [...COMPETITORS],
  };
}

function emptyChunk(): SeedChunk {
  return { accounts: [], contacts: [], deals: [], activities: [], tickets: [] };
}

interface AccountRecords {
  account: SeedAccount;
  contacts: SeedChunk['contacts'];
  deals: SeedChunk['deals'];
  activities: SeedChunk['activities'];
  tickets: SeedChunk['tickets'];
}

/** Every account with its records, in order (each from its own random stream); collects bookings. */
function* accountsOf(g: Generation): Generator<AccountRecords> {
  const domains = new Set<string>();
  for (let i = 0; i < g.accountCount; i += 1) {
    const plan = planAccount({ ctx: g.ctx, org: g.org, rng: new SeededRandom(streamSeed(g.seed, i + 1)), domains });
    buildDeals(plan, g.ctx);
    // activities and tickets are built for every account: their keys count across all accounts
    const activities = buildActivities(plan, g.ctx);
    const tickets = buildTickets(plan, g.ctx);
    for (const deal of plan.deals) {
      if (deal.stage === 'won') g.bookings.push({ stage: deal.stage, amount: deal.amount, closeDate: deal.closeDate, ownerKey: deal.ownerKey });
    }
    yield { account: plan.account, contacts: plan.contacts, deals: plan.deals, activities, tickets };
  }
}

function addAccount(into: SeedChunk, a: AccountRecords): void {
  into.accounts.push(a.account);
  for (const contact of a.contacts) into.contacts.push(contact);
  for (const deal of a.deals) into.deals.push(deal);
  for (const activity of a.activities) into.activities.push(activity);
  for (const ticket of a.tickets) into.tickets.push(ticket);
}

function quotasOf(g: Generation): SeedOrg['quotas'] {
  return buildQuotas(g.org, g.bookings, g.ctx, new SeededRandom(streamSeed(g.seed, g.accountCount + 1)));
}

/** Builds the org once, keeping each account (and what belongs to it) in every part whose filter takes it. */
function generate(options: SeedOptions, parts: ((account: SeedAccount) => boolean)[]): SeedOrg[] {
  const g = begin(options);
  const results = parts.map(() => emptyPart(g));
  for (const a of accountsOf(g)) {
    results.forEach((result, p) => {
      if (parts[p]!(a.account)) addAccount(result, a);
    });
  }
  const quotas = quotasOf(g);
  for (const result of results) result.quotas = quotas;
  return results;
}
