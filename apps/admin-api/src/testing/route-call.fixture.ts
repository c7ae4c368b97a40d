// Builds a concrete call of a registered route from its example and placeholder values (`{orgId}` etc.).
import type request from 'supertest';
import type { AdminRoute } from '../routes/route-definition';

/** Values for the `:param` segments and `{placeholder}` strings of examples. */
export type RouteValues = Readonly<Record<string, string>>;

function fill<T>(value: T, values: RouteValues): T {
  if (typeof value === 'string') {
    return value.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole) as T;
  }
  if (Array.isArray(value)) return value.map((item) => fill(item, values)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fill(item, values)])) as T;
  }
  return value;
}

/** The route's path with its `:params` replaced from `values` (a missing value is a test bug). */
export function routePath(route: AdminRoute, values: RouteValues): string {
  return route.path.replace(/:(\w+)/g, (_whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for :${name} of ${route.path}`);
    return encodeURIComponent(value);
  });
}

/** Sends the route's example call (query and body filled from `values`), with `authorization` when given. */
export function callRoute(agent: ReturnType<typeof request>, route: AdminRoute, values: RouteValues, authorization?: string) {
  let call = agent[route.method](routePath(route, values));
  if (authorization !== undefined) call = call.set('Authorization', authorization);
  if (route.example?.query !== undefined) call = call.query(fill(route.example.query, values));
  if (route.body !== undefined) call = call.send(fill(route.example?.body ?? {}, values) as object);
  return call;
}
