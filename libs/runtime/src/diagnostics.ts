import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { maskDatabaseUrl, type NavPlaneConfig } from '@navplane/config';
import { cacheCountsSnapshot, cacheSizesSnapshot } from '@navplane/core';
import { getMigrationStatus, type ChangeFeed, type Database } from '@navplane/storage';
import { describeError } from './describe-error';

/** The `schemaVersion` of the diagnostics report; a field is renamed or removed only with a new one. */
export const DIAGNOSTICS_SCHEMA_VERSION = 1;

/** The apps a NavPlane process can run. */
export type AppName = 'gateway' | 'admin';

/** Why traces were not written (as the trace writer counts them). */
export interface TraceDropCounts {
  queue_full: number;
  write_failed: number;
  shutdown: number;
}

/** The trace queue of a gateway: pressure, and what was written and dropped since it started. */
export interface TraceQueueDiagnostics {
  /** `database` (the batching writer) or `none` (NAVPLANE_TRACE_SINK=none: every trace discarded on purpose, never counted as dropped). */
  sink: 'database' | 'none';
  /** Traces waiting to be written. */
  queueDepth: number;
  /** NAVPLANE_TRACE_QUEUE_SIZE (0 with the `none` sink). */
  queueCapacity: number;
  /** queueDepth / queueCapacity, 0..1: at 1 the next trace is dropped (`queue_full`). */
  pressure: number;
  /** The deepest the queue has been. */
  highWaterMark: number;
  enqueued: number;
  written: number;
  /** Traces dropped, by reason. */
  dropped: TraceDropCounts;
  /** Their sum. */
  droppedTotal: number;
  batches: number;
  failedBatches: number;
  /** Duration of the last batch write, ms. */
  lastBatchMs: number;
}

/** One circuit breaker of a routed target (docs/routing.md, "Circuit breakers"). */
export interface BreakerDiagnostics {
  orgId: string;
  provider: string;
  /** The target's upstream base URL (credentials, query and fragment removed). */
  baseUrl: string;
  model: string;
  keyName: string;
  state: 'closed' | 'open' | 'half_open';
  /** Consecutive counted failures. */
  failures: number;
  /** When it last opened (ISO-8601), null when it has not (a closed breaker with recent failures). */
  openedAt: string | null;
  /** When an open breaker lets a probe through (ISO-8601), null unless open. */
  probeAt: string | null;
}

/** The gateway's circuit breakers in this process. */
export interface BreakersDiagnostics {
  /** Breakers kept: open, half-open, and closed ones with recent failures (a healthy target has none). */
  total: number;
  open: number;
  halfOpen: number;
  closed: number;
  /** Open first, then half-open, then closed; at most BREAKER_LIST_LIMIT. */
  breakers: BreakerDiagnostics[];
  /** More breakers exist than are listed. */
  truncated: boolean;
}

/** One upstream connection pool (one per origin). */
export interface UpstreamPoolDiagnostics {
  origin: string;
  /** A tenant's endpoint (a base URL stored with a key), reached through the egress guard. */
  tenant: boolean;
  connected: number;
  free: number;
  running: number;
  pending: number;
}

/** The gateway's upstream pools in this process. */
export interface UpstreamPoolsDiagnostics {
  pools: number;
  connected: number;
  free: number;
  running: number;
  pending: number;
  byOrigin: UpstreamPoolDiagnostics[];
}

/** What a gateway running in this process reports. */
export interface GatewayDiagnostics {
  traces: TraceQueueDiagnostics;
  circuitBreakers: BreakersDiagnostics;
  upstreamPools: UpstreamPoolsDiagnostics;
  /** Proxied WebSocket sessions open now. */
  websockets: { open: number };
}

/** Most breakers a report lists (the counts cover every one). */
export const BREAKER_LIST_LIMIT = 200;

/** The diagnostics report of one NavPlane process (`GET /admin/diagnostics`, `navplane doctor --admin-url`). */
export interface DiagnosticsReport {
  schemaVersion: typeof DIAGNOSTICS_SCHEMA_VERSION;
  generatedAt: string;
  /** Which process the figures describe: everything below is this process's own, never a cluster's. */
  process: {
    pid: number;
    hostname: string;
    /** The apps this process runs (`navplane serve`: both; `--only`: one). */
    apps: AppName[];
    /** NavPlane's version. */
    version: string;
    nodeVersion: string;
    startedAt: string;
    uptimeSeconds: number;
    /** One sentence saying whose figures these are and where the others are. */
    scope: string;
  };
  database: {
    dialect: 'sqlite' | 'postgres';
    /** NAVPLANE_DATABASE_URL with its password masked. */
    url: string;
    reachable: boolean;
    /** How long a trivial query took, ms (null when unreachable). */
    latencyMs: number | null;
    /** Why it is unreachable: an error code or class, never a driver message (null when reachable). */
    error: string | null;
    /** Pending migrations (null when the database is unreachable). */
    migrations: { current: boolean; pending: string[] } | null;
  };
  changeFeed: {
    transport: 'listen-notify' | 'poll';
    state: 'new' | 'starting' | 'started' | 'closed';
    /** SQLite: NAVPLANE_CHANGE_FEED_POLL_MS (null on Postgres). */
    pollIntervalMs: number | null;
    published: number;
    received: number;
    resyncs: number;
    errors: number;
    lastPublishedAt: string | null;
    lastReceivedAt: string | null;
    /** The later of the two: when this process last saw a change. */
    lastEventAt: string | null;
    /** ms since lastEventAt (null: no change seen yet). */
    lastEventAgeMs: number | null;
    /** How long the last change from another process took to arrive, ms. */
    lastReceivedLagMs: number | null;
    /** The longest any did, ms. */
    maxReceivedLagMs: number | null;
    lastErrorAt: string | null;
  };
  /** This process's caches by name: what the live ones hold, and lookups since start. */
  caches: Array<{
    cache: string;
    instances: number;
    size: number;
    maxEntries: number;
    hits: number;
    misses: number;
    /** hits / (hits + misses), null before the first lookup. */
    hitRate: number | null;
  }>;
  /** The gateway of this process; null when it runs no gateway (a gateway elsewhere reports its own through its /metrics). */
  gateway: GatewayDiagnostics | null;
}

/** A process's diagnostics: its apps register, the admin API reports. */
export interface Diagnostics {
  /** Declares an app running in this process; the gateway passes what it reports. */
  addApp(name: 'gateway', report: () => GatewayDiagnostics): void;
  addApp(name: 'admin'): void;
  /** The report now (reads the database once: a ping and the migration status, each bounded). */
  report(): Promise<DiagnosticsReport>;
}

/** Options of createDiagnostics. */
export interface DiagnosticsOptions {
  readonly config: Pick<NavPlaneConfig, 'databaseUrl' | 'changeFeedPollMs'>;
  readonly database: Database;
  readonly changeFeed: Pick<ChangeFeed, 'stats'>;
  /** Longest a database probe may take (default 2000 ms). */
  readonly probeTimeoutMs?: number;
  /** Time source, ms (default Date.now). */
  readonly now?: () => number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

// Read at run time (src/ under Jest, dist/ when built: both sit next to package.json's folder). Every workspace
// package carries the release's version (npm run release:version).
function readVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** NavPlane's version, as the diagnostics report states it. */
export const NAVPLANE_VERSION = readVersion();

/** The diagnostics of a process whose runtime is made of `options`. */
export function createDiagnostics(options: DiagnosticsOptions): Diagnostics {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const timeoutMs = options.probeTimeoutMs ?? 2000;
  const apps = new Set<AppName>();
  let gateway: (() => GatewayDiagnostics) | undefined;

  const database = async (): Promise<DiagnosticsReport['database']> => {
    const { database: db, config } = options;
    const base = { dialect: db.dialect, url: maskDatabaseUrl(config.databaseUrl) };
    const started = performance.now();
    try {
      await bounded(db.ping(), timeoutMs);
    } catch (error) {
      return { ...base, reachable: false, latencyMs: null, error: describeError(error), migrations: null };
    }
    const latencyMs = Math.round((performance.now() - started) * 100) / 100;
    const migrations = await bounded(getMigrationStatus(db), timeoutMs).then(
      (status) => ({ current: status.current, pending: [...status.pending] }),
      () => null,
    );
    return { ...base, reachable: true, latencyMs, error: null, migrations };
  };

  const changeFeed = (at: number): DiagnosticsReport['changeFeed'] => {
    const stats = options.changeFeed.stats();
    const last = Math.max(stats.lastPublishedAt ?? -1, stats.lastReceivedAt ?? -1);
    return {
      transport: stats.transport,
      state: stats.state,
      pollIntervalMs: stats.transport === 'poll' ? options.config.changeFeedPollMs : null,
      published: stats.published,
      received: stats.received,
      resyncs: stats.resyncs,
      errors: stats.errors,
      lastPublishedAt: iso(stats.lastPublishedAt),
      lastReceivedAt: iso(stats.lastReceivedAt),
      lastEventAt: last < 0 ? null : iso(last),
      lastEventAgeMs: last < 0 ? null : Math.max(0, at - last),
      lastReceivedLagMs: stats.lastReceivedLagMs,
      maxReceivedLagMs: stats.maxReceivedLagMs,
      lastErrorAt: iso(stats.lastErrorAt),
    };
  };

  const caches = (): DiagnosticsReport['caches'] => {
    const counts = new Map(cacheCountsSnapshot().map((sample) => [sample.cache, sample]));
    return cacheSizesSnapshot()
      .map(({ cache, instances, size, maxEntries }) => {
        const hits = counts.get(cache)?.hits ?? 0;
        const misses = counts.get(cache)?.misses ?? 0;
        const lookups = hits + misses;
        return { cache, instances, size, maxEntries, hits, misses, hitRate: lookups === 0 ? null : hits / lookups };
      })
      .sort((a, b) => (a.cache < b.cache ? -1 : 1));
  };

  return {
    addApp(name: AppName, report?: () => GatewayDiagnostics) {
      apps.add(name);
      if (name === 'gateway' && report !== undefined) gateway = report;
    },
    async report() {
      const db = await database();
      const at = now();
      const running = (['gateway', 'admin'] as const).filter((app) => apps.has(app));
      const host = hostname();
      return {
        schemaVersion: DIAGNOSTICS_SCHEMA_VERSION,
        generatedAt: new Date(at).toISOString(),
        process: {
          pid: process.pid,
          hostname: host,
          apps: running,
          version: NAVPLANE_VERSION,
          nodeVersion: process.version,
          startedAt: new Date(startedAt).toISOString(),
          uptimeSeconds: Math.round((at - startedAt) / 100) / 10,
          scope: scopeOf(process.pid, host, running, gateway !== undefined),
        },
        database: db,
        changeFeed: changeFeed(at),
        caches: caches(),
        gateway: gateway?.() ?? null,
      };
    },
  };
}

function scopeOf(pid: number, host: string, apps: readonly AppName[], gateway: boolean): string {
  const own = `figures of this process only (pid ${pid} on ${host}, running ${apps.length === 0 ? 'no app yet' : apps.join(' and ')})`;
  if (gateway) {
    return `${own}; other gateway instances count their own traces, breakers and pools: read each one's /metrics`;
  }
  return `${own}; no gateway runs in this process (gateway is null): each gateway instance reports its trace queue, breakers and pools on its own /metrics`;
}

function bounded<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`timed out after ${ms} ms`), { code: 'ETIMEDOUT' })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
