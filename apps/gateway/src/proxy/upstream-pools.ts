import type { ConnectLookup } from '@navplane/egress';
import { Pool } from 'undici';

/** Timeouts and keep-alive of the upstream pools (docs/gateway.md, "Upstream connections"). */
export interface UpstreamPoolOptions {
  /** NAVPLANE_UPSTREAM_CONNECT_TIMEOUT_MS: TCP (and TLS) connect; 502 `upstream_unreachable` when exceeded. */
  connectTimeoutMs: number;
  /** NAVPLANE_UPSTREAM_TIMEOUT_MS: longest wait for response headers (504), and longest silence inside a body. */
  upstreamTimeoutMs: number;
  /** How long an idle upstream connection is kept for reuse, ms (default 30 s; a server's keep-alive hint lowers it). */
  keepAliveTimeoutMs?: number;
  /**
   * The egress guard's connect-time lookup (NAVPLANE_UPSTREAM_ALLOWLIST): every connection of a `tenant` pool resolves
   * its host through it, so an address that turned private since the URL was stored is refused at every connection.
   */
  tenantLookup: ConnectLookup;
}

/** One keep-alive pool per upstream origin; made on first use, closed at shutdown. */
export interface UpstreamPools {
  /**
   * The pool of `origin` (`https://api.openai.com`). `tenant`: the origin came from a tenant (a base URL stored with a
   * key), so its connections go through the egress guard's lookup; such pools are kept apart from the operator's.
   */
  get(origin: string, tenant?: boolean): Pool;
  /** Closes every pool: in-flight requests finish, then the sockets close. */
  close(): Promise<void>;
  /** Each pool's connection and request counts now (the diagnostics report). */
  stats(): UpstreamPoolStats[];
}

/** One pool's counts (undici's PoolStats). */
export interface UpstreamPoolStats {
  /** The upstream origin (scheme, host, port: never a path, a query or credentials). */
  readonly origin: string;
  /** True for a tenant's endpoint (a base URL stored with a key), reached through the egress guard. */
  readonly tenant: boolean;
  /** Open connections. */
  readonly connected: number;
  /** Open connections with no request on them. */
  readonly free: number;
  /** Requests being sent or answered. */
  readonly running: number;
  /** Requests waiting for a connection. */
  readonly pending: number;
}

/**
 * A pool per upstream target with no cap on its connections: one tenant's long streams hold connections of their
 * own and never queue another tenant's request behind them (there is no global socket cap shared by all). Timeouts
 * are undici's own: connect, headers and the silence between body chunks.
 */
export function createUpstreamPools(options: UpstreamPoolOptions): UpstreamPools {
  const pools = new Map<string, { pool: Pool; origin: string; tenant: boolean }>();
  const poolOptions: Pool.Options = {
    connections: null,
    pipelining: 1,
    connectTimeout: options.connectTimeoutMs,
    headersTimeout: options.upstreamTimeoutMs,
    bodyTimeout: options.upstreamTimeoutMs,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
    // The gateway sends the client's body with its declared length, or one it holds: never a mismatch to tolerate.
    strictContentLength: true,
  };
  // Redirects are never followed: undici's Pool has no redirect interceptor, so a 3xx goes back to the client as is.
  const tenantPoolOptions: Pool.Options = { ...poolOptions, connect: { lookup: options.tenantLookup } };
  return {
    get(origin, tenant = false) {
      const name = tenant ? `tenant ${origin}` : origin;
      let entry = pools.get(name);
      if (entry === undefined) {
        entry = { pool: new Pool(origin, tenant ? tenantPoolOptions : poolOptions), origin, tenant };
        pools.set(name, entry);
      }
      return entry.pool;
    },
    async close() {
      const closing = [...pools.values()].map(({ pool }) => pool.close().catch(() => pool.destroy()));
      pools.clear();
      await Promise.all(closing);
    },
    stats() {
      return [...pools.values()].map(({ pool, origin, tenant }) => {
        const { connected, free, running, pending } = pool.stats;
        return { origin, tenant, connected, free, running, pending };
      });
    },
  };
}
