/**
 * Inline SVG bar charts (no script, no external assets). Charts have a natural pixel size (text
 * stays the same size in wide and narrow sections) and shrink with the CSS max-width. Bars are drawn with SVG attributes, so the
 * strict CSP (no inline styles) holds. Each chart is a labelled <svg role="img"> with a <title>.
 */
import type { Attainment } from '../../domain/insights.js';
import { html, raw, type Html } from './html.js';
import { money, percent } from './format.js';

const ROW = 30;
const LABEL_W = 190;
const BAR_W = 420;
const VALUE_W = 150;
const WIDTH = LABEL_W + BAR_W + VALUE_W;

export const colours = { good: '#2e7d32', warn: '#ef8f00', bad: '#c62828', neutral: '#5c6bc0', quota: '#212121', expected: '#1565c0', track: '#eceff1' } as const;

/** On or ahead of pace: green; within 30 % of it: amber; behind: red; no quota: neutral. */
export function paceColour(row: Attainment): string {
  const pace = row.pacing.linear;
  if (row.attainment === null || pace === null) return colours.neutral;
  return pace >= 1 ? colours.good : pace >= 0.7 ? colours.warn : colours.bad;
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(Math.max(n, lo), hi);
}

/**
 * One bar per row: closed-won against quota (the dark line at 100 %) with the expected-to-date
 * marker (blue tick) where linear pacing says the row should be today.
 */
export function attainmentChart(rows: readonly Attainment[], options: { title: string; kind: 'rep' | 'team' }): Html {
  if (rows.length === 0) return html`<p class="empty">No attainment for this period yet: it appears after the first sync of quotas and deals.</p>`;
  const top = clamp(Math.max(1.2, ...rows.map((r) => r.attainment ?? 0)), 1.2, 2);
  const x = (ratio: number) => LABEL_W + (clamp(ratio, 0, top) / top) * BAR_W;
  const height = rows.length * ROW + 24;
  const bars = rows.map((r, i) => {
    const y = i * ROW + 4;
    const ratio = r.attainment ?? 0;
    const expected = r.quota && r.expectedToDate.linear !== null ? r.expectedToDate.linear / r.quota : null;
    const label = `${r.subjectName}: ${percent(r.attainment)} of quota (${money(r.closedWon, r.currency)} of ${money(r.quota, r.currency)}), pacing ${percent(r.pacing.linear)}`;
    return html`<g class="row" data-subject="${r.subjectId}">
<title>${label}</title>
<text x="${LABEL_W - 8}" y="${y + 16}" text-anchor="end" class="label">${truncate(r.subjectName, 26)}</text>
<rect x="${LABEL_W}" y="${y}" width="${BAR_W}" height="20" fill="${colours.track}"></rect>
<rect class="bar ${options.kind}-bar" x="${LABEL_W}" y="${y}" width="${(x(ratio) - LABEL_W).toFixed(1)}" height="20" fill="${paceColour(r)}" data-attainment="${r.attainment === null ? '' : r.attainment.toFixed(4)}"></rect>
${expected === null ? '' : html`<rect class="expected" x="${(x(expected) - 1.5).toFixed(1)}" y="${y - 3}" width="3" height="26" fill="${colours.expected}"></rect>`}
<text x="${LABEL_W + BAR_W + 8}" y="${y + 16}" class="value">${percent(r.attainment)} · pace ${percent(r.pacing.linear)}</text>
</g>`;
  });
  const quotaX = x(1).toFixed(1);
  return html`<svg class="chart ${options.kind}-chart" role="img" aria-label="${options.title}" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}">
<title>${options.title}</title>
${bars}
<line x1="${quotaX}" x2="${quotaX}" y1="0" y2="${height - 20}" stroke="${colours.quota}" stroke-width="2"></line>
<text x="${quotaX}" y="${height - 6}" text-anchor="middle" class="axis">quota</text>
</svg>`;
}

/** Closed, commit, best case and pipeline (cumulative) against quota, with the weighted forecast. */
export function forecastChart(row: Attainment): Html {
  const bars = [
    { name: 'Closed won', value: row.closedWon, colour: colours.good },
    { name: 'Commit', value: row.rollups.commit, colour: '#558b2f' },
    { name: 'Best case', value: row.rollups.bestCase, colour: colours.warn },
    { name: 'Pipeline', value: row.closedWon + row.rollups.openPipeline, colour: colours.neutral },
  ];
  const max = Math.max(row.quota ?? 0, row.forecast, ...bars.map((b) => b.value), 1) * 1.05;
  const x = (v: number) => LABEL_W + (clamp(v, 0, max) / max) * BAR_W;
  const height = bars.length * ROW + 24;
  const quotaLine = row.quota ? html`<line x1="${x(row.quota).toFixed(1)}" x2="${x(row.quota).toFixed(1)}" y1="0" y2="${height - 20}" stroke="${colours.quota}" stroke-width="2"></line><text x="${x(row.quota).toFixed(1)}" y="${height - 6}" text-anchor="middle" class="axis">quota ${money(row.quota, row.currency)}</text>` : raw('');
  const forecast = html`<rect class="forecast-marker" x="${(x(row.forecast) - 1.5).toFixed(1)}" y="0" width="3" height="${height - 24}" fill="${colours.expected}"><title>weighted forecast ${money(row.forecast, row.currency)}</title></rect>`;
  return html`<svg class="chart forecast-chart" role="img" aria-label="Forecast against quota" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}">
<title>Forecast against quota: ${row.subjectName}</title>
${bars.map(
  (b, i) => html`<g class="row"><text x="${LABEL_W - 8}" y="${i * ROW + 20}" text-anchor="end" class="label">${b.name}</text>
<rect x="${LABEL_W}" y="${i * ROW + 4}" width="${BAR_W}" height="20" fill="${colours.track}"></rect>
<rect class="forecast-bar" x="${LABEL_W}" y="${i * ROW + 4}" width="${(x(b.value) - LABEL_W).toFixed(1)}" height="20" fill="${b.colour}"></rect>
<text x="${LABEL_W + BAR_W + 8}" y="${i * ROW + 20}" class="value">${money(b.value, row.currency)}${row.quota ? ` · ${percent(b.value / row.quota)}` : ''}</text></g>`,
)}
${forecast}
${quotaLine}
</svg>`;
}

/** Accounts per risk band as one stacked bar. */
export function bandChart(counts: Record<'green' | 'amber' | 'red', number>): Html {
  const total = counts.green + counts.amber + counts.red;
  if (total === 0) return html`<p class="empty">No churn scores yet.</p>`;
  let x = 0;
  const parts = (['red', 'amber', 'green'] as const).map((band) => {
    const w = (counts[band] / total) * WIDTH;
    const part = html`<rect class="band-bar band-${band}" x="${x.toFixed(1)}" y="0" width="${w.toFixed(1)}" height="24" fill="${band === 'red' ? colours.bad : band === 'amber' ? colours.warn : colours.good}"><title>${band}: ${counts[band]} account(s)</title></rect>`;
    x += w;
    return part;
  });
  return html`<svg class="chart band-chart" role="img" aria-label="Accounts by risk band" viewBox="0 0 ${WIDTH} 24" width="100%" preserveAspectRatio="none">${parts}</svg>`;
}

function truncate(text: string, n: number): string {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}
