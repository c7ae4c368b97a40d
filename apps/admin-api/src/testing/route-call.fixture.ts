// Builds a concrete call of a registered route from its example and placeholder values (`{orgId}` etc.).
import type request from 'supertest';
import type { AdminRoute } from '../routes/route-definition';

/** Values for the `:param` segments and `{placeholder}` strings of examples. */
export type RouteValues = Readonly<Record<string, string>>;

/** `text` with each `{placeholder}` that `values` names replaced. */
const fillText = (text: string, values: RouteValues): string => text.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);

/** `value` (an example body: JSON) with fillText applied to every string in it. */
function fill(value: unknown, values: RouteValues): unknown {
  if (typeof value === 'string') return fillText(value, values);
  if (Array.isArray(value)) return value.map((item: unknown) => fill(item, values));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]: [string, unknown]) => [key, fill(item, values)]));
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
  const query = route.example?.query;
  if (query !== undefined)
    call = call.query(Object.fromEntries(Object.entries(query).map(([name, text]) => [name, fillText(text, values)])));
  if (route.body !== undefined) {
    const body = fill(route.example?.body ?? {}, values);
    if (typeof body !== 'object' || body === null) throw new Error(`${route.operationId}: an example body must be a JSON object or array`);
    call = call.send(body);
  }
  return call;
}
