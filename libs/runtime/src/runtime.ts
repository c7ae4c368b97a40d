import { maskDatabaseUrl, type NavPlaneConfig } from '@navplane/config';
import { createEgressGuard, parseEgressAllowlist, type EgressGuard, type ResolveAll } from '@navplane/egress';
import { Readiness, type CheckResult } from '@navplane/http';
import {
  createChangeFeed,
  createRepositories,
  getMigrationStatus,
  migrateToLatest,
  openDatabase,
  type ChangeFeed,
  type Database,
  type Repositories,
} from '@navplane/storage';
import { createKeyring, createVault, type Vault } from '@navplane/vault';
import {
  createLogger,
  createMetricsRegistry,
  registerCacheMetrics,
  type Logger,
  type MetricsRegistry,
  type OpenTelemetry,
} from '@navplane/telemetry';
import type { Redis } from 'ioredis';
import { startProcessTelemetry } from './process-telemetry';
import { closeRedis, openRedis } from './redis-client';
import { describeError } from './describe-error';
import { createDiagnostics, type Diagnostics } from './diagnostics';
import { resolveMasterKey, type LoadedMasterKey } from './master-key';

/** Work to do at shutdown after the servers stopped (e.g. flush the trace queue), in order. */
export type ShutdownHook = () => Promise<void>;

/** Everything a NavPlane process shares between its apps. */
export interface Runtime {
  readonly config: NavPlaneConfig;
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  readonly database: Database;
  readonly changeFeed: ChangeFeed;
  readonly masterKey: LoadedMasterKey;
  /** One repository per table over `database`. */
  readonly repos: Repositories;
  /** Provider keys, envelope-encrypted under the master keyring (current + NAVPLANE_MASTER_KEY_PREVIOUS). */
  readonly vault: Vault;
  /** Shared readiness: database reachable, migrations current, vault unlocked, not draining. */
  readonly readiness: Readiness;
  /**
   * The egress rules for tenant-supplied URLs (NAVPLANE_UPSTREAM_ALLOWLIST; docs/security-egress.md): checked when a
   * URL is stored (`checkResolved`) and at every connection to it (`lookup`).
   */
  readonly egress: EgressGuard;
  /** OpenTelemetry, when an OTLP endpoint is set (docs/observability.md); flushed and stopped by `close`. */
  readonly otel?: OpenTelemetry;
  /**
   * The process's one Redis client when NAVPLANE_REDIS_URL is set (limit counters, brute-force throttling; every key
   * under NAVPLANE_REDIS_PREFIX); closed by `close` after the shutdown hooks.
   */
  readonly redis?: Redis;
  /** This process's diagnostics report (`GET /admin/diagnostics`): the apps register what they report. */
  readonly diagnostics: Diagnostics;
  /** Registers work to run at shutdown, after the servers drained and before the DB closes. */
  onShutdown(hook: ShutdownHook): void;
  /** Runs the shutdown hooks, closes the change feed and the database. Idempotent. */
  close(): Promise<void>;
}

/** Options for createRuntime. */
export interface CreateRuntimeOptions {
  /** A logger to use instead of the JSON stdout logger (tests). */
  logger?: Logger;
  /** Apply pending migrations at start-up (default true). */
  migrate?: boolean;
  /** Where the generated master key lives (default ./data/master.key). */
  masterKeyFile?: string;
  /** Name resolution of the egress guard (default: the system resolver); tests pass one they control. */
  resolveAll?: ResolveAll;
}

/** The egress guard of `config`'s NAVPLANE_UPSTREAM_ALLOWLIST (already validated by the config schema). */
export function egressGuardOf(config: Pick<NavPlaneConfig, 'upstreamAllowlist'>, resolveAll?: ResolveAll): EgressGuard {
  const allowlist = parseEgressAllowlist(config.upstreamAllowlist);
  if (!allowlist.ok) throw new Error(`NAVPLANE_UPSTREAM_ALLOWLIST: ${allowlist.error}`);
  return createEgressGuard({ allowlist: allowlist.value, ...(resolveAll === undefined ? {} : { resolveAll }) });
}

/**
 * Builds the shared runtime: logger, metrics, database (migrated), master key, change feed and
 * readiness checks. Throws with a one-line message when start-up cannot proceed.
 */
export async function createRuntime(config: NavPlaneConfig, options: CreateRuntimeOptions = {}): Promise<Runtime> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const egress = egressGuardOf(config, options.resolveAll);
  const masterKey = await resolveMasterKey({
    configured: config.masterKey,
    production: config.nodeEnv === 'production',
    filePath: options.masterKeyFile,
  });
  if (!masterKey.ok) throw new Error(masterKey.error);
  if (masterKey.value.source === 'generated') {
    logger.warn('generated a master key because NAVPLANE_MASTER_KEY is not set; back it up and set NAVPLANE_MASTER_KEY in production', {
      path: masterKey.value.path,
    });
  } else if (masterKey.value.source === 'file') {
    logger.warn('using the master key file because NAVPLANE_MASTER_KEY is not set', { path: masterKey.value.path });
  }

  const metrics = createMetricsRegistry();
  // Every cache of the process (keys, admin tokens, org states, policies, vault lookups, redactors), by name.
  registerCacheMetrics(metrics);
  // How long a change published by another process (admin API, CLI, another gateway) took to arrive here:
  // the bound on how stale a kill switch or a revocation can be on this instance.
  const changeLag = metrics.histogram({
    name: 'navplane_change_feed_lag_ms',
    help: 'Time from a change being published by another process to its arrival here (ms)',
    labelNames: ['topic'] as const,
    buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500],
  });
  const database = await openDatabase({ url: config.databaseUrl, poolSize: config.databasePoolSize });
  // Which database this process uses (the CLI must be given the same NAVPLANE_DATABASE_URL), password masked.
  logger.info(`database: ${database.dialect} at ${maskDatabaseUrl(config.databaseUrl)}`, { dialect: database.dialect });
  const perProcess = limitsCountedPerProcess(config, database.dialect);
  if (perProcess !== undefined) logger.warn(perProcess);
  const hooks: ShutdownHook[] = [];
  let changeFeed: ChangeFeed | undefined;
  try {
    if (options.migrate ?? true) {
      const { applied } = await migrateToLatest(database);
      if (applied.length > 0) logger.info('applied migrations', { migrations: applied });
    }
    changeFeed = createChangeFeed(database, {
      pollIntervalMs: config.changeFeedPollMs,
      onError: (error: unknown) => logger.warn('change feed error', { err: error }),
      onRemoteDelivery: (topic, lagMs) => changeLag.observe({ topic }, lagMs),
    });
    await changeFeed.start();
  } catch (error) {
    await changeFeed?.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    throw error;
  }

  const feed = changeFeed;
  const repos = createRepositories(database);
  const keyring = createKeyring({ current: masterKey.value.key, previous: [...config.masterKeyPrevious] });
  const vault = createVault({
    keyring,
    providerKeys: repos.providerKeys,
    changeFeed: feed,
    onError: (error) => logger.warn('vault storage error', { err: error }),
  });
  const readiness = new Readiness({
    checks: {
      database: () => checkDatabase(database),
      migrations: () => checkMigrations(database),
      vault: cachedCheck(() => checkVault(vault), 5_000),
    },
  });

  const otel = startProcessTelemetry(config, logger, metrics);
  // Last of the start-up: nothing after it can fail and leave the client reconnecting in a process that did not start.
  const redis = config.redisUrl === undefined ? undefined : await openRedis(config.redisUrl, logger);
  let closing: Promise<void> | undefined;
  return {
    config,
    logger,
    metrics,
    database,
    changeFeed: feed,
    masterKey: masterKey.value,
    repos,
    vault,
    readiness,
    egress,
    ...(otel === undefined ? {} : { otel }),
    ...(redis === undefined ? {} : { redis }),
    diagnostics: createDiagnostics({ config, database, changeFeed: feed }),
    onShutdown: (hook) => {
      hooks.push(hook);
    },
    close: () => {
      closing ??= (async () => {
        for (const hook of hooks) {
          try {
            await hook();
          } catch (error) {
            logger.error('shutdown hook failed', { err: error });
          }
        }
        // After the hooks (the last requests' spans are ended): what is queued is exported, then the SDK stops.
        // Bounded: an unreachable collector (its exporter retrying) must not hold the exit up.
        if (otel !== undefined) {
          const flushed = await Promise.race([
            otel.shutdown().then(
              () => true,
              (error: unknown) => (logger.warn('OpenTelemetry shutdown failed', { err: error }), true),
            ),
            new Promise<false>((resolve) => setTimeout(resolve, Math.min(config.shutdownGraceMs, 5_000), false).unref()),
          ]);
          if (!flushed) logger.warn('OpenTelemetry flush cut off at shutdown: the collector did not answer in time');
        }
        vault.close();
        if (redis !== undefined) await closeRedis(redis);
        await feed.close().catch((error: unknown) => logger.warn('change feed close failed', { err: error }));
        await database.close();
      })();
      return closing;
    },
  };
}

/**
 * The start-up warning of a deployment that may run several instances (Postgres) without NAVPLANE_REDIS_URL: limits are
 * then counted by each process alone (docs/limits.md, "Across instances"). Undefined when it does not apply.
 */
export function limitsCountedPerProcess(config: Pick<NavPlaneConfig, 'redisUrl'>, dialect: string): string | undefined {
  if (dialect !== 'postgres' || config.redisUrl !== undefined) return undefined;
  return 'NAVPLANE_REDIS_URL is not set: rate limits (rpm, tpm, concurrency) are counted per process, so N gateway instances together allow up to N times each limit; set NAVPLANE_REDIS_URL to share them';
}

/**
 * Reuses a check's result for `ttlMs`: probes hit /readyz every few seconds and the vault check reads
 * every stored key's wrapping, so it need not run on each probe.
 */
function cachedCheck(check: () => Promise<CheckResult>, ttlMs: number): () => Promise<CheckResult> {
  let last: { at: number; result: Promise<CheckResult> } | undefined;
  return () => {
    const now = Date.now();
    if (last === undefined || now - last.at > ttlMs) last = { at: now, result: check() };
    return last.result;
  };
}

/** Readiness check: the master key works and every stored provider key's master key is held. */
export async function checkVault(vault: Vault): Promise<CheckResult> {
  const status = await vault.verifyUnlocked();
  if (status.ready) return { ok: true };
  return { ok: false, reason: status.problems.join('; ') || 'vault locked' };
}

/** Readiness check: the database answers a trivial query. */
export async function checkDatabase(database: Database): Promise<CheckResult> {
  try {
    await database.ping();
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: `database unreachable: ${describeError(error)}` };
  }
}

/** Readiness check: no migration is pending (lists them otherwise). */
export async function checkMigrations(database: Database): Promise<CheckResult> {
  try {
    const status = await getMigrationStatus(database);
    if (status.current) return { ok: true };
    return {
      ok: false,
      reason: `${status.pending.length} pending migration(s)`,
      details: { pending: status.pending },
    };
  } catch (error) {
    return { ok: false, reason: `migration status unknown: ${describeError(error)}` };
  }
}
