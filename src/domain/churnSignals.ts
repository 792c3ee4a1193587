/**
 * The churn signals of the rule score, one function each. A signal reads one account's data as of
 * a moment and returns its risk 0..100 with a plain-language reason naming the records behind it,
 * or null when the account has no data for it (the caller then applies the missing-data policy).
 *
 * Only data at or before `asOf` is read, so a past `asOf` gives the score the account had then
 * (as far as the folded aggregates still know it). Pure and deterministic.
 */
import { weekStart, lastTouchOverall, type ActivityAggregate, type ActivityRef } from './activity.js';
import type { Account, Contact, Deal, RecordRef, Ticket, TicketPriority, UsageMetric } from './model.js';
import { riskOnPoints, riskOnScale, type ChurnConfig, type FieldSignal } from './churnConfig.js';

/** Everything the rule score reads about one account. */
export interface ChurnInput {
  account: Account;
  /** the account's contacts */
  contacts: readonly Contact[];
  activity: ActivityAggregate;
  /** the account's tickets */
  tickets: readonly Ticket[];
  /** the account's deals */
  deals: readonly Deal[];
  usage: readonly UsageMetric[];
}

export interface SignalResult {
  risk: number;
  text: string;
  records: RecordRef[];
}

export interface SignalContext {
  input: ChurnInput;
  config: ChurnConfig;
  /** the scoring instant, ms since epoch */
  asOfMs: number;
  /** the scoring instant as an ISO string */
  asOf: string;
}

export const DAY_MS = 86_400_000;
const REFS_IN_TEXT = 3;

/** Whole days from `fromMs` to `toMs` (floored; negative when `to` is earlier). */
export function daysBetween(fromMs: number, toMs: number): number {
  return Math.floor((toMs - fromMs) / DAY_MS);
}

/** Milliseconds of a calendar date (midnight UTC) or an instant. */
function ms(isoDateOrTime: string): number {
  return Date.parse(isoDateOrTime.length === 10 ? `${isoDateOrTime}T00:00:00Z` : isoDateOrTime);
}

function dateOf(iso: string): string {
  return iso.slice(0, 10);
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "(a, b, c +2 more)" */
function idList(ids: readonly string[]): string {
  if (ids.length === 0) return '';
  const shown = ids.slice(0, REFS_IN_TEXT).join(', ');
  return ` (${shown}${ids.length > REFS_IN_TEXT ? ` +${ids.length - REFS_IN_TEXT} more` : ''})`;
}

function activityRef(ref: ActivityRef): RecordRef {
  return { type: ref.type, id: ref.id, at: ref.at, ...(ref.subject ? { label: ref.subject } : {}) };
}

/** Week bounds of the trend windows; scoring a batch uses one asOf, so the last answer is kept. */
let lastTrendWeeks: { key: string; currentFrom: string; previousFrom: string; currentTo: string } | null = null;
function trendWeeks(asOf: string, days: number): { currentFrom: string; previousFrom: string; currentTo: string } {
  const key = `${asOf}|${days}`;
  if (lastTrendWeeks?.key === key) return lastTrendWeeks;
  const weeks = Math.ceil(days / 7);
  const thisWeek = weekStart(asOf);
  const currentFrom = addDays(thisWeek, -7 * (weeks - 1));
  lastTrendWeeks = { key, currentFrom, previousFrom: addDays(currentFrom, -7 * weeks), currentTo: addDays(thisWeek, 7) };
  return lastTrendWeeks;
}

function addDays(isoDate: string, days: number): string {
  return new Date(ms(isoDate) + days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Days since the last activity. Accounts with no activity at all (on or before asOf) count from
 * their creation: an account created 200 days ago and never touched has gone 200 days without
 * activity, one created last week only 7. With no creation date either, the signal is missing.
 */
export function activityRecency(ctx: SignalContext): SignalResult | null {
  const { input, config, asOfMs, asOf } = ctx;
  const scale = config.scales.activityRecency;
  const last = lastTouchOverall(input.activity);
  const lastMs = last ? ms(last.at) : Number.NaN;
  if (last && lastMs <= asOfMs) {
    const days = Math.max(0, daysBetween(lastMs, asOfMs));
    const risk = riskOnPoints(scale, days);
    const what = `${last.type} ${last.id}, ${dateOf(last.at)}`;
    const text = risk > 0 ? `No activity for ${plural(days, 'day')} (last: ${what})` : `Last activity ${plural(days, 'day')} ago (${what})`;
    return { risk, text, records: [activityRef(last)] };
  }
  // The latest touch is after asOf (a backtest): fall back to the weekly counts.
  const asOfWeek = weekStart(asOf);
  let lastWeek: string | null = null;
  for (const [week, counts] of Object.entries(input.activity.weeks)) {
    if (week > asOfWeek) continue;
    if (Object.values(counts).some((c) => c > 0) && (!lastWeek || week > lastWeek)) lastWeek = week;
  }
  if (lastWeek) {
    const days = Math.max(0, daysBetween(Math.min(ms(lastWeek) + 6 * DAY_MS, asOfMs), asOfMs));
    return { risk: riskOnPoints(scale, days), text: `No activity for about ${plural(days, 'day')} (last in the week of ${lastWeek})`, records: [] };
  }
  const created = input.account.createdAt;
  if (!created || ms(created) > asOfMs) return null;
  const days = daysBetween(ms(created), asOfMs);
  return {
    risk: riskOnPoints(scale, days),
    text: `No activity recorded since the account was created ${plural(days, 'day')} ago (${dateOf(created)})`,
    records: [],
  };
}

/**
 * Activity count in the current window against the window before, in whole weeks (the aggregate
 * counts per week): ceil(activityDays / 7) weeks ending with asOf's week. Missing when the
 * previous window had no activity (no baseline to compare with).
 */
export function activityTrend(ctx: SignalContext): SignalResult | null {
  const { input, config, asOf } = ctx;
  const { currentFrom, previousFrom, currentTo } = trendWeeks(asOf, config.windows.activityDays);
  let current = 0;
  let previous = 0;
  const weeks = input.activity.weeks;
  for (const week in weeks) {
    if (week < previousFrom || week >= currentTo) continue;
    const counts = weeks[week] as Record<string, number>;
    let n = 0;
    for (const bucket in counts) n += counts[bucket] as number;
    if (week >= currentFrom) current += n;
    else previous += n;
  }
  if (previous === 0) return null;
  const change = ((current - previous) / previous) * 100;
  const pct = Math.round(Math.abs(change));
  const direction = change < 0 ? `down ${pct}%` : change > 0 ? `up ${pct}%` : 'unchanged';
  return {
    risk: riskOnPoints(config.scales.activityTrend, change),
    text: `Activity ${direction} vs the previous ${config.windows.activityDays} days (${current} vs ${previous} activities)`,
    records: [],
  };
}

/**
 * Share of the active contacts with activity in the contact window; a contact marked gone
 * (inactive, updated within the window) lifts the risk to at least `contactGoneRisk`.
 * Missing when the account has no contacts.
 */
export function contactEngagement(ctx: SignalContext): SignalResult | null {
  const { input, config, asOfMs } = ctx;
  if (input.contacts.length === 0) return null;
  const windowDays = config.windows.contactDays;
  const since = asOfMs - windowDays * DAY_MS;
  const active = input.contacts.filter((c) => c.active);
  const engaged: Contact[] = [];
  const unengaged: Contact[] = [];
  for (const c of active) {
    const last = input.activity.contacts[c.id];
    const at = last ? ms(last) : Number.NaN;
    (at >= since && at <= asOfMs ? engaged : unengaged).push(c);
  }
  const gone = input.contacts.filter((c) => !c.active && ms(c.updatedAt) >= since && ms(c.updatedAt) <= asOfMs);
  const share = active.length ? (engaged.length / active.length) * 100 : 0;
  const risk = Math.max(riskOnPoints(config.scales.contactEngagement, share), gone.length ? config.contactGoneRisk : 0);
  const parts = [`${engaged.length} of ${plural(active.length, 'active contact')} engaged in the last ${windowDays} days`];
  if (gone.length) parts.push(`${plural(gone.length, 'contact')} marked gone${idList(gone.map((c) => `${c.name} ${c.id}`))}`);
  const named = gone.length ? gone : unengaged;
  return {
    risk,
    text: parts.join('; '),
    records: named.slice(0, 5).map((c) => ({ type: 'contact', id: c.id, label: c.name })),
  };
}

const priorityOrder: readonly TicketPriority[] = ['urgent', 'high', 'medium', 'low'];

/**
 * Priority-weighted ticket load: every ticket open at asOf, plus those raised in the support
 * window, weighted by priority, plus `escalationWeight` per open escalation. No tickets is a
 * load of 0 (the CRM cannot tell "no tickets" from "no ticketing").
 */
export function supportLoad(ctx: SignalContext): SignalResult {
  const { input, config, asOfMs } = ctx;
  if (input.tickets.length === 0) {
    return { risk: riskOnPoints(config.scales.supportLoad, 0), text: `No tickets open or raised in the last ${config.windows.supportDays} days`, records: [] };
  }
  const since = asOfMs - config.windows.supportDays * DAY_MS;
  const open: Ticket[] = [];
  const recentClosed: Ticket[] = [];
  for (const t of input.tickets) {
    const created = ms(t.createdAt);
    if (created > asOfMs) continue;
    const closed = t.closedAt ? ms(t.closedAt) : t.status === 'closed' ? created : Number.POSITIVE_INFINITY;
    if (closed > asOfMs) open.push(t);
    else if (created >= since) recentClosed.push(t);
  }
  let load = 0;
  for (const t of [...open, ...recentClosed]) load += config.ticketPriorityWeights[t.priority];
  const escalated = open.filter((t) => t.escalated);
  load += escalated.length * config.escalationWeight;

  const parts: string[] = [];
  const describe = (tickets: Ticket[], state: string) => {
    for (const p of priorityOrder) {
      const ids = tickets.filter((t) => t.priority === p).map((t) => t.id);
      if (ids.length) parts.push(`${ids.length} ${p} ${ids.length === 1 ? 'ticket' : 'tickets'} ${state}${idList(ids)}`);
    }
  };
  describe(open, 'open');
  describe(recentClosed, `closed in the last ${config.windows.supportDays} days`);
  if (escalated.length) parts.push(`${plural(escalated.length, 'open escalation')}${idList(escalated.map((t) => t.id))}`);
  const named = [...open, ...recentClosed].sort((a, b) => priorityOrder.indexOf(a.priority) - priorityOrder.indexOf(b.priority) || a.id.localeCompare(b.id));
  return {
    risk: riskOnPoints(config.scales.supportLoad, load),
    text: parts.length ? parts.join(', ') : `No tickets open or raised in the last ${config.windows.supportDays} days`,
    records: named.slice(0, 5).map((t) => ({ type: 'ticket', id: t.id, label: t.subject, at: t.createdAt })),
  };
}

/** Lost deals of the configured types closed in the window: renewals at `renewalRisk` each, others at `otherRisk`, capped at 100. */
export function lostDeals(ctx: SignalContext): SignalResult {
  const { input, config, asOfMs } = ctx;
  const windowDays = config.windows.lostDealsDays;
  // Close dates are calendar dates: compare them as dates, both ends inclusive.
  const from = new Date(asOfMs - windowDays * DAY_MS).toISOString().slice(0, 10);
  const to = dateOf(ctx.asOf);
  const lost = input.deals
    .filter((d) => d.status === 'lost' && d.type && config.lostDeals.types.includes(d.type) && d.closeDate)
    .filter((d) => (d.closeDate as string) >= from && (d.closeDate as string) <= to)
    .sort((a, b) => (b.closeDate as string).localeCompare(a.closeDate as string) || a.id.localeCompare(b.id));
  if (lost.length === 0) {
    return { risk: 0, text: `No lost ${config.lostDeals.types.join(' or ')} deals in the last ${windowDays} days`, records: [] };
  }
  let risk = 0;
  for (const d of lost) risk += d.type === 'renewal' ? config.lostDeals.renewalRisk : config.lostDeals.otherRisk;
  const parts: string[] = [];
  for (const type of config.lostDeals.types) {
    const ofType = lost.filter((d) => d.type === type);
    if (ofType.length) parts.push(`${ofType.length} lost ${type}${ofType.length === 1 ? '' : 's'}${idList(ofType.map((d) => `${d.id}, ${d.closeDate}`))}`);
  }
  return {
    risk: Math.min(100, risk),
    text: `${parts.join(', ')} in the last ${windowDays} days`,
    records: lost.slice(0, 5).map((d) => ({ type: 'deal', id: d.id, label: d.name, at: d.closeDate as string })),
  };
}

/**
 * Days to the next renewal: the account's renewal date or an open renewal deal's close date,
 * the earliest still ahead; when none is ahead, the latest one passed (overdue). Missing when
 * neither exists.
 */
export function renewalProximity(ctx: SignalContext): SignalResult | null {
  const { input, config, asOf } = ctx;
  const today = ms(dateOf(asOf));
  const candidates: { date: string; ref: RecordRef | null }[] = [];
  if (input.account.renewalDate) candidates.push({ date: input.account.renewalDate, ref: null });
  for (const d of input.deals) {
    if (d.type === 'renewal' && d.status === 'open' && d.closeDate) {
      candidates.push({ date: d.closeDate, ref: { type: 'deal', id: d.id, label: d.name, at: d.closeDate } });
    }
  }
  if (candidates.length === 0) return null;
  candidates.sort((a, b) => a.date.localeCompare(b.date) || (a.ref ? 1 : 0) - (b.ref ? 1 : 0));
  const ahead = candidates.find((c) => ms(c.date) >= today);
  const chosen = ahead ?? (candidates[candidates.length - 1] as (typeof candidates)[number]);
  const days = daysBetween(today, ms(chosen.date));
  const source = chosen.ref ? `, deal ${chosen.ref.id}` : '';
  const text =
    days >= 0
      ? `Renewal in ${plural(days, 'day')} (${chosen.date}${source})`
      : `Renewal date ${chosen.date} passed ${plural(-days, 'day')} ago${source ? ` (${source.slice(2)})` : ''}`;
  return { risk: riskOnPoints(config.scales.renewalProximity, days), text, records: chosen.ref ? [chosen.ref] : [] };
}

/**
 * Mean usage value in the usage window against the window before, per metric; the metric with
 * the largest fall drives the risk. Missing when no watched metric has data in both windows.
 */
export function usageTrend(ctx: SignalContext): SignalResult | null {
  const { input, config, asOfMs } = ctx;
  const windowMs = config.windows.usageDays * DAY_MS;
  const watched = config.usageMetrics;
  const sums = new Map<string, { cur: number; curN: number; prev: number; prevN: number }>();
  for (const u of input.usage) {
    if (watched.length && !watched.includes(u.metric)) continue;
    const t = ms(u.date);
    if (t > asOfMs || t <= asOfMs - 2 * windowMs) continue;
    const s = sums.get(u.metric) ?? { cur: 0, curN: 0, prev: 0, prevN: 0 };
    if (t > asOfMs - windowMs) {
      s.cur += u.value;
      s.curN += 1;
    } else {
      s.prev += u.value;
      s.prevN += 1;
    }
    sums.set(u.metric, s);
  }
  let worst: { metric: string; change: number; cur: number; prev: number } | null = null;
  for (const [metric, s] of [...sums.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    if (!s.curN || !s.prevN || s.prev === 0) continue;
    const cur = s.cur / s.curN;
    const prev = s.prev / s.prevN;
    const change = ((cur - prev) / Math.abs(prev)) * 100;
    if (!worst || change < worst.change) worst = { metric, change, cur, prev };
  }
  if (!worst) return null;
  const pct = Math.round(Math.abs(worst.change));
  const direction = worst.change < 0 ? `down ${pct}%` : worst.change > 0 ? `up ${pct}%` : 'unchanged';
  const fmt = (x: number) => String(Math.round(x * 10) / 10);
  return {
    risk: riskOnPoints(config.scales.usageTrend, worst.change),
    text: `Usage of ${worst.metric} ${direction} vs the previous ${config.windows.usageDays} days (mean ${fmt(worst.cur)} vs ${fmt(worst.prev)})`,
    records: [],
  };
}

/** Competitor mentions (folded at ingest) in the competitor window, by competitor. */
export function competitorMentions(ctx: SignalContext): SignalResult {
  const { input, config, asOfMs } = ctx;
  const windowDays = config.windows.competitorDays;
  const since = asOfMs - windowDays * DAY_MS;
  const names = new Map(config.competitors.map((n) => [n.toLowerCase(), n]));
  const mentions = input.activity.competitorMentions.filter((m) => {
    const at = ms(m.at);
    return at >= since && at <= asOfMs && (names.size === 0 || names.has(m.competitor.toLowerCase()));
  });
  if (mentions.length === 0) {
    return { risk: 0, text: `No competitor mentioned in the last ${windowDays} days`, records: [] };
  }
  const byCompetitor = new Map<string, typeof mentions>();
  for (const m of mentions) {
    const name = names.get(m.competitor.toLowerCase()) ?? m.competitor;
    byCompetitor.set(name, [...(byCompetitor.get(name) ?? []), m]);
  }
  const parts: string[] = [];
  for (const [name, found] of [...byCompetitor.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))) {
    const types = new Set(found.map((m) => m.type));
    const noun = types.size === 1 ? ([...types][0] as string) : 'activity';
    const nouns = noun === 'activity' ? 'activities' : `${noun}s`;
    parts.push(`Competitor ${name} mentioned in ${plural(found.length, noun, nouns)}${idList(found.map((m) => m.activityId))}`);
  }
  return {
    risk: riskOnPoints(config.scales.competitorMentions, mentions.length),
    text: parts.join('; '),
    records: mentions.slice(0, 5).map((m) => ({ type: m.type, id: m.activityId, at: m.at, label: m.competitor })),
  };
}

/** A mapped account field on its own scale; missing when the field is empty or its value is not on the scale. */
export function fieldSignal(ctx: SignalContext, signal: FieldSignal): SignalResult | null {
  const value = ctx.input.account.fields[signal.field];
  const risk = riskOnScale(signal.scale, value);
  if (risk === null) return null;
  return { risk, text: `${signal.label ?? signal.field}: ${String(value)}`, records: [] };
}
