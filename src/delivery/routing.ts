/**
 * Which routes an alert goes to: by type, team, owner and minimum severity, as configured in
 * `alerts.routes`. A route URL may be `env:NAME` so the URL (which often embeds a secret, as Slack
 * and Teams webhook URLs do) stays out of the configuration file.
 */
import type { Alert } from '../domain/insights.js';
import type { RouteTarget } from './deliver.js';

export interface RouteConfig {
  name: string;
  type: 'webhook' | 'slack' | 'teams';
  url: string;
  match: { types?: string[]; teams?: string[]; owners?: string[]; minSeverity?: 'info' | 'warning' | 'critical' };
}

const severityRank = { info: 0, warning: 1, critical: 2 } as const;

export function routeMatches(alert: Alert, route: RouteConfig): boolean {
  const m = route.match;
  if (m.types && !m.types.includes(alert.type)) return false;
  if (m.teams && !(alert.teamId && m.teams.includes(alert.teamId))) return false;
  if (m.owners && !(alert.ownerId && m.owners.includes(alert.ownerId))) return false;
  if (m.minSeverity && severityRank[alert.severity] < severityRank[m.minSeverity]) return false;
  return true;
}

export class RouteUrlMissing extends Error {}

/** Resolves `env:NAME` URLs; throws naming the route and variable when it is not set. */
export function resolveRouteUrl(route: RouteConfig, environ: NodeJS.ProcessEnv = process.env): string {
  if (!route.url.startsWith('env:')) return route.url;
  const name = route.url.slice(4);
  const v = environ[name];
  if (!v) throw new RouteUrlMissing(`alert route ${route.name}: environment variable ${name} (its URL) is not set`);
  return v;
}

export function routesFor(alert: Alert, routes: readonly RouteConfig[], environ: NodeJS.ProcessEnv = process.env): RouteTarget[] {
  return routes.filter((r) => routeMatches(alert, r)).map((r) => ({ name: r.name, type: r.type, url: resolveRouteUrl(r, environ) }));
}
