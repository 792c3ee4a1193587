/**
 * Accounts with their churn risk, drivers, history and cross-sell opportunities. Listing walks
 * account ids in sorted order with an opaque cursor (the last id returned), so every account is
 * seen exactly once however the filters cut, and memory is bounded by the page.
 */
import { z } from 'zod';
import { RiskBand, type ChurnRisk } from '../../domain/insights.js';
import type { Account, Owner } from '../../domain/model.js';
import type { AppContext } from '../../jobs/context.js';
import { HttpProblem } from '../problem.js';
import { defineRoute } from '../route.js';
import { AccountDetail, AccountPage, type AccountSummary } from './schemas.js';

const CHUNK = 500;

/** The cursor is base64url JSON `{ after: <account id> }`; clients treat it as opaque. */
export function encodeCursor(afterId: string): string {
  return Buffer.from(JSON.stringify({ after: afterId })).toString('base64url');
}

const Cursor = z.string().max(2000).transform((value, ctx) => {
  try {
    const decoded = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as unknown;
    const parsed = z.object({ after: z.string().min(1) }).safeParse(decoded);
    if (parsed.success) return parsed.data.after;
  } catch {
    // falls through to the issue below
  }
  ctx.addIssue({ code: 'custom', message: 'not a cursor this API returned; pass nextCursor from the previous page' });
  return z.NEVER;
});

export const AccountListQuery = z.object({
  band: RiskBand.optional(),
  owner: z.string().min(1).optional().describe('owner id, e.g. salesforce:005…'),
  team: z.string().min(1).optional().describe("team id, or a manager's owner id (their direct reports)"),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: Cursor.optional(),
});

export function ownerSummary(owner: Owner | undefined) {
  return owner ? { id: owner.id, name: owner.name, teamId: owner.teamId, teamName: owner.teamName } : null;
}

/** Driver texts by contribution, largest first. */
export function topReasons(risk: ChurnRisk, n = 3): string[] {
  return [...risk.drivers].sort((a, b) => b.points - a.points).filter((d) => d.points > 0).slice(0, n).map((d) => d.text);
}

async function teamOwnerIds(ctx: AppContext, team: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of ctx.store.records.scan('owner')) for (const o of page) if (o.teamId === team || o.managerId === team || o.id === team) ids.push(o.id);
  return ids;
}

async function candidateIds(ctx: AppContext, owner: string | undefined, team: string | undefined): Promise<string[]> {
  let ids: string[] | null = null;
  if (owner) ids = await ctx.store.records.idsBy('account', 'ownerId', owner);
  if (team) {
    const byOwner = await ctx.store.records.idsByMany('account', 'ownerId', await teamOwnerIds(ctx, team));
    const inTeam = new Set([...byOwner.values()].flat());
    ids = ids ? ids.filter((id) => inTeam.has(id)) : [...inTeam];
  }
  return ids ?? (await ctx.store.records.allIds('account'));
}

export async function summarize(ctx: AppContext, accounts: readonly Account[], churn: Map<string, ChurnRisk>): Promise<AccountSummary[]> {
  const ownerIds = [...new Set(accounts.map((a) => a.ownerId).filter((id): id is string => !!id))];
  const owners = new Map((await ctx.store.records.getMany('owner', ownerIds)).map((o) => [o.id, o]));
  const crossSell = await ctx.store.insights.crossSell(accounts.map((a) => a.id));
  return accounts.map((a) => {
    const risk = churn.get(a.id);
    return {
      id: a.id,
      name: a.name,
      source: a.source,
      externalId: a.externalId,
      link: ctx.recordLink({ type: 'account', id: a.id }),
      owner: ownerSummary(a.ownerId ? owners.get(a.ownerId) : undefined),
      renewalDate: a.renewalDate,
      churn: risk ? { score: risk.score, band: risk.band, previous: risk.previous, trend: risk.trend, topReasons: topReasons(risk), scoredAt: risk.scoredAt } : null,
      crossSellCount: crossSell.get(a.id)?.length ?? 0,
    };
  });
}

export const listAccounts = defineRoute({
  method: 'get',
  path: '/accounts',
  operationId: 'listAccounts',
  summary: 'Accounts with their churn risk (filter by band, owner, team; paginated by cursor, in id order)',
  tag: 'accounts',
  query: AccountListQuery,
  response: { status: 200, description: 'A page of accounts', schema: AccountPage },
  problems: [400],
  async handle({ ctx, query }) {
    const ids = (await candidateIds(ctx, query.owner, query.team)).sort();
    let start = 0;
    if (query.cursor !== undefined) {
      const after = query.cursor;
      start = ids.findIndex((id) => id > after);
      if (start < 0) start = ids.length;
    }
    const picked: Account[] = [];
    const churn = new Map<string, ChurnRisk>();
    let hasMore = false;
    for (let i = start; i < ids.length && !hasMore; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      const risks = await ctx.store.insights.churn(chunk);
      const matching = query.band ? chunk.filter((id) => risks.get(id)?.band === query.band) : chunk;
      const accounts = new Map((await ctx.store.records.getMany('account', matching)).map((a) => [a.id, a]));
      for (const id of matching) {
        const account = accounts.get(id);
        if (!account) continue;
        if (picked.length === query.limit) {
          hasMore = true;
          break;
        }
        picked.push(account);
        const risk = risks.get(id);
        if (risk) churn.set(id, risk);
      }
    }
    const last = picked.at(-1);
    return { items: await summarize(ctx, picked, churn), nextCursor: hasMore && last ? encodeCursor(last.id) : null };
  },
});

export const getAccount = defineRoute({
  method: 'get',
  path: '/accounts/:id',
  operationId: 'getAccount',
  summary: 'One account: record, churn risk with drivers, score history and cross-sell opportunities',
  tag: 'accounts',
  params: z.object({ id: z.string().min(3).max(300).describe('our account id, e.g. hubspot:123') }),
  response: { status: 200, description: 'The account', schema: AccountDetail },
  problems: [400, 404],
  async handle({ ctx, params }) {
    const account = await ctx.store.records.get('account', params.id);
    if (!account) throw new HttpProblem(404, `no account ${params.id}; ids look like hubspot:<companyId> or salesforce:<AccountId> (list them with GET /api/v1/accounts)`);
    const [churn, history, crossSell, owner] = await Promise.all([
      ctx.store.insights.churn([account.id]),
      ctx.store.insights.churnHistory(account.id),
      ctx.store.insights.crossSell([account.id]),
      account.ownerId ? ctx.store.records.get('owner', account.ownerId) : Promise.resolve(undefined),
    ]);
    return {
      account,
      link: ctx.recordLink({ type: 'account', id: account.id }),
      owner: ownerSummary(owner),
      churn: churn.get(account.id) ?? null,
      history,
      crossSell: crossSell.get(account.id) ?? [],
    };
  },
});
