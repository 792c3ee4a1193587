/** products → Product, and line_items → LineItem (deal from the inline association, product from hs_product_id). */
import { recordId, type LineItem, type Product } from '../../../domain/model.js';
import type { ObjectStreamSpec } from './spec.js';
import { associatedIds, modifiedAt, num, text } from '../values.js';

export const productsStream: ObjectStreamSpec = {
  name: 'products',
  objectType: 'products',
  kind: 'product',
  modifiedProperty: 'hs_lastmodifieddate',
  scope: 'e-commerce',
  associations: [],
  properties: () => ['name', 'hs_sku', 'price', 'product_family', 'hs_product_type', 'hs_lastmodifieddate'],
  map: (raw) => {
    const p = raw.properties;
    const product: Product = {
      id: recordId('hubspot', raw.id),
      source: 'hubspot',
      externalId: raw.id,
      updatedAt: modifiedAt(raw, 'hs_lastmodifieddate'),
      name: text(p, 'name') ?? `Product ${raw.id}`,
      sku: text(p, 'hs_sku'),
      family: text(p, 'product_family'),
      price: num(p, 'price'),
      // archived products are deletions; a listed product is sellable
      active: raw.archived !== true,
    };
    return [{ kind: 'product', record: product }];
  },
};

export const lineItemsStream: ObjectStreamSpec = {
  name: 'line_items',
  objectType: 'line_items',
  kind: 'lineItem',
  modifiedProperty: 'hs_lastmodifieddate',
  scope: 'e-commerce',
  associations: ['deals'],
  properties: () => ['name', 'quantity', 'price', 'amount', 'hs_product_id', 'hs_lastmodifieddate'],
  map: (raw) => {
    const p = raw.properties;
    const deal = associatedIds(raw, 'deals')[0];
    const product = text(p, 'hs_product_id');
    const quantity = num(p, 'quantity') ?? 1;
    const unitPrice = num(p, 'price');
    const lineItem: LineItem = {
      id: recordId('hubspot', raw.id),
      source: 'hubspot',
      externalId: raw.id,
      updatedAt: modifiedAt(raw, 'hs_lastmodifieddate'),
      dealId: deal ? recordId('hubspot', deal) : null,
      productId: product ? recordId('hubspot', product) : null,
      name: text(p, 'name') ?? `Line item ${raw.id}`,
      quantity,
      unitPrice,
      amount: num(p, 'amount') ?? (unitPrice === null ? null : unitPrice * quantity),
    };
    return [{ kind: 'lineItem', record: lineItem }];
  },
};
