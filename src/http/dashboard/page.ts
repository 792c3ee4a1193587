/** The dashboard page and the login page, as escaped HTML (see html.ts). */
import type { RiskBand } from '../../domain/insights.js';
import { attainmentChart, bandChart, forecastChart } from './charts.js';
import type { DashboardData } from './data.js';
import { day, money, percent } from './format.js';
import { html, safeHref, type Html } from './html.js';

function layout(title: string, body: Html): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="/assets/dashboard.css">
</head>
<body>
${body}
</body>
</html>`.text;
}

function link(text: string, url: string | null): Html {
  const href = safeHref(url);
  return href ? html`<a href="${href}" rel="noopener noreferrer" target="_blank">${text}</a>` : html`${text}`;
}

function badge(kind: RiskBand | 'info' | 'warning' | 'critical', text: string | number): Html {
  return html`<span class="badge ${kind}">${text}</span>`;
}

function attainmentSection(data: DashboardData): Html {
  return html`<section class="wide" id="attainment">
<h2>Attainment and pacing per rep · ${data.period.id} (${data.period.start} to ${data.period.end})</h2>
<p class="legend">Bar: closed won against quota (black line = 100 %). Blue tick: where linear pacing expects the rep to be today. Colour: green on pace, amber within 30 %, red behind.</p>
${attainmentChart(data.reps, { title: `Attainment per rep, ${data.period.id}`, kind: 'rep' })}
${data.repsWithoutQuotaOrDeals > 0 ? html`<p class="legend" id="reps-hidden">${data.repsWithoutQuotaOrDeals} owner(s) with no quota and no deals in ${data.period.id} (managers, integration users) are not charted.</p>` : ''}
</section>
<section id="teams">
<h2>Attainment per team</h2>
${attainmentChart(data.teams, { title: `Attainment per team, ${data.period.id}`, kind: 'team' })}
</section>
<section id="forecast">
<h2>Forecast against quota${data.org ? html` · ${data.org.subjectName}` : ''}</h2>
${data.org
  ? html`<p class="legend">Cumulative: commit includes closed, best case includes commit. Blue line: weighted forecast ${money(data.org.forecast, data.org.currency)}; coverage ${data.org.coverage === null ? 'n/a' : `${data.org.coverage.toFixed(1)}x`}.</p>${forecastChart(data.org)}`
  : html`<p class="empty">No org-level forecast for this period yet.</p>`}
</section>`;
}

function riskSection(data: DashboardData): Html {
  const rows = data.risky.map(
    (a) => html`<tr class="risk-row band-${a.band}">
<td>${badge(a.band, Math.round(a.score))}</td>
<td>${link(a.name, a.link)}${a.ownerName ? html`<br><small>${a.ownerName}</small>` : ''}</td>
<td class="num">${a.previous === null ? 'new' : `was ${Math.round(a.previous)}`}</td>
<td>${a.reasons.length ? html`<ul class="reasons">${a.reasons.map((r) => html`<li>${r}</li>`)}</ul>` : html`<span class="empty">no reason recorded</span>`}</td>
</tr>`,
  );
  return html`<section class="wide" id="risk">
<h2>Accounts by churn-risk band</h2>
<div class="counts"><span>${badge('red', 'red')} <strong>${data.bands.red}</strong></span><span>${badge('amber', 'amber')} <strong>${data.bands.amber}</strong></span><span>${badge('green', 'green')} <strong>${data.bands.green}</strong></span></div>
${bandChart(data.bands)}
${rows.length
  ? html`<h3>Riskiest accounts (top ${rows.length})</h3><table><thead><tr><th>Risk</th><th>Account</th><th>Previous</th><th>Top reasons</th></tr></thead><tbody>${rows}</tbody></table>`
  : html`<p class="empty">No account is amber or red.</p>`}
</section>`;
}

function crossSellSection(data: DashboardData): Html {
  const rows = data.crossSell.map(
    (o) => html`<tr class="xsell-row"><td>${link(o.accountName, o.link)}</td><td>${o.product}</td><td class="num">${o.score.toFixed(2)}</td><td class="num">${money(o.estimatedValue)}</td><td><ul class="reasons">${o.evidence.slice(0, 2).map((e) => html`<li>${e}</li>`)}</ul></td></tr>`,
  );
  return html`<section id="cross-sell">
<h2>Top cross-sell opportunities</h2>
${rows.length ? html`<table><thead><tr><th>Account</th><th>Product</th><th>Score</th><th>Value</th><th>Evidence</th></tr></thead><tbody>${rows}</tbody></table>` : html`<p class="empty">No cross-sell opportunity yet.</p>`}
</section>`;
}

function alertsSection(data: DashboardData): Html {
  const rows = data.alerts.map(
    (a) => html`<tr class="alert-row"><td>${badge(a.severity, a.severity)}</td><td><strong class="alert-title">${a.title}</strong>${a.details.length ? html`<br><small>${a.details[0] ?? ''}</small>` : ''}</td><td>${a.subject.name}</td><td class="num">${day(a.updatedAt)}</td></tr>`,
  );
  return html`<section id="alerts">
<h2>Open alerts (${data.openAlerts}${data.openAlerts > data.alerts.length ? `, showing ${data.alerts.length}` : ''})</h2>
${rows.length ? html`<table><thead><tr><th>Severity</th><th>Alert</th><th>About</th><th>Updated</th></tr></thead><tbody>${rows}</tbody></table>` : html`<p class="empty">No open alert.</p>`}
</section>`;
}

export function dashboardPage(data: DashboardData, generatedAt: Date): string {
  return layout(
    `AccountPulse · ${data.period.id}`,
    html`<header><h1>AccountPulse</h1><span class="meta">${data.period.id} · updated ${generatedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC</span>
<nav><a href="/admin/queues">Queues</a></nav>
<form method="post" action="/logout"><button type="submit">Sign out</button></form></header>
<main>
${attainmentSection(data)}
${riskSection(data)}
${crossSellSection(data)}
${alertsSection(data)}
</main>`,
  );
}

export function loginPage(options: { error?: string; disabled?: boolean } = {}): string {
  return layout(
    'AccountPulse · sign in',
    html`<form class="login" method="post" action="/login">
<h1>AccountPulse</h1>
${options.disabled
  ? html`<p class="error">The dashboard is disabled: start the server with API_TOKEN set.</p>`
  : html`${options.error ? html`<p class="error">${options.error}</p>` : ''}
<label for="token">API token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>`}
</form>`,
  );
}
