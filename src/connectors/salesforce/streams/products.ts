/** Product2 (+ its price book entries, as a child subquery: no extra calls) → Product. */
import { z } from 'zod';
import { recordId, type Product } from '../../../domain/model.js';
import { modstamp, sfBase, sfBoolean, sfChildren, sfNumber, sfString } from '../raw.js';
import { defineStream } from './spec.js';

export const ProductRow = z.object({
  ...sfBase,
  Name: z.string().min(1),
  ProductCode: sfString,
  Family: sfString,
  IsActive: sfBoolean,
  PricebookEntries: sfChildren(z.object({ UnitPrice: sfNumber, IsActive: sfBoolean }).passthrough()).optional(),
});
export type ProductRow = z.infer<typeof ProductRow>;

export function mapProduct(row: ProductRow): Product {
  const entries = row.PricebookEntries?.records ?? [];
  const price = (entries.find((e) => e.IsActive !== false) ?? entries[0])?.UnitPrice ?? null;
  return {
    id: recordId('salesforce', row.Id),
    source: 'salesforce',
    externalId: row.Id,
    updatedAt: modstamp(row),
    name: row.Name,
    sku: row.ProductCode,
    family: row.Family ?? row.Name,
    price,
    active: row.IsActive ?? true,
  };
}

export const productsStream = defineStream({
  name: 'products',
  sobject: 'Product2',
  kind: 'product',
  // child subquery: REST only (Bulk 2.0 has no parent-to-child subqueries); catalogs are small
  bulk: false,
  fields: () => ['Id', 'SystemModstamp', 'Name', 'ProductCode', 'Family', 'IsActive', '(SELECT UnitPrice, IsActive FROM PricebookEntries)'],
  raw: ProductRow,
  map: (row) => [mapProduct(row)],
});
