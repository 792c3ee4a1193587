/**
 * The HubSpot-defined properties the sandbox knows per object type, plus the custom properties the
 * seed loader creates. Compact rows: [name, type, fieldType, groupName?, options?].
 * Writes to names outside the registry get HubSpot's PROPERTY_DOESNT_EXIST 400.
 */
export type PropertyType = 'string' | 'number' | 'date' | 'datetime' | 'enumeration' | 'bool' | 'phone_number';
export type CatalogRow = [name: string, type: PropertyType, fieldType: string, group?: string, options?: string[]];

const owner: CatalogRow = ['hubspot_owner_id', 'enumeration', 'select'];
const timestamp: CatalogRow = ['hs_timestamp', 'datetime', 'date'];
const engagementCommon: CatalogRow[] = [owner, timestamp, ['hs_activity_type', 'enumeration', 'select']];

export const defaultGroups: Record<string, { name: string; label: string }[]> = {
  contacts: [{ name: 'contactinformation', label: 'Contact information' }],
  companies: [{ name: 'companyinformation', label: 'Company information' }],
  deals: [{ name: 'dealinformation', label: 'Deal information' }],
  tickets: [{ name: 'ticketinformation', label: 'Ticket information' }],
  products: [{ name: 'productinformation', label: 'Product information' }],
  line_items: [{ name: 'lineiteminformation', label: 'Line item information' }],
  tasks: [{ name: 'taskinformation', label: 'Task information' }],
  notes: [{ name: 'noteinformation', label: 'Note information' }],
  meetings: [{ name: 'meetinginformation', label: 'Meeting information' }],
  calls: [{ name: 'callinformation', label: 'Call information' }],
  emails: [{ name: 'emailinformation', label: 'Email information' }],
  goal_targets: [{ name: 'goalinformation', label: 'Goal information' }],
};

export const propertyCatalog: Record<string, CatalogRow[]> = {
  contacts: [
    ['firstname', 'string', 'text'], ['lastname', 'string', 'text'], ['email', 'string', 'text'],
    ['jobtitle', 'string', 'text'], ['phone', 'string', 'phonenumber'], ['company', 'string', 'text'],
    ['associatedcompanyid', 'number', 'number'], ['lifecyclestage', 'enumeration', 'radio', undefined,
      ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'evangelist', 'other']],
    ['hs_lead_status', 'enumeration', 'radio', undefined, ['NEW', 'OPEN', 'IN_PROGRESS', 'OPEN_DEAL', 'UNQUALIFIED', 'ATTEMPTED_TO_CONTACT', 'CONNECTED', 'BAD_TIMING']],
    owner,
  ],
  companies: [
    ['name', 'string', 'text'], ['domain', 'string', 'text'], ['industry', 'string', 'text'],
    ['numberofemployees', 'number', 'number'], ['annualrevenue', 'number', 'number'], ['city', 'string', 'text'],
    ['country', 'string', 'text'], ['phone', 'string', 'phonenumber'], ['description', 'string', 'textarea'],
    ['lifecyclestage', 'enumeration', 'radio', undefined, ['lead', 'opportunity', 'customer', 'other']],
    ['hs_parent_company_id', 'number', 'number'], owner,
  ],
  deals: [
    ['dealname', 'string', 'text'], ['amount', 'number', 'number'], ['closedate', 'datetime', 'date'],
    ['pipeline', 'enumeration', 'select'], ['dealstage', 'enumeration', 'radio'],
    ['dealtype', 'enumeration', 'radio', undefined, ['newbusiness', 'existingbusiness', 'renewal']],
    ['description', 'string', 'textarea'], ['hs_forecast_category', 'enumeration', 'select'], ['hs_priority', 'enumeration', 'select'], owner,
  ],
  tickets: [
    ['subject', 'string', 'text'], ['content', 'string', 'textarea'], ['hs_pipeline', 'enumeration', 'select'],
    ['hs_pipeline_stage', 'enumeration', 'select'], ['hs_ticket_priority', 'enumeration', 'select', undefined, ['LOW', 'MEDIUM', 'HIGH', 'URGENT']],
    ['hs_ticket_category', 'enumeration', 'checkbox'], ['closed_date', 'datetime', 'date'], owner,
  ],
  products: [
    ['name', 'string', 'text'], ['description', 'string', 'textarea'], ['price', 'number', 'number'],
    ['hs_sku', 'string', 'text'], ['hs_product_type', 'enumeration', 'select', undefined, ['inventory', 'non_inventory', 'service']],
    ['hs_cost_of_goods_sold', 'number', 'number'], ['hs_recurring_billing_period', 'string', 'text'], ['recurringbillingfrequency', 'enumeration', 'select'],
  ],
  line_items: [
    ['name', 'string', 'text'], ['quantity', 'number', 'number'], ['price', 'number', 'number'], ['amount', 'number', 'number'],
    ['hs_product_id', 'number', 'number'], ['hs_sku', 'string', 'text'], ['discount', 'number', 'number'],
    ['hs_recurring_billing_period', 'string', 'text'], ['recurringbillingfrequency', 'enumeration', 'select'],
    ['hs_acv', 'number', 'number'], ['hs_arr', 'number', 'number'], ['hs_mrr', 'number', 'number'], ['hs_tcv', 'number', 'number'],
  ],
  tasks: [
    ...engagementCommon, ['hs_task_subject', 'string', 'text'], ['hs_task_body', 'string', 'textarea'],
    ['hs_task_status', 'enumeration', 'select', undefined, ['NOT_STARTED', 'IN_PROGRESS', 'WAITING', 'COMPLETED', 'DEFERRED']],
    ['hs_task_priority', 'enumeration', 'select', undefined, ['NONE', 'LOW', 'MEDIUM', 'HIGH']],
    // hs_task_type's options are HubSpot's own values: EMAIL, CALL and TODO (a to-do task)
    ['hs_task_type', 'enumeration', 'select', undefined, ['EMAIL', 'CALL', 'TODO']], ['hs_task_reminders', 'string', 'text'],
  ],
  notes: [...engagementCommon, ['hs_note_body', 'string', 'textarea']],
  meetings: [
    ...engagementCommon, ['hs_meeting_title', 'string', 'text'], ['hs_meeting_body', 'string', 'textarea'],
    ['hs_meeting_start_time', 'datetime', 'date'], ['hs_meeting_end_time', 'datetime', 'date'],
    ['hs_meeting_outcome', 'enumeration', 'select', undefined, ['SCHEDULED', 'COMPLETED', 'RESCHEDULED', 'NO_SHOW', 'CANCELED']],
  ],
  calls: [
    ...engagementCommon, ['hs_call_title', 'string', 'text'], ['hs_call_body', 'string', 'textarea'], ['hs_call_duration', 'number', 'number'],
    ['hs_call_direction', 'enumeration', 'select', undefined, ['INBOUND', 'OUTBOUND']], ['hs_call_disposition', 'string', 'text'],
    ['hs_call_status', 'enumeration', 'select', undefined, ['BUSY', 'CALLING_CRM_USER', 'CANCELED', 'COMPLETED', 'CONNECTING', 'FAILED', 'IN_PROGRESS', 'NO_ANSWER', 'QUEUED', 'RINGING']],
  ],
  emails: [
    ...engagementCommon, ['hs_email_subject', 'string', 'text'], ['hs_email_text', 'string', 'textarea'], ['hs_email_html', 'string', 'textarea'],
    ['hs_email_direction', 'enumeration', 'select', undefined, ['EMAIL', 'INCOMING_EMAIL', 'FORWARDED_EMAIL']],
    ['hs_email_status', 'enumeration', 'select', undefined, ['BOUNCED', 'FAILED', 'SCHEDULED', 'SENDING', 'SENT']],
  ],
  goal_targets: [
    ['hs_goal_name', 'string', 'text'], ['hs_target_amount', 'number', 'number'], ['hs_start_datetime', 'datetime', 'date'],
    ['hs_end_datetime', 'datetime', 'date'], ['hs_created_by_user_id', 'number', 'number'], ['hs_assignee_user_id', 'number', 'number'],
    ['hs_goal_type', 'string', 'text'], ['hs_milestone', 'string', 'text'], ['hs_group_correlation_uuid', 'string', 'text'],
    ['hs_pipeline_ids', 'string', 'text'], owner,
  ],
};

/** The ids merged into a record (";"-separated), kept by the merge route: read-only, like HubSpot's. */
export const MERGED_IDS_PROPERTY = 'hs_merged_object_ids';
const mergedIds: CatalogRow = [MERGED_IDS_PROPERTY, 'enumeration', 'checkbox'];

/** Object types the merge route serves (HubSpot's SDK has a MergeApi for exactly these four). */
export const mergeableTypes: readonly string[] = ['companies', 'contacts', 'deals', 'tickets'];

/** Read-only properties HubSpot computes or maintains; listed in the registry, rejected on write. */
export const computedCatalog: Record<string, CatalogRow[]> = {
  companies: [mergedIds],
  contacts: [mergedIds],
  deals: [
    ['hs_deal_stage_probability', 'number', 'number'], ['hs_is_closed', 'bool', 'booleancheckbox'],
    ['hs_is_closed_won', 'bool', 'booleancheckbox'], mergedIds,
  ],
  tickets: [mergedIds],
};

/** Custom (portal-defined) properties the seed loader creates, so seeded facts have a home. */
export const seedCustomProperties: Record<string, CatalogRow[]> = {
  companies: [['renewal_date', 'date', 'date'], ['product_usage_index', 'number', 'number']],
  products: [['product_family', 'string', 'text']],
  tickets: [['is_escalated', 'bool', 'booleancheckbox', undefined, ['true', 'false']]],
};
