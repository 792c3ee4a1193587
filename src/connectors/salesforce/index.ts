/** The Salesforce connector's public surface. */
export { SalesforceConnector, createSalesforceConnector, type SalesforceConnectorOptions } from './connector.js';
export { verifyChangeNotice, ChangeNoticeError, CHANGE_NOTICE_HEADERS, signChangeNotice, type ChangeNoticeTarget } from './changeNotices.js';
export { SalesforceApiError, DailyLimitReached, SalesforceAuthError } from './errors.js';
export { apiFieldName, apiFieldNames } from './fields.js';
export { salesforceStreams } from './streams/index.js';
