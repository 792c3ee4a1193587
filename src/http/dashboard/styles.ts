/** The dashboard stylesheet, served from /assets/dashboard.css (the CSP allows no inline styles). */
export const dashboardCss = `
:root { color-scheme: light; --ink: #1f2933; --muted: #616e7c; --line: #d9e2ec; --bg: #f5f7fa; --card: #fff; --red: #c62828; --amber: #ef8f00; --green: #2e7d32; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
header { display: flex; align-items: baseline; gap: 1rem; padding: 1rem 1.5rem; background: #102a43; color: #fff; }
header h1 { margin: 0; font-size: 1.25rem; }
header .meta { color: #bcccdc; }
header nav { margin-left: auto; }
header nav a { color: #fff; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 1rem; padding: 1rem 1.5rem 2rem; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.25rem; min-width: 0; }
section.wide { grid-column: 1 / -1; }
h2 { margin: 0 0 .75rem; font-size: 1.05rem; }
.chart { display: block; max-width: 100%; height: auto; font-size: 12px; }
.chart .label, .chart .value, .chart .axis { fill: var(--ink); font-size: 12px; }
.chart .axis { fill: var(--muted); font-size: 11px; }
.empty { color: var(--muted); font-style: italic; }
.legend { color: var(--muted); font-size: 12px; margin: .25rem 0 .75rem; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; vertical-align: top; padding: .4rem .5rem; border-bottom: 1px solid var(--line); }
th { color: var(--muted); font-weight: 600; font-size: 12px; }
td.num { text-align: right; white-space: nowrap; }
ul.reasons { margin: 0; padding-left: 1rem; }
.badge { display: inline-block; min-width: 3.2rem; padding: 0 .4rem; border-radius: 3px; color: #fff; font-weight: 600; text-align: center; }
.badge.red, .badge.critical { background: var(--red); }
.badge.amber, .badge.warning { background: var(--amber); }
.badge.green { background: var(--green); }
.badge.info { background: #5c6bc0; }
.counts { display: flex; gap: 1.5rem; margin-bottom: .5rem; }
.counts strong { font-size: 1.3rem; }
a { color: #0b5cad; }
.login { max-width: 360px; margin: 12vh auto; background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 1.5rem; }
.login input { width: 100%; padding: .5rem; margin: .5rem 0 1rem; font: inherit; }
.login button, header button { padding: .45rem 1rem; font: inherit; cursor: pointer; }
.error { color: var(--red); }
`;
