/** owners (`/crm/v3/owners/`) → Owner, with the primary team. Archived owners stay, inactive. */
import { recordId, type Owner } from '../../../domain/model.js';
import type { RawOwner } from '../raw.js';
import { MappingError } from '../values.js';

export function mapOwner(raw: RawOwner, archived: boolean): Owner {
  const updatedAt = raw.updatedAt ?? raw.createdAt;
  if (!updatedAt) throw new MappingError('owner has no updatedAt / createdAt');
  const team = raw.teams?.find((t) => t.primary) ?? raw.teams?.[0] ?? null;
  const name = [raw.firstName, raw.lastName].filter((v) => v && v.trim()).join(' ') || raw.email || `Owner ${raw.id}`;
  return {
    id: recordId('hubspot', raw.id),
    source: 'hubspot',
    externalId: raw.id,
    updatedAt,
    name,
    email: raw.email ?? null,
    managerId: null,
    teamId: team ? recordId('hubspot', `team-${team.id}`) : null,
    teamName: team?.name ?? null,
    active: !archived && raw.archived !== true,
  };
}
