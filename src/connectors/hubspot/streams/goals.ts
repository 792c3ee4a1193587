/**
 * goal_targets → Quota. Goals are time-sliced (one record per user per period) and name the
 * assignee by user id, so the owners list (read first) maps user id → owner id.
 */
import { recordId, type Quota } from '../../../domain/model.js';
import type { ObjectStreamSpec } from './spec.js';
import { date, modifiedAt, num, text } from '../values.js';
import { MappingError } from '../values.js';

export const goalsStream: ObjectStreamSpec = {
  name: 'goal_targets',
  objectType: 'goal_targets',
  kind: 'quota',
  modifiedProperty: 'hs_lastmodifieddate',
  scope: 'crm.objects.goals.read',
  associations: [],
  needs: ['owners'],
  properties: () => ['hs_goal_name', 'hs_target_amount', 'hs_start_datetime', 'hs_end_datetime', 'hs_assignee_user_id', 'hubspot_owner_id', 'hs_goal_type', 'hs_lastmodifieddate'],
  map: (raw, ctx) => {
    const p = raw.properties;
    const userId = text(p, 'hs_assignee_user_id');
    const owner = text(p, 'hubspot_owner_id') ?? (userId ? ctx.ownerIdByUserId.get(userId) : undefined) ?? null;
    if (!owner) throw new MappingError(`goal has no owner (hubspot_owner_id empty, assignee user ${userId ?? 'none'} is not an owner)`);
    const periodStart = date(p, 'hs_start_datetime');
    const periodEnd = date(p, 'hs_end_datetime');
    if (!periodStart || !periodEnd) throw new MappingError('goal has no hs_start_datetime / hs_end_datetime');
    const amount = num(p, 'hs_target_amount');
    if (amount === null) throw new MappingError('goal has no hs_target_amount');
    const quota: Quota = {
      id: recordId('hubspot', raw.id),
      source: 'hubspot',
      externalId: raw.id,
      updatedAt: modifiedAt(raw, 'hs_lastmodifieddate'),
      ownerId: recordId('hubspot', owner),
      periodStart,
      periodEnd,
      amount,
      currency: null,
    };
    return [{ kind: 'quota', record: quota }];
  },
};
