/**
 * Configuration of the rule-based churn score (Model A in analytics.md 1.2): which signals count,
 * how much, how each raw measure maps to a 0..100 risk, the bands, and what to do with missing
 * data. Every field has a default, so `resolveChurnConfig({})` is the shipped configuration (the
 * `churn:` section of config/default.yaml). Pure: zod and arithmetic only.
 */
import { z } from 'zod';

const Risk = z.number().min(0).max(100);

/**
 * Maps a number to a risk. `step`: the risk of the last point whose value is <= x (x below the
 * first point takes the first point's risk), so [[0,0],[15,40]] reads "from 15 on, 40".
 * `linear`: interpolates between points and clamps outside them (Planhat's "linear" factor).
 */
export const PointsScaleSchema = z
  .object({
    points: z.array(z.tuple([z.number(), Risk])).min(1),
    interpolate: z.enum(['step', 'linear']).default('step'),
  })
  .refine((s) => s.points.every((p, i) => i === 0 || p[0] > (s.points[i - 1] as [number, number])[0]), {
    message: 'scale points must be sorted by value, ascending, with no value repeated',
    path: ['points'],
  });
export type PointsScale = z.infer<typeof PointsScaleSchema>;

/** Maps a categorical value (compared as a string) to a risk; values not listed take `default`, or count as missing without one. */
export const MapScaleSchema = z.object({
  map: z.record(z.string(), Risk),
  default: Risk.optional(),
});
export type MapScale = z.infer<typeof MapScaleSchema>;

export const ScaleSchema = z.union([PointsScaleSchema, MapScaleSchema]);
export type Scale = z.infer<typeof ScaleSchema>;

/** A mapped account field (Account.fields[field]) scored on its own scale. */
export const FieldSignalSchema = z.object({
  field: z.string().min(1),
  /** Name used in explanations; defaults to the field name. */
  label: z.string().min(1).optional(),
  weight: z.number().nonnegative(),
  scale: ScaleSchema,
});
export type FieldSignal = z.infer<typeof FieldSignalSchema>;

export const builtInSignals = [
  'activityRecency',
  'activityTrend',
  'contactEngagement',
  'supportLoad',
  'lostDeals',
  'renewalProximity',
  'usageTrend',
  'competitorMentions',
] as const;
export type BuiltInSignal = (typeof builtInSignals)[number];

const points = (pts: [number, number][]) => ({ points: pts, interpolate: 'step' as const });

export const ChurnConfigSchema = z
  .object({
    /** Relative weights; they need not sum to 100. A weight of 0 switches the signal off. */
    weights: z
      .object({
        activityRecency: z.number().nonnegative().default(20),
        activityTrend: z.number().nonnegative().default(15),
        contactEngagement: z.number().nonnegative().default(10),
        supportLoad: z.number().nonnegative().default(15),
        lostDeals: z.number().nonnegative().default(15),
        renewalProximity: z.number().nonnegative().default(10),
        usageTrend: z.number().nonnegative().default(10),
        competitorMentions: z.number().nonnegative().default(5),
      })
      // A misspelt signal must not be dropped silently: unknown keys are an error naming them.
      .strict()
      .prefault({}),
    /** The measure behind each scale is in its comment. */
    scales: z
      .object({
        /** days since the last activity */
        activityRecency: PointsScaleSchema.default(points([[0, 0], [15, 40], [46, 70], [91, 100]])),
        /** % change of activity count, current window vs the one before */
        activityTrend: PointsScaleSchema.default(points([[-100, 100], [-75, 70], [-50, 40], [-25, 0]])),
        /** % of active contacts with activity in the contact window */
        contactEngagement: PointsScaleSchema.default(points([[0, 100], [10, 70], [30, 40], [60, 0]])),
        /** priority-weighted tickets (open, or created in the support window) plus escalations */
        supportLoad: PointsScaleSchema.default(points([[0, 0], [1, 20], [3, 50], [6, 80], [9, 100]])),
        /** days to the next renewal (negative: overdue) */
        renewalProximity: PointsScaleSchema.default(points([[-1, 100], [0, 80], [31, 60], [61, 40], [91, 20], [181, 0]])),
        /** % change of the mean usage value, worst metric */
        usageTrend: PointsScaleSchema.default(points([[-100, 100], [-75, 70], [-50, 40], [-25, 0]])),
        /** competitor mentions in the competitor window */
        competitorMentions: PointsScaleSchema.default(points([[0, 0], [1, 60], [2, 80], [3, 100]])),
      })
      .strict()
      .prefault({}),
    fieldSignals: z.array(FieldSignalSchema).default([]),
    /** score >= amber is amber, score >= red is red, else green */
    bands: z
      .object({ amber: Risk.default(40), red: Risk.default(70) })
      .prefault({})
      .refine((b) => b.amber <= b.red, { message: 'bands.amber must not exceed bands.red' }),
    missingData: z
      .object({
        /** renormalize: a missing signal's weight is dropped; neutral: it counts as `neutralRisk` */
        policy: z.enum(['renormalize', 'neutral']).default('renormalize'),
        /** also the score of an account with no data for any signal */
        neutralRisk: Risk.default(50),
      })
      .prefault({}),
    /** score change (points) at or beyond which the trend is up or down */
    trendThreshold: z.number().nonnegative().default(5),
    /** names matched in activity subjects and bodies (at ingest, see activity.ts) */
    competitors: z.array(z.string().min(1)).default([]),
    ticketPriorityWeights: z
      .object({
        urgent: z.number().nonnegative().default(3),
        high: z.number().nonnegative().default(2),
        medium: z.number().nonnegative().default(1),
        low: z.number().nonnegative().default(0.5),
      })
      .prefault({}),
    /** added to the support load per escalated ticket that is still open */
    escalationWeight: z.number().nonnegative().default(2),
    lostDeals: z
      .object({
        types: z.array(z.enum(['new', 'renewal', 'expansion'])).default(['renewal', 'expansion']),
        /** risk per lost renewal; a lost renewal alone is a very strong signal */
        renewalRisk: Risk.default(100),
        /** risk per other lost deal; the sum is capped at 100 */
        otherRisk: Risk.default(50),
      })
      .prefault({}),
    /** contact-engagement risk is at least this when a contact was marked gone within the contact window */
    contactGoneRisk: Risk.default(70),
    /** usage metrics to watch; empty means every metric the account has */
    usageMetrics: z.array(z.string().min(1)).default([]),
    windows: z
      .object({
        /** activity trend compares this many days with the same span before (rounded up to whole weeks) */
        activityDays: z.number().int().positive().default(90),
        contactDays: z.number().int().positive().default(60),
        supportDays: z.number().int().positive().default(90),
        lostDealsDays: z.number().int().positive().default(180),
        usageDays: z.number().int().positive().default(90),
        competitorDays: z.number().int().positive().default(90),
      })
      .prefault({}),
    /** how many drivers (largest points first) a score keeps */
    maxDrivers: z.number().int().positive().default(3),
    /**
     * Which model scores accounts. rules: always the rule score. auto: the learned model, but only
     * while its last training run showed, on this org's held-out history, that it ranks churn at
     * least as well as the rule score (src/domain/learn/modelChoice.ts). learned: the learned model
     * whenever one could be fitted. Without a fitted model every setting falls back to the rule score.
     * Default rules: a learned score is a probability (×100) on the same bands, so switching moves
     * every account's score and band at once; the daily training still runs and records its verdict
     * (`accountpulse runs`), for a person to opt in to auto when the org's own backtest favours it.
     */
    model: z.enum(['rules', 'auto', 'learned']).default('rules'),
    /** fewer churned accounts than this: the learned model is not fitted */
    learnedMinChurned: z.number().int().min(1).default(20),
    /** auto: the held-out ROC AUC the learned model must reach (besides matching the rule score's) */
    learnedMinAuc: z.number().min(0.5).max(1).default(0.65),
    /** account field holding the churn date (ISO date) of accounts marked churned; null: lost renewals only */
    learnedLabelField: z.string().min(1).nullable().default(null),
    /** a lost renewal deal counts as churn on its close date */
    learnedLostRenewals: z.boolean().default(true),
    /** the learned model predicts churn within this many days */
    learnedHorizonDays: z.number().int().min(7).max(365).default(90),
    /** cron (UTC) of the daily training run; after the nightly reconciliation, outside sync cycles */
    learnedTrainCron: z.string().min(1).default('30 4 * * *'),
  })
  .prefault({});

export type ChurnConfigInput = z.input<typeof ChurnConfigSchema>;
export type ChurnConfig = z.output<typeof ChurnConfigSchema> & {
  /** short stable hash of the effective configuration, stamped on every score */
  configVersion: string;
};

/**
 * Parses the `churn:` configuration section (defaults filled in) and stamps its version.
 * Throws a zod error naming the offending key.
 */
export function resolveChurnConfig(input: unknown = {}): ChurnConfig {
  const parsed = ChurnConfigSchema.parse(input ?? {});
  return { ...parsed, configVersion: configHash(parsed) };
}

/** 12 hex digits of cyrb53 over the key-sorted JSON: equal effective configs get equal versions. */
export function configHash(value: unknown): string {
  const text = canonicalJson(value);
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const n = 4294967296 * (2097151 & h2) + (h1 >>> 0);
  return n.toString(16).padStart(14, '0').slice(-12);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Risk of a number on a points scale (see PointsScaleSchema for the two readings). */
export function riskOnPoints(scale: PointsScale, x: number): number {
  const pts = scale.points;
  const first = pts[0] as [number, number];
  if (x <= first[0]) return first[1];
  for (let i = 1; i < pts.length; i++) {
    const [v, r] = pts[i] as [number, number];
    if (x < v) {
      const [v0, r0] = pts[i - 1] as [number, number];
      return scale.interpolate === 'step' ? r0 : r0 + ((r - r0) * (x - v0)) / (v - v0);
    }
  }
  return (pts[pts.length - 1] as [number, number])[1];
}

/** Risk of a mapped field value on its scale, or null when the value cannot be scored (missing data). */
export function riskOnScale(scale: Scale, value: string | number | boolean | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null;
  if ('map' in scale) {
    const key = String(value);
    const hit = Object.prototype.hasOwnProperty.call(scale.map, key) ? scale.map[key] : undefined;
    return hit ?? scale.default ?? null;
  }
  const x = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : Number.NaN;
  return Number.isFinite(x) ? riskOnPoints(scale, x) : null;
}
