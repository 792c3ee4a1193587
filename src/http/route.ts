/**
 * A JSON API route described once: its parameters, body and answer as zod schemas. The same
 * description validates requests (400 problem naming the field), runs the handler, and generates
 * the OpenAPI document (openapi.ts), so the document cannot drift from the code.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../jobs/context.js';
import { parseInput } from './problem.js';

export interface RouteInput<Q, P, B> {
  ctx: AppContext;
  query: Q;
  params: P;
  body: B;
  req: Request;
  res: Response;
}

export interface ApiRoute<Q extends z.ZodType = z.ZodType, P extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  method: 'get' | 'post';
  /** express form, e.g. /accounts/:id (relative to /api/v1) */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  query?: Q;
  params?: P;
  body?: B;
  response: { status: 200 | 202; description: string; schema: R };
  /** problem statuses this route can answer besides the common ones (401, 429, 503) */
  problems: number[];
  // method syntax: handlers of specific routes fit the general list (parameter bivariance)
  handle(input: RouteInput<z.output<Q>, z.output<P>, z.output<B>>): Promise<z.input<R>>;
}

/** Identity helper that infers the schema types of one route. */
export function defineRoute<Q extends z.ZodType = z.ZodObject<{}>, P extends z.ZodType = z.ZodObject<{}>, B extends z.ZodType = z.ZodUndefined, R extends z.ZodType = z.ZodType>(
  route: ApiRoute<Q, P, B, R>,
): ApiRoute<Q, P, B, R> {
  return route;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyApiRoute = ApiRoute<any, any, any, any>;

/** Mounts routes on a router: validate, run, answer JSON with the route's status. */
export function mountRoutes(ctx: AppContext, routes: readonly AnyApiRoute[]): Router {
  const router = Router();
  for (const route of routes) {
    router[route.method](route.path, async (req: Request, res: Response) => {
      const query = route.query ? parseInput(route.query, req.query, 'query') : {};
      const params = route.params ? parseInput(route.params, req.params, 'params') : {};
      const body = route.body ? parseInput(route.body, req.body ?? {}, 'body') : undefined;
      const result = await route.handle({ ctx, query, params, body, req, res });
      res.status(route.response.status).json(result);
    });
  }
  return router;
}
