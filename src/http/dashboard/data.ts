/**
 * What the dashboard shows, read from the store with bounded memory: every attainment row of the
 * period (one per rep and team), band counts over all accounts but only the top N risky accounts,
 * cross-sell opportunities and open alerts.
 */
import type { Alert, Attainment, ChurnRisk, CrossSellOpportunity, Period } from '../../domain/insights.js';
import type { AppContext } from '../../jobs/context.js';
import { attainmentFor } from '../api/attainment.js';
import { topReasons } from '../api/accounts.js';

export interface RiskyAccount {
  id: string;
  name: string;
  link: string | null;
  ownerName: string | null;
  score: number;
  band: ChurnRisk['band'];
  previous: number | null;
  reasons: string[];
}

export interface CrossSellRow extends CrossSellOpportunity {
  accountName: string;
  link: string | null;
}

export interface DashboardData {
  period: Period;
  org: Attainment | null;
  teams: Attainment[];
  /** owners with a quota or deals in the period */
  reps: Attainment[];
  /** owners with neither (managers, integration users, people who left): not charted */
  repsWithoutQuotaOrDeals: number;
  bands: Record<ChurnRisk['band'], number>;
  risky: RiskyAccount[];
  crossSell: CrossSellRow[];
  alerts: Alert[];
  openAlerts: number;
}

/** A rep row worth a bar: a quota this period, or deals won or open in it. */
function isRep(row: Attainment): boolean {
  return (row.quota ?? 0) > 0 || row.closedWon > 0 || row.rollups.openPipeline > 0;
}

export interface DashboardLimits {
  riskyAccounts: number;
  crossSell: number;
  alerts: number;
}

export const defaultLimits: DashboardLimits = { riskyAccounts: 25, crossSell: 15, alerts: 20 };

/** Keeps the `n` largest items seen (by `score`), without holding everything. */
class TopN<T> {
  private items: T[] = [];
  constructor(
    private readonly n: number,
    private readonly score: (item: T) => number,
  ) {}
  add(item: T): void {
    this.items.push(item);
    if (this.items.length > this.n * 4) this.trim();
  }
  result(): T[] {
    this.trim();
    return this.items;
  }
  private trim(): void {
    this.items = this.items.sort((a, b) => this.score(b) - this.score(a)).slice(0, this.n);
  }
}

const severityRank = { critical: 0, warning: 1, info: 2 } as const;

export async function loadDashboard(ctx: AppContext, options: { periodId?: string; limits?: DashboardLimits } = {}): Promise<DashboardData> {
  const limits = options.limits ?? defaultLimits;
  const { period, rows } = await attainmentFor(ctx, options.periodId);

  const bands = { green: 0, amber: 0, red: 0 };
  // red before amber, then by score
  const topRisk = new TopN<ChurnRisk>(limits.riskyAccounts, (r) => (r.band === 'red' ? 1000 : r.band === 'amber' ? 500 : 0) + r.score);
  for await (const page of ctx.store.insights.allChurn()) {
    for (const r of page) {
      bands[r.band] += 1;
      if (r.band !== 'green') topRisk.add(r);
    }
  }
  const risks = topRisk.result();

  const topCrossSell = new TopN<CrossSellOpportunity>(limits.crossSell, (o) => o.score);
  let cursor = '0';
  do {
    // the store has no scan for this hash; read it page by page like its other scans
    const [next, flat] = await ctx.redis.hscan(ctx.store.keys.crossSell(), cursor, 'COUNT', 1000);
    cursor = next;
    for (let i = 1; i < flat.length; i += 2) for (const o of JSON.parse(flat[i] as string) as CrossSellOpportunity[]) topCrossSell.add(o);
  } while (cursor !== '0');
  const opportunities = topCrossSell.result();

  const accountIds = [...new Set([...risks.map((r) => r.accountId), ...opportunities.map((o) => o.accountId)])];
  const accounts = new Map((await ctx.store.records.getMany('account', accountIds)).map((a) => [a.id, a]));
  const ownerIds = [...new Set([...accounts.values()].map((a) => a.ownerId).filter((id): id is string => !!id))];
  const owners = new Map((await ctx.store.records.getMany('owner', ownerIds)).map((o) => [o.id, o]));

  const open = await ctx.store.alerts.open();
  const alerts = [...open].sort((a, b) => severityRank[a.severity] - severityRank[b.severity] || b.updatedAt.localeCompare(a.updatedAt)).slice(0, limits.alerts);

  return {
    period,
    org: rows.find((r) => r.scope === 'org') ?? null,
    teams: rows.filter((r) => r.scope === 'team'),
    reps: rows.filter((r) => r.scope === 'owner' && isRep(r)),
    repsWithoutQuotaOrDeals: rows.filter((r) => r.scope === 'owner' && !isRep(r)).length,
    bands,
    risky: risks.map((r) => {
      const account = accounts.get(r.accountId);
      const owner = account?.ownerId ? owners.get(account.ownerId) : undefined;
      return { id: r.accountId, name: account?.name ?? r.accountId, link: ctx.recordLink({ type: 'account', id: r.accountId }), ownerName: owner?.name ?? null, score: r.score, band: r.band, previous: r.previous, reasons: topReasons(r) };
    }),
    crossSell: opportunities.map((o) => ({ ...o, accountName: accounts.get(o.accountId)?.name ?? o.accountId, link: ctx.recordLink({ type: 'account', id: o.accountId }) })),
    alerts,
    openAlerts: open.length,
  };
}
