import { Pool } from 'undici';

/** Timeouts and keep-alive of the upstream pools (docs/gateway.md, "Upstream connections"). */
export interface UpstreamPoolOptions {
  /** NAVPLANE_UPSTREAM_CONNECT_TIMEOUT_MS: TCP (and TLS) connect; 502 `upstream_unreachable` when exceeded. */
  connectTimeoutMs: number;
  /** NAVPLANE_UPSTREAM_TIMEOUT_MS: longest wait for response headers (504), and longest silence inside a body. */
  upstreamTimeoutMs: number;
  /** How long an idle upstream connection is kept for reuse, ms (default 30 s; a server's keep-alive hint lowers it). */
  keepAliveTimeoutMs?: number;
}

/** One keep-alive pool per upstream origin; made on first use, closed at shutdown. */
export interface UpstreamPools {
  /** The pool of `origin` (`https://api.openai.com`). */
  get(origin: string): Pool;
  /** Closes every pool: in-flight requests finish, then the sockets close. */
  close(): Promise<void>;
}

/**
 * A pool per upstream target with no cap on its connections: one tenant's long streams hold connections of their
 * own and never queue another tenant's request behind them (there is no global socket cap shared by all). Timeouts
 * are undici's own: connect, headers and the silence between body chunks.
 */
export function createUpstreamPools(options: UpstreamPoolOptions): UpstreamPools {
  const pools = new Map<string, Pool>();
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
  return {
    get(origin) {
      let pool = pools.get(origin);
      if (pool === undefined) {
        pool = new Pool(origin, poolOptions);
        pools.set(origin, pool);
      }
      return pool;
    },
    async close() {
      const closing = [...pools.values()].map((pool) => pool.close().catch(() => pool.destroy()));
      pools.clear();
      await Promise.all(closing);
    },
  };
}
