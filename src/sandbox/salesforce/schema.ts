/**
 * The sObjects the sandbox simulates and their fields: what describe returns, what SOQL may
 * select and what writes may set. Field lists follow the Salesforce object reference for the
 * fields AccountPulse uses (crm-apis.md 3.9), plus the audit fields every object has.
 */
import { keyPrefixes } from './ids.js';

export type FieldType =
  | 'id' | 'string' | 'textarea' | 'picklist' | 'boolean' | 'double' | 'currency' | 'percent'
  | 'int' | 'date' | 'datetime' | 'reference' | 'email' | 'phone' | 'url';

export interface FieldDef {
  name: string;
  type: FieldType;
  label: string;
  createable: boolean;
  updateable: boolean;
  nillable: boolean;
  /** createable, not nillable and no default: must be given on create */
  required: boolean;
  custom: boolean;
  externalId: boolean;
  referenceTo: string[];
  relationshipName: string | null;
  /** name of the relationship on each parent (for child subqueries), when it has one */
  childRelationshipName: string | null;
  picklistValues: string[] | null;
  /** for restricted picklists (e.g. StageName), writes must use one of the values */
  restrictedPicklist: boolean;
  length: number;
}

export interface ObjectDef {
  name: string;
  label: string;
  keyPrefix: string;
  custom: boolean;
  createable: boolean;
  updateable: boolean;
  deletable: boolean;
  fields: FieldDef[];
  fieldsByLower: Map<string, FieldDef>;
  /** relationship name (lower case) -> reference field */
  relationshipsByLower: Map<string, FieldDef>;
}

export interface ChildRelationship {
  childSObject: string;
  field: string;
  relationshipName: string | null;
}

type FieldOptions = Partial<Omit<FieldDef, 'name' | 'type' | 'required'>> & { required?: boolean; readOnly?: boolean };

function field(name: string, type: FieldType, options: FieldOptions = {}): FieldDef {
  const readOnly = options.readOnly ?? false;
  const createable = options.createable ?? !readOnly;
  const nillable = options.nillable ?? !options.required;
  return {
    name,
    type,
    label: options.label ?? name.replace(/__c$/, '').replace(/_/g, ' ').replace(/Id$/, '').replace(/([a-z])([A-Z])/g, '$1 $2'),
    createable,
    updateable: options.updateable ?? !readOnly,
    nillable,
    required: options.required ?? false,
    custom: options.custom ?? name.endsWith('__c'),
    externalId: options.externalId ?? false,
    referenceTo: options.referenceTo ?? [],
    relationshipName: options.relationshipName ?? null,
    childRelationshipName: options.childRelationshipName ?? null,
    picklistValues: options.picklistValues ?? null,
    restrictedPicklist: options.restrictedPicklist ?? false,
    length: options.length ?? (type === 'textarea' ? 32_000 : type === 'id' || type === 'reference' ? 18 : 255),
  };
}

const ro = { readOnly: true } as const;

function ref(name: string, to: string[], relationshipName: string, options: FieldOptions = {}): FieldDef {
  return field(name, 'reference', { referenceTo: to, relationshipName, ...options });
}

function auditFields(): FieldDef[] {
  return [
    field('Id', 'id', { ...ro, nillable: false }),
    field('IsDeleted', 'boolean', { ...ro, nillable: false }),
    field('CreatedDate', 'datetime', { ...ro, nillable: false }),
    ref('CreatedById', ['User'], 'CreatedBy', { ...ro, nillable: false }),
    field('LastModifiedDate', 'datetime', { ...ro, nillable: false }),
    ref('LastModifiedById', ['User'], 'LastModifiedBy', { ...ro, nillable: false }),
    field('SystemModstamp', 'datetime', { ...ro, nillable: false }),
  ];
}

/** An OpportunityStage picklist value with what Salesforce derives from it. */
export interface StageDef {
  name: string;
  probability: number;
  forecastCategoryName: 'Pipeline' | 'Best Case' | 'Commit' | 'Closed' | 'Omitted';
  isClosed: boolean;
  isWon: boolean;
}

/**
 * The org's stages: Salesforce's ten defaults of a new org, plus "Contract Sent" (Commit), as orgs
 * customise their stages; none of the defaults is in the Commit forecast category, and commit
 * deals (and their slippage) must exist on the Salesforce side too.
 */
export const standardStages: StageDef[] = [
  { name: 'Prospecting', probability: 10, forecastCategoryName: 'Pipeline', isClosed: false, isWon: false },
  { name: 'Qualification', probability: 10, forecastCategoryName: 'Pipeline', isClosed: false, isWon: false },
  { name: 'Needs Analysis', probability: 20, forecastCategoryName: 'Pipeline', isClosed: false, isWon: false },
  { name: 'Value Proposition', probability: 50, forecastCategoryName: 'Pipeline', isClosed: false, isWon: false },
  { name: 'Id. Decision Makers', probability: 60, forecastCategoryName: 'Pipeline', isClosed: false, isWon: false },
  { name: 'Perception Analysis', probability: 70, forecastCategoryName: 'Pipeline', isClosed: false, isWon: false },
  { name: 'Proposal/Price Quote', probability: 75, forecastCategoryName: 'Pipeline', isClosed: false, isWon: false },
  { name: 'Negotiation/Review', probability: 90, forecastCategoryName: 'Pipeline', isClosed: false, isWon: false },
  { name: 'Contract Sent', probability: 95, forecastCategoryName: 'Commit', isClosed: false, isWon: false },
  { name: 'Closed Won', probability: 100, forecastCategoryName: 'Closed', isClosed: true, isWon: true },
  { name: 'Closed Lost', probability: 0, forecastCategoryName: 'Omitted', isClosed: true, isWon: false },
];

/** API value of ForecastCategory for each ForecastCategoryName. */
export const forecastCategoryApiValue: Record<StageDef['forecastCategoryName'], string> = {
  Pipeline: 'Pipeline',
  'Best Case': 'BestCase',
  Commit: 'Forecast',
  Closed: 'Closed',
  Omitted: 'Omitted',
};

/** Case priorities: the standard High/Medium/Low plus Critical, which most orgs add for sev-1 cases. */
export const casePriorities = ['High', 'Medium', 'Low', 'Critical'];
export const caseStatuses = ['New', 'Working', 'Escalated', 'Closed'];
export const taskStatuses = ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'];

const whatTypes = ['Account', 'Opportunity', 'Case'];

function objectDefs(): ObjectDef[] {
  const defs: Array<Omit<ObjectDef, 'fieldsByLower' | 'relationshipsByLower' | 'keyPrefix' | 'custom' | 'createable' | 'updateable' | 'deletable'> & { readOnly?: boolean }> = [
    {
      name: 'Account', label: 'Account', fields: [
        field('Name', 'string', { required: true }),
        ref('OwnerId', ['User'], 'Owner', { nillable: false }),
        ref('ParentId', ['Account'], 'Parent', { childRelationshipName: 'ChildAccounts' }),
        field('Type', 'picklist', { picklistValues: ['Prospect', 'Customer - Direct', 'Customer - Channel', 'Channel Partner / Reseller', 'Installation Partner', 'Technology Partner', 'Other'] }),
        field('Industry', 'picklist'),
        field('AnnualRevenue', 'currency'),
        field('NumberOfEmployees', 'int'),
        field('Website', 'url'),
        field('Phone', 'phone'),
        field('BillingCountry', 'string'),
        field('Description', 'textarea'),
        field('Renewal_Date__c', 'date', { label: 'Renewal Date' }),
        field('Usage_Index__c', 'double', { label: 'Usage Index' }),
        field('Usage_Trend__c', 'string', { label: 'Usage Trend (last 6 months)' }),
        field('External_Key__c', 'string', { externalId: true, label: 'External Key' }),
      ],
    },
    {
      name: 'Contact', label: 'Contact', fields: [
        field('FirstName', 'string'),
        field('LastName', 'string', { required: true }),
        field('Name', 'string', ro),
        ref('AccountId', ['Account'], 'Account', { childRelationshipName: 'Contacts' }),
        ref('OwnerId', ['User'], 'Owner', { nillable: false }),
        field('Email', 'email'),
        field('Title', 'string'),
        field('Phone', 'phone'),
        field('HasOptedOutOfEmail', 'boolean', { nillable: false }),
        field('External_Key__c', 'string', { externalId: true, label: 'External Key' }),
      ],
    },
    {
      name: 'User', label: 'User', fields: [
        field('Username', 'string', { required: true }),
        field('FirstName', 'string'),
        field('LastName', 'string', { required: true }),
        field('Name', 'string', ro),
        field('Alias', 'string'),
        field('Email', 'email', { required: true }),
        field('IsActive', 'boolean', { nillable: false }),
        ref('ManagerId', ['User'], 'Manager', { childRelationshipName: 'ManagedUsers' }),
        ref('UserRoleId', ['UserRole'], 'UserRole', { childRelationshipName: 'Users' }),
        field('ProfileId', 'reference', { referenceTo: ['Profile'] }),
        field('Title', 'string'),
        field('Department', 'string'),
      ],
    },
    {
      name: 'UserRole', label: 'Role', fields: [
        field('Name', 'string', { required: true }),
        field('DeveloperName', 'string'),
        ref('ParentRoleId', ['UserRole'], 'ParentRole'),
        ref('ForecastUserId', ['User'], 'ForecastUser'),
      ],
    },
    {
      name: 'Opportunity', label: 'Opportunity', fields: [
        field('Name', 'string', { required: true }),
        ref('AccountId', ['Account'], 'Account', { childRelationshipName: 'Opportunities' }),
        ref('OwnerId', ['User'], 'Owner', { nillable: false }),
        field('StageName', 'picklist', { required: true, restrictedPicklist: true, picklistValues: standardStages.map((s) => s.name) }),
        field('Amount', 'currency'),
        field('Probability', 'percent'),
        field('ExpectedRevenue', 'currency', ro),
        field('ForecastCategory', 'picklist', { ...ro, picklistValues: Object.values(forecastCategoryApiValue) }),
        field('ForecastCategoryName', 'picklist', { picklistValues: ['Omitted', 'Pipeline', 'Best Case', 'Commit', 'Closed'] }),
        field('CloseDate', 'date', { required: true }),
        field('IsClosed', 'boolean', { ...ro, nillable: false }),
        field('IsWon', 'boolean', { ...ro, nillable: false }),
        field('Type', 'picklist', { picklistValues: ['New Business', 'Existing Customer - Upgrade', 'Existing Customer - Replacement', 'Existing Customer - Downgrade', 'Renewal'] }),
        field('LeadSource', 'picklist'),
        field('NextStep', 'string'),
        field('Description', 'textarea'),
        field('HasOpportunityLineItem', 'boolean', { ...ro, nillable: false }),
        ref('Pricebook2Id', ['Pricebook2'], 'Pricebook2', { childRelationshipName: 'Opportunities' }),
        field('FiscalYear', 'int', ro),
        field('FiscalQuarter', 'int', ro),
        field('LastActivityDate', 'date', ro),
        field('External_Key__c', 'string', { externalId: true, label: 'External Key' }),
      ],
    },
    {
      name: 'OpportunityStage', label: 'Opportunity Stage', readOnly: true, fields: [
        field('MasterLabel', 'string', ro),
        field('ApiName', 'string', ro),
        field('IsActive', 'boolean', ro),
        field('SortOrder', 'int', ro),
        field('IsClosed', 'boolean', ro),
        field('IsWon', 'boolean', ro),
        field('ForecastCategory', 'picklist', ro),
        field('ForecastCategoryName', 'picklist', ro),
        field('DefaultProbability', 'percent', ro),
        field('Description', 'string', ro),
      ],
    },
    {
      name: 'OpportunityHistory', label: 'Opportunity History', readOnly: true, fields: [
        ref('OpportunityId', ['Opportunity'], 'Opportunity', { ...ro, childRelationshipName: 'OpportunityHistories' }),
        field('StageName', 'picklist', ro),
        field('Amount', 'currency', ro),
        field('PrevAmount', 'currency', ro),
        field('ExpectedRevenue', 'currency', ro),
        field('CloseDate', 'date', ro),
        field('PrevCloseDate', 'date', ro),
        field('Probability', 'percent', ro),
        field('ForecastCategory', 'picklist', ro),
      ],
    },
    {
      name: 'Product2', label: 'Product', fields: [
        field('Name', 'string', { required: true }),
        field('ProductCode', 'string'),
        field('Family', 'picklist'),
        field('Description', 'textarea'),
        field('IsActive', 'boolean', { nillable: false }),
      ],
    },
    {
      name: 'Pricebook2', label: 'Price Book', fields: [
        field('Name', 'string', { required: true }),
        field('IsActive', 'boolean', { nillable: false }),
        field('IsStandard', 'boolean', { ...ro, nillable: false }),
        field('Description', 'string'),
      ],
    },
    {
      name: 'PricebookEntry', label: 'Price Book Entry', fields: [
        field('Name', 'string', ro),
        ref('Pricebook2Id', ['Pricebook2'], 'Pricebook2', { required: true, updateable: false, childRelationshipName: 'PricebookEntries' }),
        ref('Product2Id', ['Product2'], 'Product2', { required: true, updateable: false, childRelationshipName: 'PricebookEntries' }),
        field('ProductCode', 'string', ro),
        field('UnitPrice', 'currency', { required: true }),
        field('IsActive', 'boolean', { nillable: false }),
        field('UseStandardPrice', 'boolean', { nillable: false }),
      ],
    },
    {
      name: 'OpportunityLineItem', label: 'Opportunity Product', fields: [
        ref('OpportunityId', ['Opportunity'], 'Opportunity', { required: true, updateable: false, childRelationshipName: 'OpportunityLineItems' }),
        ref('PricebookEntryId', ['PricebookEntry'], 'PricebookEntry', { updateable: false }),
        ref('Product2Id', ['Product2'], 'Product2', { updateable: false }),
        field('Name', 'string', ro),
        field('ProductCode', 'string', ro),
        field('Quantity', 'double', { required: true }),
        field('UnitPrice', 'currency'),
        field('ListPrice', 'currency', ro),
        field('TotalPrice', 'currency'),
        field('Discount', 'percent'),
        field('ServiceDate', 'date'),
        field('Description', 'string'),
      ],
    },
    {
      name: 'Task', label: 'Task', fields: [
        field('Subject', 'string'),
        field('Description', 'textarea'),
        field('Status', 'picklist', { nillable: false, picklistValues: taskStatuses }),
        field('Priority', 'picklist', { nillable: false, picklistValues: ['High', 'Normal', 'Low'] }),
        field('ActivityDate', 'date'),
        field('IsClosed', 'boolean', { ...ro, nillable: false }),
        ref('WhatId', whatTypes, 'What', { childRelationshipName: 'Tasks' }),
        ref('WhoId', ['Contact'], 'Who', { childRelationshipName: 'Tasks' }),
        ref('AccountId', ['Account'], 'Account', ro),
        ref('OwnerId', ['User'], 'Owner', { nillable: false }),
        field('TaskSubtype', 'picklist', { updateable: false, picklistValues: ['Task', 'Email', 'ListEmail', 'Cadence', 'Call', 'LinkedIn'] }),
        field('Type', 'picklist', { picklistValues: ['Call', 'Email', 'Meeting', 'Other'] }),
        field('CallType', 'picklist', { picklistValues: ['Internal', 'Inbound', 'Outbound'] }),
        field('CallDurationInSeconds', 'int'),
        field('CompletedDateTime', 'datetime', ro),
        field('External_Key__c', 'string', { externalId: true, label: 'External Key' }),
      ],
    },
    {
      name: 'Event', label: 'Event', fields: [
        field('Subject', 'string'),
        field('Description', 'textarea'),
        field('StartDateTime', 'datetime'),
        field('EndDateTime', 'datetime'),
        field('ActivityDateTime', 'datetime'),
        field('ActivityDate', 'date'),
        field('DurationInMinutes', 'int'),
        ref('WhatId', whatTypes, 'What', { childRelationshipName: 'Events' }),
        ref('WhoId', ['Contact'], 'Who', { childRelationshipName: 'Events' }),
        ref('AccountId', ['Account'], 'Account', ro),
        ref('OwnerId', ['User'], 'Owner', { nillable: false }),
        field('EventSubtype', 'picklist', { updateable: false, picklistValues: ['Event'] }),
        field('Type', 'picklist', { picklistValues: ['Call', 'Email', 'Meeting', 'Other'] }),
      ],
    },
    {
      name: 'Case', label: 'Case', fields: [
        field('CaseNumber', 'string', ro),
        field('Subject', 'string'),
        field('Description', 'textarea'),
        ref('AccountId', ['Account'], 'Account', { childRelationshipName: 'Cases' }),
        ref('ContactId', ['Contact'], 'Contact', { childRelationshipName: 'Cases' }),
        ref('OwnerId', ['User'], 'Owner', { nillable: false }),
        field('Status', 'picklist', { picklistValues: caseStatuses }),
        field('Priority', 'picklist', { picklistValues: casePriorities }),
        field('Origin', 'picklist', { picklistValues: ['Phone', 'Email', 'Web'] }),
        field('Type', 'picklist'),
        field('IsClosed', 'boolean', { ...ro, nillable: false }),
        field('IsEscalated', 'boolean', { nillable: false }),
        field('ClosedDate', 'datetime', ro),
      ],
    },
    {
      name: 'ForecastingType', label: 'Forecasting Type', readOnly: true, fields: [
        field('DeveloperName', 'string', ro),
        field('MasterLabel', 'string', ro),
        field('IsActive', 'boolean', ro),
        field('IsAmount', 'boolean', ro),
        field('IsQuantity', 'boolean', ro),
        field('RoleType', 'picklist', ro),
      ],
    },
    {
      name: 'Period', label: 'Period', readOnly: true, fields: [
        field('Type', 'picklist', { ...ro, picklistValues: ['Month', 'Quarter', 'Year'] }),
        field('StartDate', 'date', ro),
        field('EndDate', 'date', ro),
        field('Number', 'int', ro),
        field('FullyQualifiedLabel', 'string', ro),
        field('IsForecastPeriod', 'boolean', ro),
      ],
    },
    {
      name: 'ForecastingQuota', label: 'Forecasting Quota', fields: [
        ref('QuotaOwnerId', ['User'], 'QuotaOwner', { required: true }),
        field('QuotaAmount', 'currency'),
        field('QuotaQuantity', 'double'),
        field('StartDate', 'date', { required: true }),
        ref('PeriodId', ['Period'], 'Period', ro),
        ref('ForecastingTypeId', ['ForecastingType'], 'ForecastingType', { required: true }),
        field('IsAmount', 'boolean', { nillable: false }),
        field('IsQuantity', 'boolean', { nillable: false }),
        field('ProductFamily', 'string'),
        field('CurrencyIsoCode', 'string'),
      ],
    },
  ];
  return defs.map((d) => {
    const readOnly = d.readOnly ?? false;
    const fields = [...auditFields(), ...d.fields];
    const def: ObjectDef = {
      name: d.name,
      label: d.label,
      keyPrefix: keyPrefixes[d.name as keyof typeof keyPrefixes],
      custom: false,
      createable: !readOnly,
      updateable: !readOnly,
      deletable: !readOnly,
      fields,
      fieldsByLower: new Map(),
      relationshipsByLower: new Map(),
    };
    for (const f of fields) indexField(def, f);
    return def;
  });
}

function indexField(def: ObjectDef, f: FieldDef): void {
  def.fieldsByLower.set(f.name.toLowerCase(), f);
  if (f.relationshipName) def.relationshipsByLower.set(f.relationshipName.toLowerCase(), f);
}

/** The org's schema: standard objects plus custom fields added through the Tooling API. */
export class SalesforceSchema {
  private objects = new Map<string, ObjectDef>();
  private byPrefix = new Map<string, ObjectDef>();

  constructor() {
    for (const def of objectDefs()) {
      this.objects.set(def.name.toLowerCase(), def);
      this.byPrefix.set(def.keyPrefix, def);
    }
  }

  all(): ObjectDef[] {
    return [...this.objects.values()];
  }

  /** Case-insensitive lookup, as SOQL and the REST paths are. */
  object(name: string): ObjectDef | undefined {
    return this.objects.get(name.toLowerCase());
  }

  objectForId(id: string): ObjectDef | undefined {
    return this.byPrefix.get(id.slice(0, 3));
  }

  field(object: ObjectDef, name: string): FieldDef | undefined {
    return object.fieldsByLower.get(name.toLowerCase());
  }

  /** Child relationships of `parent`: every reference field of every object pointing at it. */
  childRelationships(parent: ObjectDef): ChildRelationship[] {
    const out: ChildRelationship[] = [];
    for (const child of this.objects.values()) {
      for (const f of child.fields) {
        if (f.type === 'reference' && f.referenceTo.includes(parent.name)) {
          out.push({ childSObject: child.name, field: f.name, relationshipName: f.childRelationshipName });
        }
      }
    }
    return out;
  }

  /** The child object and field behind a relationship name on `parent` (e.g. Account.Contacts). */
  childRelationship(parent: ObjectDef, relationshipName: string): { child: ObjectDef; field: FieldDef } | undefined {
    const lower = relationshipName.toLowerCase();
    for (const child of this.objects.values()) {
      for (const f of child.fields) {
        if (f.childRelationshipName?.toLowerCase() === lower && f.referenceTo.includes(parent.name)) return { child, field: f };
      }
    }
    return undefined;
  }

  /** Adds a custom field (Tooling API CustomField); it is readable and writable at once. */
  addCustomField(object: ObjectDef, name: string, type: FieldType, options: { label?: string; externalId?: boolean; length?: number; referenceTo?: string[]; picklistValues?: string[] } = {}): FieldDef {
    const f = field(name, type, { custom: true, ...options });
    object.fields.push(f);
    indexField(object, f);
    return f;
  }
}
