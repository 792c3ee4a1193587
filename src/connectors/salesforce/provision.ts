/**
 * `accountpulse provision`: checks by describe that the AccountPulse custom fields exist on
 * Account and creates the missing ones through the Tooling API (`POST /tooling/sobjects/CustomField`)
 * when the integration user may ("Customize Application"); otherwise returns the exact list an
 * admin must create (API name, type, length). New fields still need field-level security for the
 * integration user (a permission set with read/edit on them).
 */
import type { Logger } from 'pino';
import type { ProvisionReport, WriteBackFieldName } from '../types.js';
import type { SalesforceClient } from './client.js';
import { SalesforceApiError } from './errors.js';
import { customFieldDefs } from './fields.js';

interface Describe {
  fields: { name: string }[];
}

export interface ProvisionOptions {
  client: SalesforceClient;
  logger: Logger;
  fieldNames: Map<WriteBackFieldName, string>;
}

function manualInstruction(api: string, field: WriteBackFieldName, why: string): string {
  const def = customFieldDefs[field];
  return `${why}: in Setup → Object Manager → Account → Fields & Relationships → New, create "${def.label}" of type ${def.describe} with API name ${api}, then give the integration user read and edit access to it (field-level security or a permission set)`;
}

export async function provisionAccountFields(options: ProvisionOptions, dryRun: boolean): Promise<ProvisionReport> {
  const { client, logger, fieldNames } = options;
  const report: ProvisionReport = { source: 'salesforce', created: [], existing: [], manual: [] };
  const describe = await client.call<Describe>({ method: 'GET', url: '/sobjects/Account/describe' }, { what: 'Salesforce Account describe', idempotent: true });
  const present = new Set((describe.body.fields ?? []).map((f) => f.name.toLowerCase()));
  for (const [field, api] of fieldNames) {
    if (present.has(api.toLowerCase())) {
      report.existing.push(api);
      continue;
    }
    if (dryRun) {
      report.manual.push({ field: api, instruction: manualInstruction(api, field, 'missing (dry run: would be created through the Tooling API)') });
      continue;
    }
    const def = customFieldDefs[field];
    try {
      await client.call(
        { method: 'POST', url: `/services/data/v${client.apiVersion}/tooling/sobjects/CustomField`, body: { FullName: `Account.${api}`, Metadata: { label: def.label, ...def.metadata } } },
        { what: `Salesforce Tooling API: create Account.${api}`, idempotent: false },
      );
      report.created.push(api);
    } catch (err) {
      if (err instanceof SalesforceApiError && (err.code === 'DUPLICATE_DEVELOPER_NAME' || err.code === 'DUPLICATE_VALUE')) {
        report.existing.push(api);
        continue;
      }
      const why = err instanceof SalesforceApiError ? `could not create it (${err.code}: ${err.detail})` : `could not create it (${(err as Error).message})`;
      report.manual.push({ field: api, instruction: manualInstruction(api, field, why) });
    }
  }
  if (report.created.length) {
    logger.warn({ created: report.created }, 'Salesforce custom fields created; grant the integration user read/edit access to them (field-level security) before write-back');
  }
  return report;
}
