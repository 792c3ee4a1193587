/** `/limits` and the Tooling API's `POST /tooling/sobjects/CustomField` (adds a writable field to describe). */
import { z } from 'zod';
import { SfApiError } from '../errors.js';
import { keyPrefixes } from '../ids.js';
import type { SalesforceOrg } from '../org.js';
import { json, type ApiRouter } from '../router.js';
import type { FieldType } from '../schema.js';

const metadataTypes: Record<string, FieldType> = {
  Number: 'double', Currency: 'currency', Percent: 'percent', Text: 'string', TextArea: 'textarea', LongTextArea: 'textarea',
  Checkbox: 'boolean', Date: 'date', DateTime: 'datetime', Picklist: 'picklist', Email: 'email', Phone: 'phone', Url: 'url',
};

const CustomFieldSchema = z.object({
  FullName: z.string().regex(/^[A-Za-z0-9_]+\.[A-Za-z][A-Za-z0-9_]*__c$/, 'FullName must be "Object.Field__c"'),
  Metadata: z.object({
    label: z.string().min(1),
    type: z.string(),
    length: z.number().int().positive().optional(),
    precision: z.number().int().optional(),
    scale: z.number().int().optional(),
    externalId: z.boolean().optional(),
    valueSet: z.unknown().optional(),
  }).passthrough(),
});

export function registerLimitsAndToolingRoutes(router: ApiRouter, org: SalesforceOrg): void {
  router.add('GET', '/limits', () => {
    const remaining = Math.max(0, org.dailyLimit - org.apiUsage);
    return json(200, {
      DailyApiRequests: { Max: org.dailyLimit, Remaining: remaining },
      DailyAsyncApexExecutions: { Max: 250_000, Remaining: 250_000 },
      DailyBulkApiBatches: { Max: 15_000, Remaining: 15_000 },
      DailyBulkV2QueryFileStorageMB: { Max: 976_562, Remaining: 976_562 },
      DailyBulkV2QueryJobs: { Max: 10_000, Remaining: 10_000 },
      DataStorageMB: { Max: 1024, Remaining: 1024 },
      HourlyPublishedPlatformEvents: { Max: 50_000, Remaining: 50_000 },
    });
  });

  router.add('POST', '/tooling/sobjects/CustomField', (req) => {
    const parsed = CustomFieldSchema.safeParse(req.body);
    if (!parsed.success) throw new SfApiError(400, 'FIELD_INTEGRITY_EXCEPTION', `Invalid CustomField: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const { FullName, Metadata } = parsed.data;
    const [objectName, fieldName] = FullName.split('.') as [string, string];
    const object = org.store.schema.object(objectName);
    if (!object) throw new SfApiError(400, 'INVALID_TYPE', `sObject type '${objectName}' is not supported.`);
    const type = metadataTypes[Metadata.type];
    if (!type) throw new SfApiError(400, 'FIELD_INTEGRITY_EXCEPTION', `Unsupported field type '${Metadata.type}'; use one of ${Object.keys(metadataTypes).join(', ')}.`);
    if (org.store.schema.field(object, fieldName)) throw new SfApiError(400, 'DUPLICATE_DEVELOPER_NAME', `There is already a field named ${fieldName} on ${object.name}.`);
    const picklist = (Metadata.valueSet as { valueSetDefinition?: { value?: Array<{ fullName?: string }> } } | undefined)?.valueSetDefinition?.value
      ?.map((v) => v.fullName)
      .filter((v): v is string => typeof v === 'string');
    org.store.schema.addCustomField(object, fieldName, type, {
      label: Metadata.label,
      ...(Metadata.externalId !== undefined ? { externalId: Metadata.externalId } : {}),
      ...(Metadata.length !== undefined ? { length: Metadata.length } : {}),
      ...(picklist ? { picklistValues: picklist } : {}),
    });
    const id = org.store.ids.next(keyPrefixes.CustomField);
    return json(201, { id, success: true, errors: [], warnings: [], infos: [] });
  });
}
