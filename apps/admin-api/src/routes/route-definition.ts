import type { AuditActor } from '@navplane/auth';
import type { AppError, Clock, Result } from '@navplane/core';
import type { Operations } from '@navplane/operations';
import type { DiagnosticsReport } from '@navplane/runtime';
import type { TraceQueries } from '@navplane/trace';
import type { z } from 'zod';
import type { AccessRule } from '../auth/access-rule';
import type { Principal } from '../auth/principal';

/** What route handlers work with (the app's collaborators). */
export interface RouteDeps {
  readonly operations: Operations;
  /** Request listing, traces, replay/fork and usage (tenant-checked by org scope). */
  readonly traceQueries: TraceQueries;
  readonly clock: Clock;
  /** This process's diagnostics report (`GET /admin/diagnostics`). */
  readonly diagnostics: () => Promise<DiagnosticsReport>;
}

/** One validated call of a route. */
export interface RouteContext<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly principal: Principal;
  /** Who the audit log names (actor type/id and the client address, `req.ip`). */
  readonly actor: AuditActor;
  /** The org the caller is confined to (undefined: platform admin). */
  readonly orgScope: string | undefined;
  readonly deps: RouteDeps;
}

/** HTTP methods the admin API uses. */
export type RouteMethod = 'get' | 'post' | 'put' | 'delete';

/** A sample call, for the docs, the OpenAPI document and the shared auth suite (`{orgId}`-style placeholders). */
export interface RouteExample {
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

type AnyObject = z.ZodObject;
type Output<S> = S extends z.ZodType ? z.output<S> : Record<string, never>;

/** A route as written: schemas, access rule and a typed handler. */
export interface RouteDefinition<
  P extends AnyObject | undefined,
  Q extends AnyObject | undefined,
  B extends z.ZodType | undefined,
  R extends z.ZodType | undefined,
> {
  /** OpenAPI operationId (camelCase). */
  readonly operationId: string;
  readonly method: RouteMethod;
  /** Express path, e.g. `/admin/orgs/:orgId`. */
  readonly path: string;
  /** OpenAPI tag (the resource). */
  readonly tag: string;
  readonly summary: string;
  readonly description?: string;
  readonly access: AccessRule;
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  /** 201 for creations, 204 (no body) for deletions, 200 otherwise. */
  readonly status: 200 | 201 | 204;
  /** The response body (absent exactly for 204); also an allow-list: fields it does not name are never sent. */
  readonly response?: R;
  /** Error statuses beyond the ones every route can answer (401, 403, 500, 503), e.g. 404, 409. */
  readonly errors?: readonly number[];
  readonly example?: RouteExample;
  readonly handle: (
    context: RouteContext<Output<P>, Output<Q>, Output<B>>,
  ) => Promise<Result<R extends z.ZodType ? z.input<R> : void, AppError>>;
}

/** A registered route with its types erased (what the registry, the router and the OpenAPI builder share). */
export type AdminRoute = Omit<
  RouteDefinition<AnyObject, AnyObject, z.ZodType, z.ZodType>,
  'params' | 'query' | 'body' | 'response' | 'handle'
> & {
  readonly params?: AnyObject;
  readonly query?: AnyObject;
  readonly body?: z.ZodType;
  readonly response?: z.ZodType;
  /**
   * The route's handler with its context types erased. Declared as a method, so TypeScript compares its parameter
   * bivariantly: that is what lets defineRoute hand any RouteDefinition over as an AdminRoute without a cast.
   * mountRoutes, the one caller, passes exactly what the route's own params, query and body schemas produced.
   */
  handle(context: RouteContext<unknown, unknown, unknown>): Promise<Result<unknown, AppError>>;
};

/** Declares a route; the handler's context and result are typed from the schemas. */
export function defineRoute<
  P extends AnyObject | undefined = undefined,
  Q extends AnyObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  R extends z.ZodType | undefined = undefined,
>(definition: RouteDefinition<P, Q, B, R>): AdminRoute {
  if ((definition.status === 204) !== (definition.response === undefined)) {
    throw new Error(`${definition.operationId}: a response schema is required exactly when the status is not 204`);
  }
  return definition;
}
