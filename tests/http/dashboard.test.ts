import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardCookieValue } from '../../src/http/auth.js';
import { escapeHtml, html, safeHref } from '../../src/http/dashboard/html.js';
import { startHttpServer, type RunningHttpServer } from '../../src/http/server.js';
import { account, API_TOKEN, createFixture, risk, seed, type Fixture } from './fixture.js';

describe('dashboard HTML', () => {
  let fx: Fixture;
  let server: RunningHttpServer;

  beforeAll(async () => {
    fx = await createFixture();
    await seed(fx.ctx);
    // 3,000 more accounts: the page lists the top 25 risky ones and counts every band
    const many = Array.from({ length: 3000 }, (_, i) => account(`002${String(i).padStart(5, '0')}`, `Bulk ${i}`, 'salesforce:005A'));
    await fx.ctx.store.records.upsert('account', many);
    await fx.ctx.store.insights.putChurn(many.map((a, i) => risk(a.id, i % 3 === 0 ? 90 - (i % 10) : i % 3 === 1 ? 50 : 10, i % 3 === 0 ? 'red' : i % 3 === 1 ? 'amber' : 'green', [`reason ${i}`])));
    server = await startHttpServer(fx.ctx, { port: 0, expectWorkers: false });
  });

  afterAll(async () => {
    await server?.close();
    await fx?.cleanup();
  });

  it('shows band counts over all accounts but only the top 25 risky ones, red first by score', async () => {
    const res = await fetch(`${server.url}/`, { headers: { cookie: `ap_dashboard=${dashboardCookieValue(API_TOKEN)}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const text = await res.text();
    expect((text.match(/<tr class="risk-row band-/g) ?? []).length).toBe(25);
    expect((text.match(/<tr class="risk-row band-red"/g) ?? []).length).toBe(25);
    expect(text).toContain('Riskiest accounts (top 25)');
    // 1,000 bulk red + 2 seeded; 1,000 amber + 2; 1,000 green + 2
    expect(text).toMatch(/badge red">red<\/span> <strong>1002<\/strong>/);
    expect(text).toMatch(/badge amber">amber<\/span> <strong>1002<\/strong>/);
    expect(text).toMatch(/badge green">green<\/span> <strong>1002<\/strong>/);
    // 100 bulk accounts score 90, the highest: the top 25 are all of them
    expect((text.match(/<span class="badge red">90<\/span>/g) ?? []).length).toBe(25);
    expect(text.length).toBeLessThan(200_000);
  });

  it('charts reps only: an owner with no quota and no deals (a manager) is counted, not drawn', async () => {
    const text = await (await fetch(`${server.url}/`, { headers: { cookie: `ap_dashboard=${dashboardCookieValue(API_TOKEN)}` } })).text();
    const repChart = /<svg class="chart rep-chart"[\s\S]*?<\/svg>/.exec(text)?.[0] ?? '';
    expect((repChart.match(/<g class="row"/g) ?? []).length).toBe(3);
    expect(repChart).not.toContain('salesforce:005M');
    expect(text).toContain('1 owner(s) with no quota and no deals in');
  });

  it('serves its stylesheet from /assets under the strict CSP', async () => {
    const res = await fetch(`${server.url}/assets/dashboard.css`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/css');
    expect(res.headers.get('content-security-policy')).toContain("style-src 'self'");
  });
});

describe('html escaping', () => {
  it('escapes every interpolated value and keeps nested html', () => {
    const name = `"><script>alert('x')</script>&`;
    expect(html`<td title="${name}">${name}</td>`.text).toBe(`<td title="${escapeHtml(name)}">&#34;&#62;&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62;&#38;</td>`);
    expect(html`<ul>${['a<b', 'c'].map((v) => html`<li>${v}</li>`)}</ul>`.text).toBe('<ul><li>a&#60;b</li><li>c</li></ul>');
  });

  it('links only http(s) URLs', () => {
    expect(safeHref('https://acme.my.salesforce.com/001A')).toBe('https://acme.my.salesforce.com/001A');
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref(null)).toBeNull();
  });
});
