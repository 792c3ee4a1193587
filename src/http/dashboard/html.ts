/**
 * HTML built with a tagged template that escapes every interpolated value (account names, reasons
 * and alert titles come from the CRM). Only values wrapped by `raw()` or produced by `html` itself
 * pass through unescaped.
 */
const TRUSTED = Symbol('trusted-html');

export interface Html {
  readonly [TRUSTED]: true;
  readonly text: string;
}

export function raw(text: string): Html {
  return { [TRUSTED]: true, text };
}

function isHtml(value: unknown): value is Html {
  return typeof value === 'object' && value !== null && (value as Partial<Html>)[TRUSTED] === true;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

type Value = string | number | null | undefined | false | Html | readonly Value[];

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map((v: Value) => render(v)).join('');
  if (isHtml(value)) return value.text;
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return raw(out);
}

/** Only http(s) links are rendered as links (a CRM value must never become a javascript: URL). */
export function safeHref(url: string | null | undefined): string | null {
  return url && /^https?:\/\//i.test(url) ? url : null;
}
