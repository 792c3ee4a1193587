import type { CallStats } from '../common/stats.js';
import type { HubSpotPortal } from './portal.js';

/** What every route module needs. */
export interface RouteContext {
  portal: HubSpotPortal;
  stats: CallStats;
  /** inline associations per type on a record read before `paging` */
  maxAssociationsInline: number;
  /** per-record page size of v4 association reads */
  associationPageSize: number;
}
