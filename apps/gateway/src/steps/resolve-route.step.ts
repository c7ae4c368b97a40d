import { AppError } from '@navplane/core';
import type { ProviderRegistry, ResolvedRoute } from '@navplane/providers';
import type { Authenticated, Started } from '../gateway-context';
import type { Step } from '../pipeline/pipeline';

/** Options of resolveRoute. */
export interface ResolveRouteOptions {
  registry: ProviderRegistry;
}

/**
 * Maps the path, and the headers a root claim reads, to a provider route (`/openai/v1/*`, `/anthropic/v1/*`, at the
 * root `/v1/messages` and any `/v1/*` carrying `anthropic-version`, then `/v1/*`: docs/gateway.md, "Root routing").
 * Paths outside every provider prefix are 404 `route_not_found` before authentication; paths under
 * a prefix but outside the provider's API are refused after it (see checkAllowedPath).
 */
export function resolveRoute({ registry }: ResolveRouteOptions): Step<Started, { route: ResolvedRoute }> {
  return {
    name: 'resolveRoute',
    run(context, { req }) {
      const route = registry.resolve(context.path, req.headers);
      return route === undefined ? new AppError('route_not_found', `No route for ${context.method} ${context.path}`) : { route };
    },
  };
}

/** Refuses methods/paths the provider does not have (404 `route_not_found`, no upstream call). */
export function checkAllowedPath(): Step<Authenticated, object> {
  const nothing = {};
  return {
    name: 'checkAllowedPath',
    run({ route, method, path }) {
      return route.adapter.isAllowedPath(method, route.pathSuffix)
        ? nothing
        : new AppError('route_not_found', `No route for ${method} ${path}`);
    },
  };
}
