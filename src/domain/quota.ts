/**
 * Quota attainment, pacing, weighted pipeline, forecast, coverage, win rate, velocity and slippage,
 * per owner, per team (a manager and everyone under them, recursively) and for the whole org.
 *
 * How it works: every deal adds its part to an additive tally of its owner (sums and counts only);
 * a team's tally is the sum of its members' tallies and the org's the sum of all, plus deals with no
 * known owner. Ratios are taken only at the end, from the sums, so a team's attainment is
 * Σ won / Σ quota and never an average of percentages. No ratio is ever Infinity or NaN: a zero or
 * missing denominator gives null and, where it is a data defect, a data-quality note.
 *
 * Rules (each reported as a note with a count when it applies):
 * - a period includes both boundary days; a deal closed on the first or last day is in it;
 * - deals without amount, with an unknown currency, negative (credits), duplicated: see deal-inputs.ts;
 * - deals without close date belong to no period (not in won, pipeline, coverage or forecast);
 * - deals without owner, or whose owner is not in the owner list, count for the org only;
 * - team = the owner's CURRENT manager chain: the model has no owner-at-close-date, so a rep who
 *   changed team brings their whole period to the new team;
 * - team quota = Σ quotas of the members, the manager's own included (if your CRM puts the team quota
 *   on the manager, configure members' quotas only, or it counts twice);
 * - quota of an owner for a period: a configured entry (by owner id or email) wins; else a CRM quota
 *   whose range is exactly the period (latest updated if several); else the sum of CRM quotas lying
 *   inside the period (e.g. three monthly quotas); quotas that only partly overlap are ignored;
 * - a deal re-opened after Closed Won is open: only the current status counts;
 * - open deals in the Omitted category are listed but never weighted, covered or forecast.
 *
 * `asOf` is the day the deals were read (normally today): the deals are taken as they are now, so
 * for a past `asOf` the won figures are right but the open pipeline is today's; to replay a past
 * forecast use `backtestForecast`, which rolls deals back through their history.
 * Pure: no I/O.
 */
import type { Deal, DealHistory, Owner, Quota, RecordRef } from './model.js';
import type { Attainment, DataQualityNote, Period } from './insights.js';
import { dealRef, dedupeById, indexHistory, IssueTally, prepareDeals, toCorporate, type HistoryIndex, type PreparedDeal } from './deal-inputs.js';
import { createdAndWonIn, learnSeasonality, learnStageProbabilities, runRatePeriods, type Seasonality, type StageProbability } from './forecast.js';
import { dayNumber, elapsedDays, periodLengthDays, previousPeriods } from './periods.js';
import { QuotaConfigSchema, type QuotaConfig, type QuotaConfigInput, type QuotaTableEntry } from './quota-config.js';
import { dealSlippage } from './slippage.js';

export { QuotaConfigSchema, QuotaTableEntrySchema, type QuotaConfig, type QuotaConfigInput, type QuotaTableEntry } from './quota-config.js';

export interface AttainmentInput {
  deals: readonly Deal[];
  history: readonly DealHistory[];
  owners: readonly Owner[];
  quotas: readonly Quota[];
  period: Period;
  /** the day the figures are computed for, e.g. today in the org's time zone */
  asOf: string;
  config?: QuotaConfigInput;
}

/** Everything computed once per call and shared by every deal and row. */
interface Context {
  config: QuotaConfig;
  period: Period;
  asOf: string;
  startDay: number;
  endDay: number;
  asOfDay: number;
  windowStartDay: number;
  length: number;
  elapsed: number;
  stageProbabilities: Map<string, StageProbability>;
  seasonality: Seasonality | null;
  seasonalPeriodsTried: number;
  runRatePeriods: Period[];
  history: HistoryIndex;
}

/** Additive sums and counts of one owner's deals; teams and the org add these up. */
class Tally {
  closedWon = 0;
  categories = { closed: 0, commit: 0, bestCase: 0, pipeline: 0, omitted: 0 };
  weighted = 0;
  won = 0;
  lost = 0;
  wonAmount = 0;
  wonWithAmount = 0;
  cycleDaysSum = 0;
  cycleCount = 0;
  openOpps = 0;
  runRateSum = 0;
  pushedDeals = 0;
  pushCount = 0;
  daysPushed = 0;
  commitSlippedOut: RecordRef[] = [];
  readonly issues: IssueTally;

  constructor(recordLimit: number) {
    this.issues = new IssueTally(recordLimit);
  }

  addAll(other: Tally): void {
    this.closedWon += other.closedWon;
    for (const key of Object.keys(this.categories) as (keyof Tally['categories'])[]) this.categories[key] += other.categories[key];
    this.weighted += other.weighted;
    this.won += other.won;
    this.lost += other.lost;
    this.wonAmount += other.wonAmount;
    this.wonWithAmount += other.wonWithAmount;
    this.cycleDaysSum += other.cycleDaysSum;
    this.cycleCount += other.cycleCount;
    this.openOpps += other.openOpps;
    this.runRateSum += other.runRateSum;
    this.pushedDeals += other.pushedDeals;
    this.pushCount += other.pushCount;
    this.daysPushed += other.daysPushed;
    this.commitSlippedOut.push(...other.commitSlippedOut);
    this.issues.addAll(other.issues);
  }
}

const categoryKey = { pipeline: 'pipeline', best_case: 'bestCase', commit: 'commit', omitted: 'omitted' } as const;

function tallyDeal(tally: Tally, prepared: PreparedDeal, ctx: Context): void {
  const { deal, amount, closeDay, createdDay } = prepared;
  const ref = dealRef(deal);
  const inPeriod = closeDay !== null && closeDay >= ctx.startDay && closeDay <= ctx.endDay;
  const isCredit = amount !== null && amount < 0;

  if (deal.status === 'open' && closeDay === null) tally.issues.add('missing_close_date', ref);
  if (inPeriod) {
    if (prepared.amountProblem === 'missing') tally.issues.add('missing_amount', ref);
    if (prepared.amountProblem === 'unknown_currency') tally.issues.add('unknown_currency', ref);
    if (prepared.unconverted) tally.issues.add('unconverted_currency', ref);
    if (isCredit) tally.issues.add('negative_amount', ref);
  }

  if (inPeriod && amount !== null) {
    if (deal.status === 'won') {
      tally.closedWon += amount;
      tally.categories.closed += amount;
    } else if (deal.status === 'open') {
      let category = deal.forecastCategory;
      if (category === 'closed') {
        // An open deal cannot be booked yet: count it as Commit, the closest open category.
        tally.issues.add('open_deal_in_closed_category', ref);
        category = 'commit';
      }
      tally.categories[categoryKey[category]] += amount;
      if (category !== 'omitted') tally.weighted += amount * stageProbability(tally, prepared, ref, ctx);
    }
  }

  if (deal.status !== 'open' && closeDay !== null && closeDay >= ctx.windowStartDay && closeDay <= ctx.asOfDay && !isCredit) {
    if (deal.status === 'lost') tally.lost += 1;
    else {
      tally.won += 1;
      if (amount !== null) {
        tally.wonAmount += amount;
        tally.wonWithAmount += 1;
      }
      if (createdDay !== null) {
        if (closeDay < createdDay) tally.issues.add('closed_before_created', ref);
        else {
          tally.cycleDaysSum += closeDay - createdDay;
          tally.cycleCount += 1;
        }
      }
    }
  }

  if (deal.status === 'open' && amount !== null && amount > 0 && deal.forecastCategory !== 'omitted') tally.openOpps += 1;
  for (const past of ctx.runRatePeriods) tally.runRateSum += createdAndWonIn(prepared, past);

  const slippage = dealSlippage(prepared, ctx.history.get(deal.id), ctx.period, ctx.asOf);
  if (slippage.pushCount > 0) tally.pushedDeals += 1;
  tally.pushCount += slippage.pushCount;
  tally.daysPushed += slippage.daysPushed;
  if (slippage.slippedOutOfCommit) tally.commitSlippedOut.push(ref);
}

/** Learned p(stage) when enough closed deals passed through the stage, else the CRM's, else 0. */
function stageProbability(tally: Tally, prepared: PreparedDeal, ref: RecordRef, ctx: Context): number {
  const learned = ctx.stageProbabilities.get(prepared.deal.stageId);
  if (learned) return learned.p;
  if (prepared.deal.probability !== null) {
    tally.issues.add('stage_probability_from_crm', ref);
    return prepared.deal.probability;
  }
  tally.issues.add('missing_probability', ref);
  return 0;
}

interface ResolvedQuota {
  /** corporate currency; null when the owner has none for the period */
  amount: number | null;
  issues: IssueTally;
}

/** `mine`: the owner's CRM quotas; `configuredForPeriod`: the config table's entries for this period. */
function resolveQuota(owner: Owner, mine: readonly Quota[], configuredForPeriod: readonly QuotaTableEntry[], ctx: Context): ResolvedQuota {
  const issues = new IssueTally(ctx.config.noteRecordLimit);
  const ownerRef: RecordRef = { type: 'owner', id: owner.id, label: owner.name };
  const email = owner.email?.toLowerCase() ?? null;
  const configured = configuredForPeriod.filter((entry) => entry.owner === owner.id || (email !== null && entry.owner.toLowerCase() === email));
  if (configured.length > 0) {
    if (configured.length > 1) issues.add('duplicate_quota', ownerRef);
    return { amount: configured[configured.length - 1]?.amount ?? null, issues };
  }

  const exact = mine.filter((q) => q.periodStart === ctx.period.start && q.periodEnd === ctx.period.end);
  let chosen: Quota[];
  if (exact.length > 0) {
    if (exact.length > 1) issues.add('duplicate_quota', ownerRef);
    chosen = [exact.reduce((a, b) => (Date.parse(b.updatedAt) >= Date.parse(a.updatedAt) ? b : a))];
  } else {
    chosen = mine.filter((q) => dayNumber(q.periodStart) >= ctx.startDay && dayNumber(q.periodEnd) <= ctx.endDay);
    for (const q of mine) {
      const overlaps = dayNumber(q.periodStart) <= ctx.endDay && dayNumber(q.periodEnd) >= ctx.startDay;
      if (overlaps && !chosen.includes(q)) issues.add('quota_partial_overlap', { type: 'quota', id: q.id, label: owner.name });
    }
  }
  if (chosen.length === 0) return { amount: null, issues };
  let amount = 0;
  for (const q of chosen) {
    const converted = toCorporate(q.amount, q.currency, ctx.config);
    if (converted.amount === null) {
      issues.add('quota_unknown_currency', { type: 'quota', id: q.id, label: owner.name });
      return { amount: null, issues };
    }
    amount += converted.amount;
  }
  return { amount, issues };
}

const describe = (config: QuotaConfig) =>
  (code: string, count: number): string => {
    const one = count === 1;
    const deals = one ? '1 deal' : `${count} deals`;
    switch (code) {
      case 'duplicate_records':
        return `${count} duplicated ${one ? 'record (same id) was' : 'records (same id) were'} counted once, keeping the latest updatedAt`;
      case 'missing_amount':
        return `${deals} in the period ${one ? 'has' : 'have'} no amount; left out of every sum (they still count in win rate and cycle time)`;
      case 'unknown_currency':
        return `${deals} in the period ${one ? 'is' : 'are'} in a currency with no rate to ${config.corporateCurrency}; left out of every sum (add it to currencyRates)`;
      case 'unconverted_currency':
        return `${deals} in the period ${one ? 'is' : 'are'} in a currency with no rate to ${config.corporateCurrency}; taken unconverted (unknownCurrency: as_corporate)`;
      case 'negative_amount':
        return `${deals} in the period ${one ? 'has' : 'have'} a negative amount; treated as credits: they reduce won and pipeline sums and do not count as deals`;
      case 'missing_close_date':
        return `${count} open ${count === 1 ? 'deal has' : 'deals have'} no close date; in no period, so left out of pipeline, coverage and forecast`;
      case 'deals_without_owner':
        return `${deals} ${one ? 'has' : 'have'} no owner; they count for the org only`;
      case 'unknown_owner':
        return `${deals} ${one ? 'names' : 'name'} an owner missing from the owner list; they count for the org only`;
      case 'open_deal_in_closed_category':
        return `${count} open ${count === 1 ? 'deal is' : 'deals are'} in the Closed forecast category; counted as Commit`;
      case 'stage_probability_from_crm':
        return `${count} open ${count === 1 ? 'deal' : 'deals'} in the period weighted with the CRM stage probability (fewer than ${config.stageProbabilityMinDeals} closed deals passed through the stage)`;
      case 'missing_probability':
        return `${count} open ${count === 1 ? 'deal' : 'deals'} in the period ${one ? 'has' : 'have'} no learned or CRM stage probability; weighted at 0`;
      case 'closed_before_created':
        return `${count} won ${count === 1 ? 'deal closes' : 'deals close'} before ${count === 1 ? 'it was' : 'they were'} created; left out of the cycle time`;
      case 'duplicate_quota':
        return `${count} ${count === 1 ? 'owner has' : 'owners have'} several quotas for the period; the configured entry listed last, else the latest updated CRM quota, was used`;
      case 'quota_partial_overlap':
        return `${count} CRM ${count === 1 ? 'quota overlaps' : 'quotas overlap'} the period only partly; ignored (quotas are not prorated)`;
      case 'quota_unknown_currency':
        return `${count} ${count === 1 ? 'quota is' : 'quotas are'} in a currency with no rate to ${config.corporateCurrency}; the owner's quota is treated as missing`;
      case 'quota_table_unknown_owner':
        return `${count} configured quota ${count === 1 ? 'entry names' : 'entries name'} no known owner id or email; ignored`;
      case 'manager_cycle':
        return `${count} ${count === 1 ? 'owner is' : 'owners are'} in a manager loop (A manages B manages A); their teams overlap`;
      default:
        return `${code}: ${count}`;
    }
  };

function ratio(numerator: number, denominator: number): number | null {
  if (denominator === 0 || !Number.isFinite(numerator) || !Number.isFinite(denominator)) return null;
  const value = numerator / denominator;
  return Number.isFinite(value) ? value : null;
}

interface RowSubject {
  scope: Attainment['scope'];
  subjectId: string;
  subjectName: string;
  /** Σ quota, or null when no quota is known */
  quota: number | null;
  /** extra notes about the quota (missing, members without quota) */
  quotaNotes: DataQualityNote[];
  quotaIssues: IssueTally;
}

function buildRow(subject: RowSubject, tally: Tally, ctx: Context): Attainment {
  const { config } = ctx;
  const notes: DataQualityNote[] = [...subject.quotaNotes];
  const quota = subject.quota === null || subject.quota === 0 ? null : subject.quota;
  const won = tally.closedWon;
  const elapsedShare = ctx.elapsed / ctx.length;
  const seasonalShare = ctx.seasonality ? ctx.seasonality.shareAt(elapsedShare) : elapsedShare;
  if (quota !== null && ctx.seasonality === null) {
    notes.push({
      code: 'seasonal_fallback_linear',
      message: `seasonal pacing is linear: fewer than ${config.seasonalMinPeriods} of the last ${ctx.seasonalPeriodsTried} periods had bookings`,
    });
  }
  const linear = quota === null ? null : quota * elapsedShare;
  const seasonal = quota === null ? null : quota * seasonalShare;
  const runRate = ctx.runRatePeriods.length === 0 ? 0 : tally.runRateSum / ctx.runRatePeriods.length;
  if (ctx.runRatePeriods.length === 0) {
    notes.push({ code: 'run_rate_no_history', message: 'no past period with deals: the forecast has no creation run-rate term' });
  }
  const remainingShare = (ctx.length - ctx.elapsed) / ctx.length;
  const { closed, commit, bestCase, pipeline } = tally.categories;
  const openPipeline = pipeline + bestCase + commit;
  let coverage: number | null = null;
  if (quota !== null) {
    if (quota - won > 0) coverage = ratio(openPipeline, quota - won);
    else notes.push({ code: 'quota_met', message: 'closed-won already meets the quota: coverage is undefined' });
  }
  const winRate = ratio(tally.won, tally.won + tally.lost);
  const avgDealSize = ratio(tally.wonAmount, tally.wonWithAmount);
  const cycleDays = ratio(tally.cycleDaysSum, tally.cycleCount);
  const velocityPerDay =
    avgDealSize === null || winRate === null || cycleDays === null ? null : ratio(tally.openOpps * avgDealSize * winRate, cycleDays);
  const issues = new IssueTally(config.noteRecordLimit);
  issues.addAll(subject.quotaIssues);
  issues.addAll(tally.issues);
  notes.push(...issues.toNotes(describe(config)));
  return {
    scope: subject.scope,
    subjectId: subject.subjectId,
    subjectName: subject.subjectName,
    period: ctx.period,
    asOf: ctx.asOf,
    currency: config.corporateCurrency,
    quota: subject.quota,
    closedWon: won,
    attainment: quota === null ? null : ratio(won, quota),
    expectedToDate: { linear, seasonal },
    pacing: {
      linear: linear === null || linear <= 0 ? null : ratio(won, linear),
      seasonal: seasonal === null || seasonal <= 0 ? null : ratio(won, seasonal),
    },
    weightedPipeline: tally.weighted,
    categories: { ...tally.categories },
    rollups: { commit: commit + closed, bestCase: bestCase + commit + closed, openPipeline },
    forecast: won + tally.weighted + runRate * remainingShare,
    coverage,
    winRate,
    avgDealSize,
    cycleDays,
    velocityPerDay,
    slippage: {
      pushedDeals: tally.pushedDeals,
      pushCount: tally.pushCount,
      daysPushed: tally.daysPushed,
      commitSlippedOut: tally.commitSlippedOut,
    },
    notes,
  };
}

function quotaNote(subjectName: string, quota: number | null, period: Period): DataQualityNote[] {
  if (quota === null) {
    return [{ code: 'missing_quota', message: `${subjectName} has no quota for ${period.id}: attainment, expected-to-date, pacing and coverage are null` }];
  }
  if (quota === 0) {
    return [{ code: 'zero_quota', message: `${subjectName} has a zero quota for ${period.id}: attainment, expected-to-date, pacing and coverage are null` }];
  }
  return [];
}

/**
 * Attainment rows for `period` as of `asOf`: one per owner (except managers with neither deals nor a
 * quota, who only get a team row), one per manager's team, and one for the org, in that order.
 */
export function computeAttainment(input: AttainmentInput): Attainment[] {
  return attainmentForPeriod(prepareAttainment(input), input.period);
}

/**
 * Attainment rows for several periods of the same data and day (e.g. this quarter and this month):
 * deals, history and the learned stage probabilities are prepared once, which is most of the work.
 */
export function computeAttainmentForPeriods(input: Omit<AttainmentInput, 'period'>, periods: readonly Period[]): Attainment[] {
  const prepared = prepareAttainment(input);
  return periods.flatMap((period) => attainmentForPeriod(prepared, period));
}

/** What does not depend on the period: deduplicated inputs, the history index, stage probabilities. */
interface PreparedAttainment {
  config: QuotaConfig;
  asOf: string;
  asOfDay: number;
  deals: PreparedDeal[];
  duplicateCount: number;
  history: HistoryIndex;
  owners: Owner[];
  quotas: Quota[];
  stageProbabilities: Map<string, StageProbability>;
}

function prepareAttainment(input: Omit<AttainmentInput, 'period'>): PreparedAttainment {
  const config = QuotaConfigSchema.parse(input.config ?? {});
  const { deals, duplicates } = prepareDeals(input.deals, config);
  const { index: history, duplicates: duplicateHistory } = indexHistory(input.history);
  const asOfDay = dayNumber(input.asOf);
  return {
    config,
    asOf: input.asOf,
    asOfDay,
    deals,
    duplicateCount: duplicates.length + duplicateHistory.length,
    history,
    owners: dedupeById(input.owners).unique,
    quotas: dedupeById(input.quotas).unique,
    stageProbabilities: learnStageProbabilities(deals, history, asOfDay + 1, config.stageProbabilityMinDeals),
  };
}

function attainmentForPeriod(prepared: PreparedAttainment, period: Period): Attainment[] {
  const { config, deals, history, owners, quotas, asOfDay } = prepared;
  // Only periods over by asOf teach the curve and the run-rate (matters when forecasting ahead).
  const seasonalPeriods = previousPeriods(period, config.seasonalHistoryPeriods, config).filter((p) => dayNumber(p.end) < asOfDay);
  const ctx: Context = {
    config,
    period,
    asOf: prepared.asOf,
    startDay: dayNumber(period.start),
    endDay: dayNumber(period.end),
    asOfDay,
    windowStartDay: asOfDay - config.winRateLookbackDays + 1,
    length: periodLengthDays(period),
    elapsed: elapsedDays(period, prepared.asOf),
    stageProbabilities: prepared.stageProbabilities,
    seasonality: learnSeasonality(deals, seasonalPeriods, config.seasonalMinPeriods),
    seasonalPeriodsTried: seasonalPeriods.length,
    runRatePeriods: runRatePeriods(deals, period, config.runRateLookbackPeriods, config).filter((p) => dayNumber(p.end) < asOfDay),
    history,
  };

  const ownerById = new Map(owners.map((o) => [o.id, o]));
  const ownerTallies = new Map(owners.map((o) => [o.id, new Tally(config.noteRecordLimit)]));
  const orgOnly = new Tally(config.noteRecordLimit);
  if (prepared.duplicateCount > 0) orgOnly.issues.add('duplicate_records', undefined, prepared.duplicateCount);
  const ownersWithDeals = new Set<string>();
  for (const prepared of deals) {
    const ownerId = prepared.deal.ownerId;
    const ownerTally = ownerId === null ? undefined : ownerTallies.get(ownerId);
    if (ownerTally && ownerId !== null) {
      ownersWithDeals.add(ownerId);
      tallyDeal(ownerTally, prepared, ctx);
    } else {
      orgOnly.issues.add(ownerId === null ? 'deals_without_owner' : 'unknown_owner', dealRef(prepared.deal));
      tallyDeal(orgOnly, prepared, ctx);
    }
  }
  const ownerKeys = new Set(owners.flatMap((o) => (o.email === null ? [o.id] : [o.id, o.email.toLowerCase()])));
  for (const entry of config.quotas) {
    if (!ownerKeys.has(entry.owner) && !ownerKeys.has(entry.owner.toLowerCase())) {
      orgOnly.issues.add('quota_table_unknown_owner', { type: 'quota', id: `config:${entry.owner}:${entry.period}` });
    }
  }

  const quotasByOwner = new Map<string, Quota[]>();
  for (const q of quotas) {
    const list = quotasByOwner.get(q.ownerId);
    if (list) list.push(q);
    else quotasByOwner.set(q.ownerId, [q]);
  }
  const configuredForPeriod = config.quotas.filter((entry) => entry.period === period.id);
  const resolvedQuotas = new Map(owners.map((o) => [o.id, resolveQuota(o, quotasByOwner.get(o.id) ?? [], configuredForPeriod, ctx)]));
  const reports = new Map<string, string[]>();
  for (const owner of owners) {
    if (owner.managerId === null || !ownerById.has(owner.managerId)) continue;
    const list = reports.get(owner.managerId) ?? [];
    list.push(owner.id);
    reports.set(owner.managerId, list);
  }
  const cycleCount = countManagerCycles(owners, ownerById);
  if (cycleCount > 0) orgOnly.issues.add('manager_cycle', undefined, cycleCount);

  const hasRow = (owner: Owner) =>
    !reports.has(owner.id) || ownersWithDeals.has(owner.id) || resolvedQuotas.get(owner.id)?.amount !== null;
  const rows: Attainment[] = [];
  for (const owner of owners) {
    if (!hasRow(owner)) continue;
    const resolved = resolvedQuotas.get(owner.id) ?? { amount: null, issues: new IssueTally(0) };
    rows.push(
      buildRow(
        {
          scope: 'owner',
          subjectId: owner.id,
          subjectName: owner.name,
          quota: resolved.amount,
          quotaNotes: quotaNote(owner.name, resolved.amount, period),
          quotaIssues: resolved.issues,
        },
        ownerTallies.get(owner.id) ?? new Tally(config.noteRecordLimit),
        ctx,
      ),
    );
  }

  const rollup = (members: readonly Owner[], base: Tally | null, scope: Attainment['scope'], subjectId: string, subjectName: string) => {
    const tally = new Tally(config.noteRecordLimit);
    const quotaIssues = new IssueTally(config.noteRecordLimit);
    if (base) tally.addAll(base);
    let quota: number | null = null;
    const withoutQuota: RecordRef[] = [];
    for (const member of members) {
      const memberTally = ownerTallies.get(member.id);
      if (memberTally) tally.addAll(memberTally);
      const resolved = resolvedQuotas.get(member.id);
      if (resolved) quotaIssues.addAll(resolved.issues);
      if (resolved?.amount !== null && resolved?.amount !== undefined) quota = (quota ?? 0) + resolved.amount;
      else if (hasRow(member)) withoutQuota.push({ type: 'owner', id: member.id, label: member.name });
    }
    const quotaNotes = quotaNote(subjectName, quota, period);
    if (quota !== null && withoutQuota.length > 0) {
      quotaNotes.push({
        code: 'members_without_quota',
        message: `${withoutQuota.length} of ${subjectName}'s members have no quota for ${period.id}; their won deals count, the quota is the others' sum`,
        count: withoutQuota.length,
        records: withoutQuota.slice(0, config.noteRecordLimit),
      });
    }
    return buildRow({ scope, subjectId, subjectName, quota, quotaNotes, quotaIssues }, tally, ctx);
  };

  for (const manager of owners) {
    if (!reports.has(manager.id)) continue;
    const members = teamOf(manager.id, reports).map((id) => ownerById.get(id)).filter((o): o is Owner => o !== undefined);
    rows.push(rollup(members, null, 'team', manager.id, `${manager.name} (team)`));
  }
  rows.push(rollup(owners, orgOnly, 'org', 'org', 'Organization'));
  return rows;
}

/** The manager and everyone under them, recursively; a manager loop cannot make it run forever. */
function teamOf(managerId: string, reports: ReadonlyMap<string, readonly string[]>): string[] {
  const seen = new Set<string>([managerId]);
  const queue = [managerId];
  for (let i = 0; i < queue.length; i++) {
    for (const report of reports.get(queue[i] ?? '') ?? []) {
      if (seen.has(report)) continue;
      seen.add(report);
      queue.push(report);
    }
  }
  return [...seen];
}

function countManagerCycles(owners: readonly Owner[], ownerById: ReadonlyMap<string, Owner>): number {
  let inCycle = 0;
  for (const owner of owners) {
    const seen = new Set<string>();
    let current: Owner | undefined = owner;
    while (current && current.managerId !== null && !seen.has(current.id)) {
      seen.add(current.id);
      current = ownerById.get(current.managerId);
      if (current?.id === owner.id) {
        inCycle += 1;
        break;
      }
    }
  }
  return inCycle;
}
