/**
 * The sales-leader dashboard at `/`. Access with API_TOKEN: `/?token=…` or the login form sets an
 * HttpOnly, SameSite=Strict cookie holding an HMAC of the token, then redirects to `/` (so the
 * token leaves the address bar and history). Without the cookie: the login form, 401.
 */
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../jobs/context.js';
import { DASHBOARD_COOKIE, dashboardCookieValue, hasDashboardCookie, safeEqual } from '../auth.js';
import { loadDashboard } from './data.js';
import { dashboardPage, loginPage } from './page.js';
import { dashboardCss } from './styles.js';

const COOKIE_MAX_AGE_S = 12 * 3600;
/** The page scans every churn score (HSCAN); viewers within this window share one scan. */
const DATA_CACHE_MS = 15_000;
const PeriodParam = z.string().regex(/^FY\d{4}(-(Q[1-4]|M(0[1-9]|1[0-2])))?$/);

function setSessionCookie(req: Request, res: Response, token: string): void {
  const attributes = ['Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${COOKIE_MAX_AGE_S}`, ...(req.secure ? ['Secure'] : [])];
  res.setHeader('Set-Cookie', `${DASHBOARD_COOKIE}=${dashboardCookieValue(token)}; ${attributes.join('; ')}`);
}

function sendHtml(res: Response, status: number, body: string): void {
  res.status(status).type('text/html; charset=utf-8').setHeader('Cache-Control', 'no-store').send(body);
}

export function dashboardRouter(ctx: AppContext): Router {
  const router = Router();
  const token = ctx.loaded.env.API_TOKEN;
  const cache = new Map<string, { at: number; data: ReturnType<typeof loadDashboard> }>();
  const dashboardData = (periodId: string | undefined) => {
    const key = periodId ?? 'current';
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < DATA_CACHE_MS) return hit.data;
    const data = loadDashboard(ctx, periodId ? { periodId } : {});
    data.catch(() => cache.delete(key));
    if (cache.size > 20) cache.clear();
    cache.set(key, { at: Date.now(), data });
    return data;
  };

  router.get('/assets/dashboard.css', (_req, res) => {
    res.type('text/css').setHeader('Cache-Control', 'public, max-age=300');
    res.send(dashboardCss);
  });

  // browsers ask for it; an empty answer keeps their consoles clean
  router.get('/favicon.ico', (_req, res) => {
    res.status(204).setHeader('Cache-Control', 'public, max-age=86400').end();
  });

  router.get('/', async (req, res) => {
    if (!token) return sendHtml(res, 503, loginPage({ disabled: true }));
    const given = typeof req.query.token === 'string' ? req.query.token : null;
    if (given !== null) {
      if (!safeEqual(given, token)) return sendHtml(res, 401, loginPage({ error: 'That token does not match API_TOKEN.' }));
      setSessionCookie(req, res, token);
      return res.redirect(303, '/');
    }
    if (!hasDashboardCookie(req, token)) return sendHtml(res, 401, loginPage());
    const period = PeriodParam.safeParse(req.query.period);
    const data = await dashboardData(period.success ? period.data : undefined);
    sendHtml(res, 200, dashboardPage(data, ctx.now()));
  });

  router.post('/login', express.urlencoded({ extended: false, limit: '4kb' }), (req, res) => {
    if (!token) return sendHtml(res, 503, loginPage({ disabled: true }));
    const given = typeof req.body?.token === 'string' ? (req.body.token as string) : '';
    if (!safeEqual(given, token)) return sendHtml(res, 401, loginPage({ error: 'That token does not match API_TOKEN.' }));
    setSessionCookie(req, res, token);
    res.redirect(303, '/');
  });

  router.post('/logout', (_req, res) => {
    res.setHeader('Set-Cookie', `${DASHBOARD_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
    res.redirect(303, '/');
  });
  return router;
}
