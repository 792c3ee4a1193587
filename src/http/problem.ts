/**
 * RFC 9457 problem details: every error the HTTP layer returns is `application/problem+json`
 * with `type`, `title`, `status`, `detail`, `instance` (and `errors` naming fields for 400s).
 */
import type { Request, Response } from 'express';
import { z } from 'zod';

export const FieldError = z.object({
  /** where the bad value is, e.g. "query.limit" or "body.metrics.3.date" */
  field: z.string(),
  message: z.string(),
});
export type FieldError = z.infer<typeof FieldError>;

export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string(),
  errors: z.array(FieldError).optional(),
});
export type Problem = z.infer<typeof Problem>;

const titles: Record<number, string> = {
  400: 'Invalid request',
  401: 'Unauthorized',
  404: 'Not found',
  409: 'Conflict',
  413: 'Request body too large',
  429: 'Too many requests',
  500: 'Internal error',
  501: 'Not implemented',
  503: 'Service unavailable',
};

/** Thrown by handlers and middleware; the error handler turns it into a problem response. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly options: { errors?: FieldError[]; headers?: Record<string, string>; title?: string } = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }
}

export function problemBody(req: Request, status: number, detail: string, options: { errors?: FieldError[]; title?: string } = {}): Problem {
  const title = options.title ?? titles[status] ?? 'Error';
  return {
    type: `https://accountpulse.dev/problems/${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
    title,
    status,
    detail,
    // the path only: a query string may hold a token
    instance: req.path,
    ...(options.errors ? { errors: options.errors } : {}),
  };
}

export function sendProblem(req: Request, res: Response, problem: HttpProblem): void {
  for (const [k, v] of Object.entries(problem.options.headers ?? {})) res.setHeader(k, v);
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problemBody(req, problem.status, problem.detail, problem.options)));
}

/** Parses `value` with `schema`; a failure is a 400 problem naming each bad field under `where`. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: 'query' | 'body' | 'params'): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const errors = parsed.error.issues.slice(0, 50).map((issue) => ({
    field: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  throw new HttpProblem(400, `invalid ${where}: ${errors.slice(0, 3).map((e) => `${e.field}: ${e.message}`).join('; ')}`, { errors });
}
