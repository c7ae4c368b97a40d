import { err, ok, type Result } from '@navplane/core';
import type { ProviderAdapter, ProviderId } from '../provider-adapter';
import { PROVIDER_ADAPTERS } from '../providers';
import { normalizeBaseUrl } from '../upstream-url';

/** Operator-set upstream base URLs (docs/configuration.md: NAVPLANE_OPENAI_BASE_URL / NAVPLANE_ANTHROPIC_BASE_URL). */
export interface ProviderRegistryOptions {
  readonly openaiBaseUrl: string;
  readonly anthropicBaseUrl: string;
}

/** A request path resolved to a provider: the adapter, the upstream path `/v1/...`, the base URL. */
export interface ResolvedRoute {
  readonly adapter: ProviderAdapter;
  /** The upstream path, `/v1/...`, exactly as appended to `baseUrl`. */
  readonly pathSuffix: string;
  /** The provider's normalised base URL (no trailing slash). */
  readonly baseUrl: string;
}

/** Resolves gateway paths to providers; built once at start-up. */
export interface ProviderRegistry {
  /** Every adapter, in a fixed order. */
  readonly adapters: readonly ProviderAdapter[];
  /** The provider of a request path (no query), or undefined when no provider route matches. */
  resolve(path: string): ResolvedRoute | undefined;
  /** `resolve` plus the adapter's allowlist: the route, or `route_not_found` (the gateway's 404). */
  route(method: string, path: string): Result<ResolvedRoute, 'route_not_found'>;
  /** The upstream URL of a resolved route and the request's raw query (without `?`). */
  upstreamUrl(route: ResolvedRoute, rawQuery?: string): string;
  /** One provider's adapter. */
  adapter(id: ProviderId): ProviderAdapter;
  /** One provider's normalised base URL. */
  baseUrl(id: ProviderId): string;
}

interface PrefixEntry {
  readonly prefix: string;
  /** Characters to cut so the rest is the `/v1/...` path suffix. */
  readonly cut: number;
  readonly exact: boolean;
  readonly route: (pathSuffix: string) => ResolvedRoute;
}

/**
 * Builds the registry. Route forms, checked in this order:
 * `/openai/v1/*` and `/anthropic/v1/*` (each adapter's prefix); the Anthropic SDK alias
 * `/v1/messages` and `/v1/messages/*`; any other `/v1/*` → OpenAI (the OpenAI SDK with base URL
 * `<gateway>/v1`). Throws AppError at start-up for an invalid base URL.
 */
export function createProviderRegistry(options: ProviderRegistryOptions): ProviderRegistry {
  const baseUrls: Record<ProviderId, string> = {
    openai: normalizeBaseUrl('openaiBaseUrl', options.openaiBaseUrl),
    anthropic: normalizeBaseUrl('anthropicBaseUrl', options.anthropicBaseUrl),
  };
  const adapters = Object.values(PROVIDER_ADAPTERS);
  const maker = (adapter: ProviderAdapter) => {
    const baseUrl = baseUrls[adapter.id];
    return (pathSuffix: string): ResolvedRoute => ({ adapter, pathSuffix, baseUrl });
  };
  const openai = maker(PROVIDER_ADAPTERS.openai);
  const anthropic = maker(PROVIDER_ADAPTERS.anthropic);
  const entries: PrefixEntry[] = [
    ...adapters.map((adapter) => ({
      prefix: `${adapter.routePrefix}/v1/`,
      cut: adapter.routePrefix.length,
      exact: false,
      route: maker(adapter),
    })),
    { prefix: '/v1/messages', cut: 0, exact: true, route: anthropic },
    { prefix: '/v1/messages/', cut: 0, exact: false, route: anthropic },
    { prefix: '/v1/', cut: 0, exact: false, route: openai },
  ];

  function resolve(path: string): ResolvedRoute | undefined {
    for (const entry of entries) {
      if (entry.exact ? path === entry.prefix : path.startsWith(entry.prefix)) {
        return entry.route(entry.cut === 0 ? path : path.slice(entry.cut));
      }
    }
    return undefined;
  }

  return {
    adapters,
    resolve,
    route(method, path) {
      const resolved = resolve(path);
      return resolved && resolved.adapter.isAllowedPath(method, resolved.pathSuffix) ? ok(resolved) : err('route_not_found');
    },
    upstreamUrl(route, rawQuery) {
      return route.adapter.upstreamUrl(route.baseUrl, route.pathSuffix, rawQuery);
    },
    adapter: (id) => PROVIDER_ADAPTERS[id],
    baseUrl: (id) => baseUrls[id],
  };
}

/** Splits a request URL (`req.url`) into path and raw query (without `?`; '' when absent). */
export function splitRequestUrl(url: string): { path: string; rawQuery: string } {
  const q = url.indexOf('?');
  return q === -1 ? { path: url, rawQuery: '' } : { path: url.slice(0, q), rawQuery: url.slice(q + 1) };
}
