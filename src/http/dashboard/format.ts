/** Number formatting for the dashboard: compact money, percentages, dates. */
export function percent(ratio: number | null | undefined, digits = 0): string {
  return ratio === null || ratio === undefined || !Number.isFinite(ratio) ? 'n/a' : `${(ratio * 100).toFixed(digits)}%`;
}

export function money(amount: number | null | undefined, currency = 'USD'): string {
  if (amount === null || amount === undefined || !Number.isFinite(amount)) return 'n/a';
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 }).format(amount);
  } catch {
    return `${Math.round(amount).toLocaleString('en')} ${currency}`;
  }
}

export function day(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 10) : '';
}
