import { AppError } from '@navplane/core';
import type { ProviderRegistry } from '@navplane/providers';
import { splitRequestUrl } from '@navplane/providers';
import type { RequestHandler } from 'express';
import { contextOf } from '../gateway-context';

/** Options of resolveRoute. */
export interface ResolveRouteOptions {
  registry: ProviderRegistry;
}

/**
 * Maps the path to a provider route (`/openai/v1/*`, `/anthropic/v1/*`, `/v1/messages`, `/v1/*`).
 * Paths outside every provider prefix are 404 `route_not_found` before authentication; paths under
 * a prefix but outside the provider's API are refused after it (see checkAllowedPath).
 */
export function resolveRoute({ registry }: ResolveRouteOptions): RequestHandler {
  return function resolveProviderRoute(req, res, next) {
    const { path } = splitRequestUrl(req.url);
    const route = registry.resolve(path);
    if (route === undefined) {
      next(new AppError('route_not_found', `No route for ${req.method} ${path}`));
      return;
    }
    contextOf(res).route = route;
    next();
  };
}

/** Refuses methods/paths the provider does not have (404 `route_not_found`, no upstream call). */
export function checkAllowedPath(): RequestHandler {
  return function checkProviderPath(req, res, next) {
    const route = contextOf(res).route;
    if (route === undefined || !route.adapter.isAllowedPath(req.method, route.pathSuffix)) {
      next(new AppError('route_not_found', `No route for ${req.method} ${splitRequestUrl(req.url).path}`));
      return;
    }
    next();
  };
}
