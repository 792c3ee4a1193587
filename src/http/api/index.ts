/** Every route of the JSON API (/api/v1), in the order the OpenAPI document lists them. */
import type { AnyApiRoute } from '../route.js';
import { getAccount, listAccounts } from './accounts.js';
import { dryRun, getDryRun, retryFailed, triggerSync } from './admin.js';
import { listAlerts } from './alerts.js';
import { getAttainment } from './attainment.js';
import { listQuarantine } from './quarantine.js';
import { getRun, listRuns } from './runs.js';
import { postUsage } from './usage.js';
import { postCrossSellFeedback } from './crossSell.js';

export const API_PREFIX = '/api/v1';

export const apiRoutes: readonly AnyApiRoute[] = [listAccounts, getAccount, getAttainment, listAlerts, listRuns, getRun, listQuarantine, postUsage, postCrossSellFeedback, triggerSync, retryFailed, dryRun, getDryRun];
