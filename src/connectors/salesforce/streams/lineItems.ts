/** OpportunityLineItem → LineItem. */
import { z } from 'zod';
import { recordId, type LineItem } from '../../../domain/model.js';
import { modstamp, sfBase, sfIdOrNull, sfNumber, sfString } from '../raw.js';
import { defineStream } from './spec.js';

export const LineItemRow = z.object({
  ...sfBase,
  OpportunityId: sfIdOrNull,
  Product2Id: sfIdOrNull,
  Name: sfString,
  Quantity: sfNumber.refine((v) => v !== null, 'Quantity is required'),
  UnitPrice: sfNumber,
  TotalPrice: sfNumber,
});
export type LineItemRow = z.infer<typeof LineItemRow>;

export function mapLineItem(row: LineItemRow): LineItem {
  return {
    id: recordId('salesforce', row.Id),
    source: 'salesforce',
    externalId: row.Id,
    updatedAt: modstamp(row),
    dealId: row.OpportunityId ? recordId('salesforce', row.OpportunityId) : null,
    productId: row.Product2Id ? recordId('salesforce', row.Product2Id) : null,
    name: row.Name ?? 'Opportunity product',
    quantity: row.Quantity as number,
    unitPrice: row.UnitPrice,
    amount: row.TotalPrice ?? (row.UnitPrice !== null ? row.UnitPrice * (row.Quantity as number) : null),
  };
}

export const lineItemsStream = defineStream({
  name: 'lineItems',
  sobject: 'OpportunityLineItem',
  kind: 'lineItem',
  bulk: true,
  fields: () => ['Id', 'SystemModstamp', 'OpportunityId', 'Product2Id', 'Name', 'Quantity', 'UnitPrice', 'TotalPrice'],
  raw: LineItemRow,
  map: (row) => [mapLineItem(row)],
});
