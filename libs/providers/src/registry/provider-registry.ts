import { AppError, err, ok, type Result } from '@navplane/core';
import {
  createOpenAICompatibleAdapter,
  parseOpenAICompatibleAuth,
  type OpenAICompatibleProvider,
} from '../openai-compatible/openai-compatible.adapter';
import type { ProviderAdapter, ProviderId, RequestHeaders, RootAlias } from '../provider-adapter';
import { normalizeBaseUrl } from '../upstream-url';
import { BUILT_IN_ADAPTERS } from './built-in-providers';

/** What the registry is built from: operator settings only (no client can choose an upstream). */
export interface ProviderRegistryOptions {
  /**
   * The upstream base URL of each built-in provider, by provider id (docs/configuration.md:
   * `NAVPLANE_OPENAI_BASE_URL`, `NAVPLANE_ANTHROPIC_BASE_URL`, …). Every built-in provider needs one, except those
   * whose upstream is the tenant's (`ProviderAdapter.tenantBaseUrl`), which take none.
   */
  readonly baseUrls: Readonly<Record<ProviderId, string>>;
  /** Operator-defined OpenAI-compatible providers (the config file's `providers`), each routed at `/<id>/v1/*`. */
  readonly openaiCompatible?: readonly OpenAICompatibleProvider[];
  /** The built-in adapters (default `BUILT_IN_ADAPTERS`); for tests and tools that need other ones. */
  readonly builtIns?: readonly ProviderAdapter[];
}

/** A request path resolved to a provider: the adapter, the upstream path, the base URL. */
export interface ResolvedRoute {
  readonly adapter: ProviderAdapter;
  /** The upstream path, `/v1/...`, exactly as appended to `baseUrl`. */
  readonly pathSuffix: string;
  /**
   * The provider's normalised base URL (no trailing slash); undefined for a provider whose upstream is the tenant's
   * (`ProviderAdapter.tenantBaseUrl`): the org's credential carries it.
   */
  readonly baseUrl: string | undefined;
}

/** A gateway request that must reach `provider`: the registry's self-check (`navplane doctor`). */
export interface RouteCheck {
  readonly method: string;
  readonly path: string;
  /** Headers the request carries (a root claim's header, `RootAlias.header`); none when absent. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly provider: ProviderId;
}

/** Resolves gateway paths to providers; built once at start-up. The one list of the providers in service. */
export interface ProviderRegistry {
  /** Every adapter, in a fixed order (built-in ones first). */
  readonly adapters: readonly ProviderAdapter[];
  /** Every provider id, in the same order. */
  readonly ids: readonly ProviderId[];
  /** True when `id` names a provider of this registry. */
  has(id: string): boolean;
  /**
   * The provider of a request path (no query), or undefined when no provider route matches. `headers` (the request's,
   * lower-case names) decide the root claims (`RootAlias.header`); without them no claim applies.
   */
  resolve(path: string, headers?: RequestHeaders): ResolvedRoute | undefined;
  /** `resolve` plus the adapter's allowlist: the route, or `route_not_found` (the gateway's 404). */
  route(method: string, path: string, headers?: RequestHeaders): Result<ResolvedRoute, 'route_not_found'>;
  /**
   * The upstream URL of a resolved route and the request's raw query (without `?`); `tenantBaseUrl` is the base URL
   * stored with the org's key, used (and needed) only for a provider whose upstream is the tenant's. Throws AppError
   * when the route has no base URL (a bug: the credential step refuses such requests first).
   */
  upstreamUrl(route: ResolvedRoute, rawQuery?: string, tenantBaseUrl?: string): string;
  /** One provider's adapter, or undefined for an unknown id. */
  adapter(id: string): ProviderAdapter | undefined;
  /** One provider's normalised operator base URL, or undefined for an unknown id or a tenant-endpoint provider. */
  baseUrl(id: string): string | undefined;
  /** True when a credential is shaped like some provider's key (`ProviderAdapter.keyPrefixes`); safe to pass unbound. */
  readonly looksLikeProviderKey: (value: string) => boolean;
  /**
   * Requests that must route to each provider: its probe under its prefix and under each root alias covering it (with
   * the claim's header for a root claim).
   */
  routeChecks(): readonly RouteCheck[];
}

interface PrefixEntry {
  readonly prefix: string;
  /** A root claim's header: the entry matches only a request that carries it. */
  readonly header?: string;
  /** Characters to cut so the rest is the upstream path suffix. */
  readonly cut: number;
  readonly exact: boolean;
  readonly route: (pathSuffix: string) => ResolvedRoute;
}

// Gateway paths of its own (docs/gateway.md): no provider may take them as its route prefix.
const GATEWAY_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

function aliasCovers(alias: RootAlias, path: string): boolean {
  return alias.match === 'exact' ? path === alias.path : path.startsWith(alias.path);
}

/** The built-in adapters and the operator-defined ones, each with its normalised base URL (none: the tenant's). */
function providersOf(options: ProviderRegistryOptions): Array<{ adapter: ProviderAdapter; baseUrl: string | undefined }> {
  const builtIns = (options.builtIns ?? BUILT_IN_ADAPTERS).map((adapter) => {
    if (adapter.tenantBaseUrl === 'required') return { adapter, baseUrl: undefined };
    const url = Object.hasOwn(options.baseUrls, adapter.id) ? options.baseUrls[adapter.id] : undefined;
    if (url === undefined) throw new AppError('internal_error', `no base URL for provider ${adapter.id} (baseUrls.${adapter.id})`);
    return { adapter, baseUrl: normalizeBaseUrl(`baseUrls.${adapter.id}`, url) };
  });
  const configured = (options.openaiCompatible ?? []).map((provider, index) => {
    const where = `providers[${index}]`;
    const auth = parseOpenAICompatibleAuth(provider.auth, where);
    return { adapter: createOpenAICompatibleAdapter(provider.id, auth), baseUrl: normalizeBaseUrl(`${where}.baseUrl`, provider.baseUrl) };
  });
  return [...builtIns, ...configured];
}

/** Refuses two providers with one id or one root alias, and route prefixes that shadow the gateway's own paths. */
function checkDistinct(adapters: readonly ProviderAdapter[]): void {
  const ids = new Set<string>();
  const aliases = new Map<string, ProviderId>();
  const allAliases = adapters.flatMap((adapter) => adapter.rootAliases);
  for (const adapter of adapters) {
    if (ids.has(adapter.id)) throw new AppError('internal_error', `two providers have the id ${adapter.id}`);
    ids.add(adapter.id);
    const prefix = adapter.routePrefix;
    if (GATEWAY_PATHS.has(prefix) || allAliases.some((alias) => aliasCovers(alias, `${prefix}/`))) {
      throw new AppError('internal_error', `provider ${adapter.id}: its route prefix ${prefix} is taken by the gateway`);
    }
    for (const alias of adapter.rootAliases) {
      const key = `${alias.match} ${alias.path} ${alias.header ?? ''}`;
      const other = aliases.get(key);
      if (other !== undefined) throw new AppError('internal_error', `providers ${other} and ${adapter.id} both claim ${alias.path}`);
      aliases.set(key, adapter.id);
    }
  }
}

/**
 * Builds the registry. Route forms, checked in this order: each provider's prefix (`/<id>` + one of its
 * `pathPrefixes`, e.g. `/openai/v1/*`); then the root claims of the request's headers (any `/v1/*` carrying
 * `anthropic-version` → Anthropic); then the root aliases, longest first (`/v1/messages/*` and `/v1/messages` →
 * Anthropic, any other `/v1/*` → OpenAI). Throws AppError at start-up for a missing or invalid base URL, a malformed
 * operator-defined provider, or two providers that claim the same id or path.
 */
export function createProviderRegistry(options: ProviderRegistryOptions): ProviderRegistry {
  const providers = providersOf(options);
  const adapters = Object.freeze(providers.map((p) => p.adapter));
  checkDistinct(adapters);
  const byId = new Map(providers.map((p) => [p.adapter.id, p]));
  const maker =
    (adapter: ProviderAdapter, baseUrl: string | undefined) =>
    (pathSuffix: string): ResolvedRoute => ({ adapter, pathSuffix, baseUrl });

  const prefixed: PrefixEntry[] = providers.flatMap(({ adapter, baseUrl }) =>
    adapter.pathPrefixes.map((pathPrefix) => ({
      prefix: `${adapter.routePrefix}${pathPrefix}`,
      cut: adapter.routePrefix.length,
      exact: false,
      route: maker(adapter, baseUrl),
    })),
  );
  const aliases: PrefixEntry[] = providers
    .flatMap(({ adapter, baseUrl }) =>
      adapter.rootAliases.map((alias) => ({
        prefix: alias.path,
        cut: 0,
        exact: alias.match === 'exact',
        ...(alias.header === undefined ? {} : { header: alias.header }),
        route: maker(adapter, baseUrl),
      })),
    )
    // Root claims first; then longest first; at equal length an exact path before a prefix.
    .sort(
      (a, b) =>
        Number(b.header !== undefined) - Number(a.header !== undefined) ||
        b.prefix.length - a.prefix.length ||
        Number(b.exact) - Number(a.exact),
    );
  const entries = [...prefixed, ...aliases];

  function resolve(path: string, headers?: RequestHeaders): ResolvedRoute | undefined {
    for (const entry of entries) {
      if (entry.header !== undefined && headers?.[entry.header] === undefined) continue;
      if (entry.exact ? path === entry.prefix : path.startsWith(entry.prefix)) {
        return entry.route(entry.cut === 0 ? path : path.slice(entry.cut));
      }
    }
    return undefined;
  }

  const keyPrefixes = [...new Set(adapters.flatMap((adapter) => adapter.keyPrefixes))];
  const ids = Object.freeze(adapters.map((adapter) => adapter.id));

  return {
    adapters,
    ids,
    has: (id) => byId.has(id),
    resolve,
    route(method, path, headers) {
      const resolved = resolve(path, headers);
      return resolved && resolved.adapter.isAllowedPath(method, resolved.pathSuffix) ? ok(resolved) : err('route_not_found');
    },
    upstreamUrl(route, rawQuery, tenantBaseUrl) {
      const baseUrl = route.adapter.tenantBaseUrl === 'required' ? tenantBaseUrl : route.baseUrl;
      if (baseUrl === undefined) throw new AppError('internal_error', `provider ${route.adapter.id}: no base URL for this request`);
      return route.adapter.upstreamUrl(baseUrl, route.pathSuffix, rawQuery);
    },
    adapter: (id) => byId.get(id)?.adapter,
    baseUrl: (id) => byId.get(id)?.baseUrl,
    looksLikeProviderKey: (value) => keyPrefixes.some((prefix) => value.startsWith(prefix)),
    routeChecks() {
      return adapters.flatMap(({ id, routePrefix, probe, rootAliases }) => [
        { method: probe.method, path: `${routePrefix}${probe.pathSuffix}`, provider: id },
        ...rootAliases
          .filter((alias) => aliasCovers(alias, probe.pathSuffix))
          .map(({ header }) => ({
            method: probe.method,
            path: probe.pathSuffix,
            // A claim holds whatever the header's value: any one shows it.
            ...(header === undefined ? {} : { headers: { [header]: 'probe' } }),
            provider: id,
          })),
      ]);
    },
  };
}

/** Splits a request URL (`req.url`) into path and raw query (without `?`; '' when absent). */
export function splitRequestUrl(url: string): { path: string; rawQuery: string } {
  const q = url.indexOf('?');
  return q === -1 ? { path: url, rawQuery: '' } : { path: url.slice(0, q), rawQuery: url.slice(q + 1) };
}
