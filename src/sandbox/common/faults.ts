/**
 * Fault injection for the sandbox: per route, injected 429s, 5xx, latency, expired tokens and
 * dropped connections, either with a probability or "fail N times, then succeed".
 *
 * Spec string (CLI `--faults`, comma-separated rules):
 *   kind[:probability][@METHOD /path/prefix*][#times=N][#latency=MS][#status=CODE]
 *   e.g. "429:0.1"                      10% of every call gets a 429
 *        "5xx:0.05@POST /crm/v3/objects/*" 5% of matching POSTs get a 500
 *        "drop@GET /services/data/*#times=2" the first 2 matching calls are dropped
 *        "latency:1#latency=200"         every call is delayed 200 ms
 * `*` in the path matches any run of characters; a rule without `@` matches every route.
 * The same rules can be set as JSON with POST /__sandbox/faults `{ "rules": [...] }` or
 * `{ "spec": "..." }`.
 */
import { z } from 'zod';
export { mulberry32 } from '../../domain/learn/random.js';
import { mulberry32 } from '../../domain/learn/random.js';

export const faultKinds = ['429', '5xx', 'latency', 'expire', 'drop'] as const;
export type FaultKind = (typeof faultKinds)[number];

export const FaultRuleSchema = z.object({
  kind: z.enum(faultKinds),
  /** 0..1, default 1 */
  probability: z.number().min(0).max(1).default(1),
  /** HTTP method to match (any when absent) */
  method: z.string().optional(),
  /** path pattern, `*` wildcard (any when absent) */
  path: z.string().optional(),
  /** fail this many matching calls, then stop injecting (unbounded when absent) */
  times: z.number().int().positive().optional(),
  latencyMs: z.number().int().nonnegative().default(250),
  /** status for 5xx faults (500, 502, 503, 504) */
  status: z.number().int().min(500).max(599).default(503),
});
export type FaultRule = z.infer<typeof FaultRuleSchema>;
export type FaultRuleInput = z.input<typeof FaultRuleSchema>;

export class FaultSpecError extends Error {}

export function parseFaultSpec(spec: string): FaultRule[] {
  const rules: FaultRule[] = [];
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [head = '', ...opts] = part.split('#');
    const [kindProb = '', target] = head.split('@');
    const [kind, prob] = kindProb.split(':');
    const input: Record<string, unknown> = { kind };
    if (prob !== undefined) input.probability = Number(prob);
    if (target) {
      const m = /^\s*([A-Z]+)\s+(\S+)\s*$/.exec(target) ?? /^\s*()(\S+)\s*$/.exec(target);
      if (!m) throw new FaultSpecError(`fault rule "${part}": target must be "METHOD /path" or "/path"`);
      if (m[1]) input.method = m[1];
      input.path = m[2];
    }
    for (const opt of opts) {
      const [k, v] = opt.split('=');
      if (k === 'times') input.times = Number(v);
      else if (k === 'latency') input.latencyMs = Number(v);
      else if (k === 'status') input.status = Number(v);
      else throw new FaultSpecError(`fault rule "${part}": unknown option "${k}" (expected times, latency or status)`);
    }
    const parsed = FaultRuleSchema.safeParse(input);
    if (!parsed.success) {
      throw new FaultSpecError(`fault rule "${part}": ${parsed.error.issues.map((i) => `${i.path.join('.') || 'rule'}: ${i.message}`).join('; ')}`);
    }
    rules.push(parsed.data);
  }
  return rules;
}

function pathMatcher(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}


interface ActiveRule extends FaultRule {
  matcher: RegExp | null;
  fired: number;
}

/** Decides, per request, which fault (if any) to inject. */
export class FaultInjector {
  private rules: ActiveRule[] = [];
  private random: () => number;

  constructor(options: { rules?: FaultRuleInput[]; seed?: number } = {}) {
    this.random = mulberry32(options.seed ?? 1);
    this.set(options.rules ?? []);
  }

  set(rules: FaultRuleInput[]): void {
    this.rules = rules.map((r) => {
      const rule = FaultRuleSchema.parse(r);
      return { ...rule, matcher: rule.path ? pathMatcher(rule.path) : null, fired: 0 };
    });
  }

  list(): (FaultRule & { fired: number })[] {
    return this.rules.map(({ matcher: _m, ...rest }) => rest);
  }

  clear(): void {
    this.rules = [];
  }

  /** The fault to inject for this call, or null. Latency rules are returned only when no other fault fires. */
  pick(method: string, path: string): FaultRule | null {
    let latency: FaultRule | null = null;
    for (const rule of this.rules) {
      if (rule.method && rule.method !== method) continue;
      if (rule.matcher && !rule.matcher.test(path)) continue;
      if (rule.times !== undefined && rule.fired >= rule.times) continue;
      if (rule.probability < 1 && this.random() >= rule.probability) continue;
      rule.fired += 1;
      if (rule.kind === 'latency') {
        latency ??= rule;
        continue;
      }
      return rule;
    }
    return latency;
  }
}
