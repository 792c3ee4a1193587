/**
 * Route keys for call accounting: "METHOD /path" with object types canonicalised to their names
 * ("0-3" → "deals"), record ids replaced by {id} ({toId} for association targets, {name} for
 * properties and groups, {pipelineId}/{stageId}, {ownerId}), and no trailing slash.
 *   GET /crm/v3/objects/companies          PATCH /crm/v3/objects/companies/{id}
 *   POST /crm/v3/objects/companies/batch/update    POST /crm/v3/objects/companies/merge
 *   POST /crm/v4/associations/deals/companies/batch/read
 */
import { findObjectType } from './objectTypes.js';

function typeName(segment: string | undefined): string | undefined {
  if (segment === undefined) return undefined;
  return findObjectType(segment)?.name ?? segment;
}

export function routeKey(method: string, path: string): string {
  const s = path.split('/').filter(Boolean);
  const out = [...s];
  const at = (i: number, v: string | undefined): void => {
    if (v !== undefined && i < out.length) out[i] = v;
  };
  const [root, version, area] = s;
  if (root === 'crm' && version === 'v3' && area === 'objects') {
    at(3, typeName(s[3]));
    if (s[4] !== undefined && s[4] !== 'batch' && s[4] !== 'search' && s[4] !== 'merge') at(4, '{id}');
  } else if (root === 'crm' && version === 'v4' && area === 'objects') {
    at(3, typeName(s[3]));
    at(4, '{id}');
    if (s[6] === 'default') {
      at(7, typeName(s[7]));
      at(8, '{toId}');
    } else {
      at(6, typeName(s[6]));
      at(7, '{toId}');
    }
  } else if (root === 'crm' && version === 'v4' && area === 'associations') {
    at(3, typeName(s[3]));
    at(4, typeName(s[4]));
  } else if (root === 'crm' && version === 'v3' && area === 'properties') {
    at(3, typeName(s[3]));
    if (s[4] === 'groups') at(5, '{name}');
    else if (s[4] !== undefined && s[4] !== 'batch') at(4, '{name}');
  } else if (root === 'crm' && version === 'v3' && area === 'pipelines') {
    at(3, typeName(s[3]));
    at(4, '{pipelineId}');
    at(6, '{stageId}');
  } else if (root === 'crm' && version === 'v3' && area === 'owners') {
    at(3, '{ownerId}');
  }
  return `${method.toUpperCase()} /${out.join('/')}`;
}

/** Search endpoints have their own per-second limit and no rate-limit headers. */
export function isSearchPath(path: string): boolean {
  return /^\/crm\/v3\/objects\/[^/]+\/search\/?$/.test(path);
}
