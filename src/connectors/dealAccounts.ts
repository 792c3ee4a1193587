/**
 * A line item carries its deal, not its account: when line items change (a product added to or
 * removed from a deal), the deal's account is what to rescore (cross-sell ownership, deal value).
 */
import type { AnyRecord } from '../domain/model.js';
import type { Store } from '../store/index.js';

export async function accountsOfChangedLineItems(store: Store, changed: readonly AnyRecord[]): Promise<string[]> {
  const dealIds = [...new Set(changed.map((r) => (r as { dealId?: unknown }).dealId).filter((d): d is string => typeof d === 'string' && d.length > 0))];
  if (dealIds.length === 0) return [];
  const deals = await store.records.getMany('deal', dealIds);
  return [...new Set(deals.map((d) => d.accountId).filter((a): a is string => !!a))];
}
