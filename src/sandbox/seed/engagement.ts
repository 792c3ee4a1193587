/**
 * An account's engagement over the last 365 days: activities (calls, emails, meetings, tasks,
 * notes) and support tickets.
 *
 * Planted signals (measured figures in README.md):
 * - churned accounts: activity falls off over the last ~90-130 days (to ~5% of its rate) from 100-130 days before today, more
 *   notes/emails name a competitor, and urgent and escalated tickets pile up;
 * - at-risk accounts: the same signals, weaker; healthy accounts: steady or growing activity.
 */
import { ACTIVITY_TEXT, COMPETITOR_TEXT, TICKET_SUBJECTS } from './catalog.js';
import { businessMinute } from './calendar.js';
import type { AccountPlan, SeedContext } from './context.js';
import type { SeedActivity, SeedActivityType, SeedContact, SeedTicket } from './types.js';

const WINDOW_DAYS = 365;
/** chance that a churned / at-risk account gets a planted competitor note in the last 100 days */
export const PLANTED_COMPETITOR_NOTE = { churned: 0.6, atRisk: 0.3 } as const;
/** chance that a churned / at-risk account gets a planted urgent ticket, open, in the last 45 days */
export const PLANTED_URGENT_TICKET = { churned: 0.7, atRisk: 0.35 } as const;

type Intensity = (day: number) => number;

/** activity rate multiplier over time (at most 1.25) */
function intensityOf(plan: AccountPlan, ctx: SeedContext): Intensity {
  const { rng, risk } = plan;
  const asOf = ctx.asOf;
  if (risk === 'churned') {
    const declineFrom = asOf - rng.int(100, 130);
    const lost = plan.decisiveRenewal !== null && plan.decisiveRenewal < asOf ? plan.decisiveRenewal : null;
    return (day) => {
      let m = day < declineFrom ? 1 : 0.05 + 0.95 * Math.exp(-(day - declineFrom) / 20);
      if (lost !== null && day >= lost) m *= 0.5;
      return m;
    };
  }
  if (risk === 'atRisk') {
    const declineFrom = asOf - rng.int(90, 130);
    return (day) => (day < declineFrom ? 1 : 0.5 + 0.5 * Math.exp(-(day - declineFrom) / 60));
  }
  if (rng.chance(0.3)) {
    const from = asOf - WINDOW_DAYS;
    return (day) => 0.75 + (0.5 * (day - from)) / WINDOW_DAYS; // growing account
  }
  return () => 1;
}

interface ActivityDraft {
  day: number;
  minute: number;
  type: SeedActivityType;
  competitor: boolean;
}

export function buildActivities(plan: AccountPlan, ctx: SeedContext): SeedActivity[] {
  const { rng, risk } = plan;
  const asOf = ctx.asOf;
  const from = Math.max(plan.createdDay, asOf - WINDOW_DAYS);
  const to = asOf - 1;
  if (to < from) return [];
  const perYear = plan.customer ? 9 + 3 * plan.sizeBand : 5;
  const intensity = intensityOf(plan, ctx);
  const peak = 1.25;
  const days = to - from + 1;
  const drafts: ActivityDraft[] = [];
  // thinning: candidates at the peak rate, each kept with probability intensity / peak
  const candidates = rng.poisson((perYear / WINDOW_DAYS) * days * peak);
  for (let c = 0; c < candidates; c += 1) {
    const day = from + Math.floor(rng.next() * days);
    if (rng.next() * peak >= intensity(day)) continue;
    const type = rng.weighted<SeedActivityType>([['call', 0.2], ['email', 0.35], ['meeting', 0.1], ['task', 0.18], ['note', 0.17]]);
    const mentionChance = risk === 'churned' && day >= asOf - 150 ? 0.2 : risk === 'atRisk' && day >= asOf - 120 ? 0.08 : 0.01;
    drafts.push({ day, minute: businessMinute(rng), type, competitor: (type === 'email' || type === 'note') && rng.chance(mentionChance) });
  }
  const planted = risk === 'churned' ? PLANTED_COMPETITOR_NOTE.churned : risk === 'atRisk' ? PLANTED_COMPETITOR_NOTE.atRisk : 0;
  if (planted > 0 && rng.chance(planted)) {
    drafts.push({ day: Math.max(from, asOf - rng.int(1, 100)), minute: businessMinute(rng), type: 'note', competitor: true });
  }
  drafts.sort((a, b) => a.day - b.day || a.minute - b.minute);

  const active = plan.contacts.filter((c) => c.active);
  const reachable = active.length > 0 ? active : plan.contacts;
  return drafts.map((draft) => toActivity(plan, ctx, draft, reachable));
}

function toActivity(plan: AccountPlan, ctx: SeedContext, draft: ActivityDraft, contacts: readonly SeedContact[]): SeedActivity {
  const { rng } = plan;
  const { type } = draft;
  const [subject, body] = draft.competitor && (type === 'email' || type === 'note') ? rng.pick(COMPETITOR_TEXT[type]) : rng.pick(ACTIVITY_TEXT[type]);
  const withoutContact = (type === 'task' || type === 'note') && rng.chance(0.3);
  const contact = withoutContact || contacts.length === 0 ? null : rng.pick(contacts);
  let dealKey: string | null = null;
  if (rng.chance(0.35)) {
    const open = plan.dealSpans.filter((s) => s.from <= draft.day && draft.day <= s.to);
    if (open.length > 0) dealKey = rng.pick(open).key;
  }
  let direction: SeedActivity['direction'] = null;
  if (type === 'email') direction = rng.chance(plan.risk === 'churned' && draft.day >= ctx.asOf - 120 ? 0.25 : 0.45) ? 'inbound' : 'outbound';
  else if (type === 'call') direction = rng.chance(0.15) ? 'inbound' : 'outbound';
  return {
    key: ctx.keys.next('act', 8),
    accountKey: plan.account.key,
    contactKey: contact ? contact.key : null,
    dealKey,
    ownerKey: plan.account.ownerKey,
    type,
    at: ctx.iso.instant(draft.day, draft.minute),
    direction,
    subject,
    body,
    completed: type === 'task' ? rng.chance(0.85) : null,
  };
}

const PRIORITIES_CALM = [['low', 0.4], ['medium', 0.4], ['high', 0.15], ['urgent', 0.05]] as const;
const PRIORITIES_TENSE = [['low', 0.1], ['medium', 0.25], ['high', 0.35], ['urgent', 0.3]] as const;

export function buildTickets(plan: AccountPlan, ctx: SeedContext): SeedTicket[] {
  const { rng, risk } = plan;
  if (!plan.customer) return [];
  const asOf = ctx.asOf;
  const from = Math.max(plan.createdDay, plan.contractStart ?? plan.createdDay, asOf - WINDOW_DAYS);
  const to = asOf - 1;
  if (to < from) return [];
  const drafts: { day: number; priority: SeedTicket['priority']; forceOpen: boolean; escalated: boolean | null }[] = [];
  const calm = rng.poisson((0.6 + 0.4 * plan.sizeBand) * ((to - from + 1) / WINDOW_DAYS));
  for (let i = 0; i < calm; i += 1) drafts.push({ day: rng.int(from, to), priority: rng.weighted(PRIORITIES_CALM), forceOpen: false, escalated: null });
  const tense = risk === 'churned' ? rng.poisson(2.5) : risk === 'atRisk' ? rng.poisson(1.5) : 0;
  for (let i = 0; i < tense; i += 1) drafts.push({ day: Math.max(from, asOf - rng.int(1, 120)), priority: rng.weighted(PRIORITIES_TENSE), forceOpen: false, escalated: null });
  const planted = risk === 'churned' ? PLANTED_URGENT_TICKET.churned : risk === 'atRisk' ? PLANTED_URGENT_TICKET.atRisk : 0;
  if (planted > 0 && rng.chance(planted)) drafts.push({ day: Math.max(from, asOf - rng.int(1, 45)), priority: 'urgent', forceOpen: true, escalated: rng.chance(0.5) });
  drafts.sort((a, b) => a.day - b.day);

  return drafts.map((draft) => {
    const age = to - draft.day;
    const closes = !draft.forceOpen && age >= 1 && rng.chance(age > 30 ? 0.92 : 0.4);
    const closedDay = closes ? draft.day + rng.int(1, Math.min(20, age)) : null;
    const escalationChance = draft.priority === 'urgent' ? 0.4 : draft.priority === 'high' ? 0.15 : 0.02;
    return {
      key: ctx.keys.next('ticket', 7),
      accountKey: plan.account.key,
      subject: rng.pick(TICKET_SUBJECTS),
      priority: draft.priority,
      status: closedDay === null ? 'open' : 'closed',
      escalated: draft.escalated ?? rng.chance(escalationChance),
      createdAt: ctx.iso.instant(draft.day, businessMinute(rng)),
      closedAt: closedDay === null ? null : ctx.iso.instant(closedDay, businessMinute(rng)),
    };
  });
}
