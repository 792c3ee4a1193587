/**
 * The HubSpot object types the sandbox serves, addressable by name ("deals") or type id ("0-3").
 * Default properties are what a read returns when the caller names none.
 */
export interface ObjectTypeDef {
  /** path segment and inline-association key, e.g. "line_items" */
  name: string;
  /** e.g. "0-8" */
  typeId: string;
  /** singular used in association type names ("deal_to_company") and error messages */
  singular: string;
  /** key used for this type in inline `associations` of a read ("line items" has a space) */
  inlineKey: string;
  defaultProperties: string[];
  /** contacts use `lastmodifieddate`; every other type `hs_lastmodifieddate` */
  lastModifiedProperty: string;
  /** properties matched by the search `query` text */
  queryProperties: string[];
}

function def(
  name: string,
  typeId: string,
  singular: string,
  defaultProperties: string[],
  queryProperties: string[] = defaultProperties,
): ObjectTypeDef {
  return {
    name,
    typeId,
    singular,
    inlineKey: name === 'line_items' ? 'line items' : name,
    defaultProperties,
    lastModifiedProperty: name === 'contacts' ? 'lastmodifieddate' : 'hs_lastmodifieddate',
    queryProperties,
  };
}

export const objectTypes: readonly ObjectTypeDef[] = [
  def('contacts', '0-1', 'contact', ['firstname', 'lastname', 'email']),
  def('companies', '0-2', 'company', ['name', 'domain']),
  def('deals', '0-3', 'deal', ['dealname', 'amount', 'closedate', 'pipeline', 'dealstage'], ['dealname']),
  def('tickets', '0-5', 'ticket', [], ['subject', 'content']),
  def('products', '0-7', 'product', ['name', 'description', 'price']),
  def('line_items', '0-8', 'line_item', [], ['name']),
  def('tasks', '0-27', 'task', [], ['hs_task_subject', 'hs_task_body']),
  def('notes', '0-46', 'note', [], ['hs_note_body']),
  def('meetings', '0-47', 'meeting', [], ['hs_meeting_title', 'hs_meeting_body']),
  def('calls', '0-48', 'call', [], ['hs_call_title', 'hs_call_body']),
  def('emails', '0-49', 'email', [], ['hs_email_subject', 'hs_email_text']),
  def('goal_targets', '0-74', 'goal_target', [], ['hs_goal_name']),
];

const byNameOrId = new Map<string, ObjectTypeDef>();
for (const t of objectTypes) {
  byNameOrId.set(t.name, t);
  byNameOrId.set(t.typeId, t);
  byNameOrId.set(t.singular, t);
}
// Aliases HubSpot also accepts in paths.
byNameOrId.set('line_item', byNameOrId.get('line_items')!);
byNameOrId.set('goals', byNameOrId.get('goal_targets')!);

/** The type for a path segment ("deals", "deal", "0-3"), or undefined when HubSpot would not know it. */
export function findObjectType(segment: string): ObjectTypeDef | undefined {
  return byNameOrId.get(segment.toLowerCase());
}

/** Properties every record carries, computed from the record rather than stored. */
export const systemProperties = ['hs_object_id', 'createdate'] as const;
