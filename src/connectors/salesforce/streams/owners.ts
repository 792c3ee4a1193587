/** User → Owner, with the manager and role (teams) the attainment roll-ups need. */
import { z } from 'zod';
import { recordId, type Owner } from '../../../domain/model.js';
import { modstamp, sfBase, sfBoolean, sfIdOrNull, sfParent, sfString } from '../raw.js';
import { defineStream } from './spec.js';

export const UserRow = z.object({
  ...sfBase,
  Name: z.string().min(1),
  Email: sfString,
  IsActive: sfBoolean,
  ManagerId: sfIdOrNull,
  UserRoleId: sfIdOrNull,
  UserRole: sfParent({ Name: sfString }),
});
export type UserRow = z.infer<typeof UserRow>;

export function mapUser(row: UserRow): Owner {
  return {
    id: recordId('salesforce', row.Id),
    source: 'salesforce',
    externalId: row.Id,
    updatedAt: modstamp(row),
    name: row.Name,
    email: row.Email,
    managerId: row.ManagerId ? recordId('salesforce', row.ManagerId) : null,
    teamId: row.UserRoleId ? recordId('salesforce', row.UserRoleId) : null,
    teamName: row.UserRole?.Name ?? null,
    active: row.IsActive ?? true,
  };
}

export const ownersStream = defineStream({
  name: 'owners',
  sobject: 'User',
  kind: 'owner',
  bulk: true,
  // Users are deactivated (IsActive = false, mapped to active: false), never deleted; User has no IsDeleted.
  deletions: false,
  fields: () => ['Id', 'SystemModstamp', 'Name', 'Email', 'IsActive', 'ManagerId', 'UserRoleId', 'UserRole.Name'],
  raw: UserRow,
  map: (row) => [mapUser(row)],
});
