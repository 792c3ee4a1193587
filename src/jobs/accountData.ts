/**
 * Reads what scoring needs about a batch of unified accounts, in bulk: member records, contacts,
 * deals, tickets, folded activity, usage and the previous risk. A unified account (one company in
 * both CRMs) gets its members' data combined; the first member's record stands for the account.
 */
import { mergeAggregates } from '../domain/activity.js';
import type { Account, Contact, Deal, Ticket, UsageMetric } from '../domain/model.js';
import type { ChurnInput } from '../domain/churnSignals.js';
import type { Store } from '../store/index.js';

export interface ScoringUnit {
  id: string;
  members: Account[];
  input: ChurnInput;
}

function combineAccount(id: string, members: Account[]): Account {
  const first = members[0] as Account;
  if (members.length === 1) return first;
  const renewals = members.map((m) => m.renewalDate).filter((d): d is string => !!d).sort();
  const churned = members.some((m) => m.churned === true) ? true : members.every((m) => m.churned === false) ? false : null;
  return { ...first, id, renewalDate: renewals[0] ?? null, churned, fields: Object.assign({}, ...members.slice().reverse().map((m) => m.fields)) };
}

export async function loadScoringUnits(store: Store, unifiedIds: readonly string[]): Promise<ScoringUnit[]> {
  const groups = await store.unified.membersOf(unifiedIds);
  const memberIds = [...new Set([...groups.values()].flat())];
  const [accounts, contactIds, dealIds, ticketIds, aggs, usage] = await Promise.all([
    store.records.getMany('account', memberIds),
    store.records.idsByMany('contact', 'accountId', memberIds),
    store.records.idsByMany('deal', 'accountId', memberIds),
    store.records.idsByMany('ticket', 'accountId', memberIds),
    store.activities.aggregates(memberIds),
    store.usage.forAccounts(memberIds),
  ]);
  const flat = (m: Map<string, string[]>) => [...new Set([...m.values()].flat())];
  const [contacts, deals, tickets] = await Promise.all([store.records.getMany('contact', flat(contactIds)), store.records.getMany('deal', flat(dealIds)), store.records.getMany('ticket', flat(ticketIds))]);

  const accountById = new Map(accounts.map((a) => [a.id, a]));
  const byAccount = <T extends { accountId: string | null }>(list: T[]) => {
    const m = new Map<string, T[]>();
    for (const r of list) if (r.accountId) (m.get(r.accountId) ?? m.set(r.accountId, []).get(r.accountId))?.push(r);
    return m;
  };
  const contactsBy = byAccount<Contact>(contacts);
  const dealsBy = byAccount<Deal>(deals);
  const ticketsBy = byAccount<Ticket>(tickets);

  const units: ScoringUnit[] = [];
  for (const id of unifiedIds) {
    const members = (groups.get(id) ?? [id]).map((m) => accountById.get(m)).filter((a): a is Account => !!a);
    if (members.length === 0) continue; // deleted since the plan: nothing to score
    const ids = members.map((m) => m.id);
    units.push({
      id,
      members,
      input: {
        account: combineAccount(id, members),
        contacts: ids.flatMap((m) => contactsBy.get(m) ?? []),
        deals: ids.flatMap((m) => dealsBy.get(m) ?? []),
        tickets: ids.flatMap((m) => ticketsBy.get(m) ?? []),
        activity: mergeAggregates(id, ids.map((m) => aggs.get(m)).filter((a) => !!a) as NonNullable<ReturnType<typeof aggs.get>>[]),
        usage: ids.flatMap((m) => usage.get(m) ?? []) as UsageMetric[],
      },
    });
  }
  return units;
}
