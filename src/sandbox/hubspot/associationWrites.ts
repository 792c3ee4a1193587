/**
 * Validating and applying association writes given as type ids: inline on record create
 * (`associations: [{to:{id}, types:[...]}]`) and through the v4 endpoints.
 */
import { z } from 'zod';
import { associationTypeById, pairTypes } from './associations.js';
import { validationError } from './errors.js';
import { findObjectType, type ObjectTypeDef } from './objectTypes.js';
import type { HubSpotPortal } from './portal.js';

export const AssociationSpecSchema = z.object({
  associationCategory: z.enum(['HUBSPOT_DEFINED', 'USER_DEFINED', 'INTEGRATOR_DEFINED']),
  associationTypeId: z.number().int(),
});
export type AssociationSpec = z.infer<typeof AssociationSpecSchema>;

export const IdSchema = z.union([z.string().min(1), z.number().int()]).transform(String);

export const InlineAssociationSchema = z.object({
  to: z.object({ id: IdSchema }),
  types: z.array(AssociationSpecSchema).min(1),
});
export type InlineAssociation = z.infer<typeof InlineAssociationSchema>;

export interface PlannedLink {
  to: ObjectTypeDef;
  toId: string;
  primary: boolean;
  labelTypeIds: number[];
}

/** Checks type ids and targets of inline associations before anything is written. */
export function planInlineAssociations(portal: HubSpotPortal, from: ObjectTypeDef, inputs: InlineAssociation[]): PlannedLink[] {
  const links: PlannedLink[] = [];
  for (const input of inputs) {
    for (const spec of input.types) {
      const info = associationTypeById(spec.associationTypeId);
      if (spec.associationCategory !== 'HUBSPOT_DEFINED' || !info || info.from !== from.name) {
        throw validationError(`${spec.associationCategory} association type ${spec.associationTypeId} is not valid from ${from.name}; use a HUBSPOT_DEFINED type id from ${from.singular} (see GET /crm/v4/associations/{from}/{to}/labels).`);
      }
      const to = findObjectType(info.to)!;
      if (!portal.find(to, input.to.id)) {
        throw validationError(`Cannot associate ${from.singular} with ${to.singular} ${input.to.id}: no such ${to.singular}.`, { context: { id: [input.to.id] } });
      }
      links.push({ to, toId: input.to.id, primary: info.primary, labelTypeIds: [] });
    }
  }
  return links;
}

export function applyLinks(portal: HubSpotPortal, from: ObjectTypeDef, fromId: string, links: PlannedLink[]): number {
  let changed = 0;
  for (const l of links) {
    if (portal.associations.add(from.name, fromId, l.to.name, l.toId, { primary: l.primary, labelTypeIds: l.labelTypeIds })) changed += 1;
  }
  return changed;
}

/**
 * Turns v4 association specs between two types into a link: HUBSPOT_DEFINED ids must belong to the
 * pair; USER_DEFINED ids are kept as labels. Throws 400 otherwise.
 */
export function linkFromSpecs(from: ObjectTypeDef, to: ObjectTypeDef, toId: string, specs: AssociationSpec[]): PlannedLink {
  const pt = pairTypes(from.name, to.name);
  if (!pt) throw validationError(`${from.name} cannot be associated with ${to.name} in this sandbox.`);
  const link: PlannedLink = { to, toId, primary: false, labelTypeIds: [] };
  for (const spec of specs) {
    if (spec.associationCategory === 'HUBSPOT_DEFINED') {
      if (spec.associationTypeId === pt.primary?.typeId) link.primary = true;
      else if (spec.associationTypeId !== pt.unlabeled.typeId) {
        throw validationError(`HUBSPOT_DEFINED association type ${spec.associationTypeId} does not exist between ${from.name} and ${to.name} (valid: ${[pt.unlabeled.typeId, pt.primary?.typeId].filter(Boolean).join(', ')}).`);
      }
    } else {
      link.labelTypeIds.push(spec.associationTypeId);
    }
  }
  return link;
}
