/** describeGlobal (`/sobjects`) and describe (`/sobjects/{T}/describe`) bodies, built from the schema. */
import type { FieldDef, ObjectDef, SalesforceSchema } from './schema.js';

const soapTypes: Record<string, string> = {
  id: 'tns:ID', reference: 'tns:ID', string: 'xsd:string', textarea: 'xsd:string', picklist: 'xsd:string', email: 'xsd:string', phone: 'xsd:string', url: 'xsd:string',
  boolean: 'xsd:boolean', double: 'xsd:double', currency: 'xsd:double', percent: 'xsd:double', int: 'xsd:int', date: 'xsd:date', datetime: 'xsd:dateTime',
};

function objectUrls(version: string, name: string) {
  const base = `/services/data/v${version}/sobjects/${name}`;
  return { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` };
}

export function describeGlobalEntry(object: ObjectDef, version: string) {
  return {
    name: object.name,
    label: object.label,
    labelPlural: `${object.label}s`,
    keyPrefix: object.keyPrefix,
    custom: object.custom,
    queryable: true,
    retrieveable: true,
    searchable: object.createable,
    createable: object.createable,
    updateable: object.updateable,
    deletable: object.deletable,
    undeletable: object.deletable,
    replicateable: true,
    layoutable: object.createable,
    urls: objectUrls(version, object.name),
  };
}

export function describeGlobal(schema: SalesforceSchema, version: string) {
  return { encoding: 'UTF-8', maxBatchSize: 200, sobjects: schema.all().map((o) => describeGlobalEntry(o, version)) };
}

function describeField(f: FieldDef) {
  const numeric = f.type === 'double' || f.type === 'currency' || f.type === 'percent' || f.type === 'int';
  return {
    name: f.name,
    label: f.label,
    type: f.type,
    soapType: soapTypes[f.type],
    length: numeric || f.type === 'boolean' || f.type === 'date' || f.type === 'datetime' ? 0 : f.length,
    precision: f.type === 'int' ? 0 : numeric ? 18 : 0,
    scale: numeric && f.type !== 'int' ? 2 : 0,
    digits: f.type === 'int' ? 9 : 0,
    custom: f.custom,
    externalId: f.externalId,
    idLookup: f.name === 'Id' || f.externalId,
    nillable: f.nillable,
    createable: f.createable,
    updateable: f.updateable,
    calculated: false,
    defaultedOnCreate: !f.nillable && !f.required,
    filterable: f.type !== 'textarea',
    sortable: f.type !== 'textarea',
    groupable: f.type !== 'textarea' && f.type !== 'double' && f.type !== 'currency' && f.type !== 'percent' && f.type !== 'datetime',
    unique: false,
    referenceTo: f.referenceTo,
    relationshipName: f.relationshipName,
    polymorphicForeignKey: f.referenceTo.length > 1,
    restrictedPicklist: f.restrictedPicklist,
    picklistValues: (f.picklistValues ?? []).map((value, i) => ({ active: true, defaultValue: i === 0 && !f.nillable, label: value, validFor: null, value })),
  };
}

export function describeObject(schema: SalesforceSchema, object: ObjectDef, version: string) {
  return {
    ...describeGlobalEntry(object, version),
    fields: object.fields.map(describeField),
    childRelationships: schema.childRelationships(object).map((r) => ({
      cascadeDelete: false,
      childSObject: r.childSObject,
      deprecatedAndHidden: false,
      field: r.field,
      junctionIdListNames: [],
      junctionReferenceTo: [],
      relationshipName: r.relationshipName,
      restrictedDelete: false,
    })),
    recordTypeInfos: [],
    supportedScopes: [{ label: 'All records', name: 'everything' }, { label: 'My records', name: 'mine' }],
  };
}
