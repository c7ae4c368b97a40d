import { createKeyVerifier, createOrgStateCache } from '@navplane/auth';
import { providerRegistrySettings } from '@navplane/config';
import {
  createPolicyStore,
  createRedactionPool,
  createRedactorCache,
  PLACEHOLDER_SALT_SECRET,
  type DetectorId,
  type RedactionPool,
  type Redactor,
} from '@navplane/policy';
import { createProviderRegistry, type ProviderAdapter } from '@navplane/providers';
import { createLimitStore } from '@navplane/limits';
import { createRouteStore } from '@navplane/routing';
import { createAppAuthThrottle, type Runtime, type ServerSpec } from '@navplane/runtime';
import {
  createBatchingTraceWriter,
  createDiscardingTraceWriter,
  createRetentionSweeper,
  openTraceStorage,
  type BatchingTraceWriter,
  type RetentionSweeper,
  type TraceStorage,
} from '@navplane/trace';
import { CHANGE_FEED_RESYNC_TOPIC, CHANGE_TOPICS } from '@navplane/storage';
import { createApp, type GatewayDeps } from './app';
import { createGatewayBudgets, type GatewayBudgets, type GatewayBudgetsOptions } from './budgets/gateway-budgets';
import { gatewayDiagnostics } from './gateway-diagnostics';
import { createGatewayLimits } from './gateway-limits';
import { createGatewayMetrics } from './gateway-metrics';
import { createUpstreamPools } from './proxy/upstream-pools';
import { createGatewayTelemetry } from './telemetry/request-telemetry';
import { createCircuitBreakers } from './routing/circuit-breakers';
import type { RouteSource } from './routing/route-source';
import type { Random } from './routing/target-order';
import { createDropLog } from './trace/drop-log';
import { createGatewayWebSockets, registerWebSocketMetrics } from './websocket/gateway-websockets';
import type { WebSocketProxy } from './websocket/websocket-proxy';

/** The gateway app as a server to start, with its trace writer (flushed at shutdown). */
export interface GatewayServer extends ServerSpec {
  readonly traceWriter: BatchingTraceWriter;
  /** Where large bodies are redacted, off the event loop (NAVPLANE_POLICY_WORKERS). */
  readonly redactionPool: RedactionPool;
  /** The WebSocket proxy (Realtime, Responses over WebSocket): the server's upgrade handler. */
  readonly upgrades: WebSocketProxy;
  /** Spend budgets and alerts (docs/limits.md). */
  readonly budgets: GatewayBudgets;
}

/**
 * Wires the gateway from a process runtime: key verifier and org kill-switch cache (change-feed
 * evicted), the runtime's vault, the provider registry, the batching trace writer on its own
 * connection (flushed at shutdown; `NAVPLANE_TRACE_SINK=none` discards instead) and the trace
 * retention sweeper (`NAVPLANE_TRACE_RETENTION_DAYS`, 0 = off).
 */
export interface GatewayServerOptions {
  /** The orgs' routing tables (docs/routing.md); default: the routes store over the database, change-feed evicted. */
  readonly routes?: RouteSource;
  /** The weighted pick of `loadbalance` routes and the backoff jitter (Math.random unless a test seeds one). */
  readonly random?: Random;
  /** Budgets and spend alerts: the limits source, Redis for shared reservations, the clock (defaults: see createGatewayBudgets). */
  readonly budgets?: GatewayBudgetsOptions;
}

export async function createGatewayServer(runtime: Runtime, options: GatewayServerOptions = {}): Promise<GatewayServer> {
  const { config, changeFeed, logger } = runtime;
  const { repos, vault } = runtime;
  const onError = (error: unknown) => logger.warn('gateway cache error', { err: error });

  const orgStates = createOrgStateCache({ repos, changeFeed, onError });
  const verifier = createKeyVerifier({ repos, changeFeed, orgStates, onError });
  const policies = createPolicyStore({ policies: repos.policies, changeFeed, onError });
  // Every org's routing table in memory, evicted by routes.changed: a warm request reads no route from the database.
  const routeStore = createRouteStore({ routes: repos.routes, changeFeed, onError });
  // Every org's limits in memory, evicted by limits.changed (docs/limits.md): a warm request reads none from the database.
  const limitStore = createLimitStore({ limits: repos.limits, changeFeed, onError });
  await orgStates.start();
  await verifier.start();
  await policies.start();
  await limitStore.start();
  // rpm, tpm and concurrency counters: on the runtime's Redis when NAVPLANE_REDIS_URL is set, else in this process.
  const limits = createGatewayLimits(runtime);
  if (options.routes === undefined) await routeStore.start();

  // Redactors per org salt and detector set (the vault caches the salt itself): a rotated salt is a new entry.
  const redactors = createRedactorCache(10_000);
  const getRedactor = async (orgId: string, detectors: readonly DetectorId[]): Promise<Redactor | undefined> => {
    const salt = await vault.getOrCreateOrgSecret(orgId, PLACEHOLDER_SALT_SECRET);
    if (!salt.ok) return undefined;
    return redactors.get({ salt: salt.key, detectors }); // base64 text: decoded only when a redactor is built
  };

  let traceStorage: TraceStorage | undefined;
  let sweeper: RetentionSweeper | undefined;
  let traceWriter: BatchingTraceWriter;
  // `traces dropped` lines: a full queue under overload is summed once per 10 s instead of a line per request.
  const dropLog = createDropLog(logger);
  if (config.traceSink === 'none') {
    traceWriter = createDiscardingTraceWriter();
  } else {
    traceStorage = await openTraceStorage({ shared: runtime.database, url: config.databaseUrl });
    traceWriter = createBatchingTraceWriter({
      traces: traceStorage.traces,
      queueSize: config.traceQueueSize,
      batchSize: config.traceBatchSize,
      flushIntervalMs: config.traceFlushMs,
      onDrop: dropLog.onDrop,
      // A database outage: traces queue up and are retried until it is back (docs/traces.md).
      onOutage: (event) =>
        event.state === 'retrying'
          ? logger.warn('trace writes failing: database unavailable, retrying', { queueDepth: event.queueDepth, err: event.error })
          : logger.info('trace writes recovered', {
              outageMs: Math.round(event.outageMs),
              failedAttempts: event.failedAttempts,
              queueDepth: event.queueDepth,
            }),
    });
    if (config.traceRetentionDays > 0) {
      sweeper = createRetentionSweeper({
        traces: traceStorage.traces,
        traceForks: traceStorage.traceForks,
        retentionDays: config.traceRetentionDays,
        intervalMs: config.traceRetentionSweepMs,
        onSwept: (result) => logger.info('trace retention sweep', { ...result }),
        onError: (error) => logger.warn('trace retention sweep failed', { err: error }),
      });
      sweeper.start();
    }
  }
  const upstreamPools = createUpstreamPools({
    connectTimeoutMs: config.upstreamConnectTimeoutMs,
    upstreamTimeoutMs: config.upstreamTimeoutMs,
    // Connections to a tenant's endpoint (Azure OpenAI) check its address every time (NAVPLANE_UPSTREAM_ALLOWLIST).
    tenantLookup: runtime.egress.lookup,
  });
  const redactionPool = createRedactionPool(config.policyWorkers > 0 ? { size: config.policyWorkers } : {});
  await redactionPool.ready(); // a broken install fails at start-up, not on the first large body
  runtime.onShutdown(async () => {
    await upstreamPools.close();
    // Before the trace flush: pending stored-copy redactions settle (no body stored) and their traces are queued.
    await redactionPool.close();
    await sweeper?.close();
    let flushed;
    try {
      flushed = await traceWriter.close(Math.min(config.shutdownGraceMs, 10_000));
    } finally {
      dropLog.flush();
    }
    logger.info('trace queue flushed', flushed);
    await traceStorage?.close();
    await verifier.close();
    await orgStates.close();
    await policies.close();
    await routeStore.close();
    await limitStore.close();
    limits.counters.close();
  });

  // Each built-in provider's operator-set base URL, by provider id (docs/configuration.md).
  const registry = createProviderRegistry(providerRegistrySettings(config));
  const breakers = createCircuitBreakers({
    failures: config.breakerFailures,
    cooldownMs: config.breakerCooldownMs,
    metrics: runtime.metrics,
  });
  // Budgets read the same limit store as the counters, and share reservations through the runtime's Redis when there is one.
  const budgets = await createGatewayBudgets(runtime, {
    limits: limitStore,
    ...(runtime.redis === undefined
      ? {}
      : { redis: { client: runtime.redis, prefix: config.redisPrefix }, failOpen: config.limitsFailMode === 'open' }),
    ...(limits.onBudgetStoreError === undefined ? {} : { onStoreError: limits.onBudgetStoreError }),
    ...options.budgets,
  });
  const deps: GatewayDeps = {
    logger,
    readiness: runtime.readiness,
    metrics: runtime.metrics,
    trustProxy: config.trustProxy,
    registry,
    verifyKey: (presented) => verifier.verify(presented),
    authThrottle: createAppAuthThrottle(runtime, 'gateway'),
    getProviderKey: (orgId, provider, name) => vault.getProviderKey(orgId, provider, name),
    routes: options.routes ?? routeStore,
    breakers,
    routeTimeouts: { deadlineMs: config.upstreamTimeoutMs, attemptTimeoutMs: config.routeAttemptTimeoutMs },
    ...(options.random === undefined ? {} : { random: options.random }),
    limits: limitStore,
    limitCounters: limits.counters,
    limitsFailMode: config.limitsFailMode,
    onLimitRefused: limits.onRefused,
    policies,
    getRedactor,
    captureBodies: config.captureBodies,
    captureMaxBytes: config.captureMaxBytes,
    policyLimits: { maxBodyBytes: config.policyMaxBodyBytes, timeoutMs: config.policyTimeoutMs, pool: redactionPool },
    traceSink: traceWriter,
    gatewayMetrics: createGatewayMetrics(runtime.metrics, () => traceWriter.stats()),
    maxBodyBytes: config.maxBodyBytes,
    upstreamPools,
    ...(runtime.otel === undefined ? {} : { telemetry: createGatewayTelemetry(runtime.otel) }),
    budgets: budgets.engine,
  };
  const app = createApp(deps);
  const upgrades = createGatewayWebSockets(deps, {
    idleTimeoutMs: config.wsIdleTimeoutMs,
    maxSessionMs: config.wsMaxSessionMs,
    connectTimeoutMs: config.upstreamConnectTimeoutMs,
    maxMessageBytes: config.maxBodyBytes,
  });
  registerWebSocketMetrics(runtime.metrics, upgrades);
  // GET /admin/diagnostics of this process (when the admin API runs here too) reads these when asked.
  runtime.diagnostics.addApp(
    'gateway',
    gatewayDiagnostics({
      traces: {
        sink: config.traceSink === 'none' ? 'none' : 'database',
        capacity: config.traceSink === 'none' ? 0 : config.traceQueueSize,
        stats: () => traceWriter.stats(),
      },
      breakers,
      upstreamPools,
      websockets: () => upgrades.live(),
    }),
  );
  // A kill switch or a revoked key reaches live sessions too: after the caches forgot the old state (they subscribed
  // first), the affected sessions' keys are verified again and those refused are closed with 1008.
  const recheckFailed = (error: unknown) => logger.warn('websocket session re-check failed', { err: error });
  const unsubscribe = [
    changeFeed.subscribe(CHANGE_TOPICS.orgChanged, (payload) => {
      upgrades.recheck((session) => session.orgId === payload['orgId']).catch(recheckFailed);
    }),
    changeFeed.subscribe(CHANGE_TOPICS.gatewayKeyChanged, (payload) => {
      upgrades.recheck((session) => session.keyId === payload['keyId']).catch(recheckFailed);
    }),
    changeFeed.subscribe(CHANGE_FEED_RESYNC_TOPIC, () => {
      upgrades.recheck().catch(recheckFailed);
    }),
  ];
  runtime.onShutdown(() => {
    for (const stop of unsubscribe) stop();
    return Promise.resolve();
  });
  const onListening = (url: string) => {
    const upstreams = Object.fromEntries(registry.ids.map((id) => [id, registry.baseUrl(id) ?? '(the tenant’s own, stored with its key)']));
    logger.info(
      `provider upstreams: ${Object.entries(upstreams)
        .map(([id, base]) => `${id} ${base}`)
        .join(', ')}`,
      { upstreams },
    );
    const sdk = sdkBaseUrls(registry.adapters, url);
    logger.info(
      `point the SDKs here: ${Object.entries(sdk)
        .map(([name, value]) => `${name}=${value}`)
        .join(' ')} (key: a NavPlane key, np_…)`,
      {
        sdkBaseUrls: sdk,
      },
    );
  };
  return { name: 'gateway', app, port: config.gatewayPort, onListening, traceWriter, redactionPool, upgrades, budgets };
}

/**
 * The base-URL variables of every provider's SDK (`sdkEnvironment`) for a gateway listening at `url`; a wildcard
 * bind address (0.0.0.0, ::) is shown as loopback, which is where a client on this machine reaches it.
 */
export function sdkBaseUrls(adapters: readonly ProviderAdapter[], url: string): Record<string, string> {
  const origin = url.replace(/^http:\/\/(?:0\.0\.0\.0|\[::\])(?=:|$)/, 'http://127.0.0.1').replace(/\/+$/, '');
  return Object.fromEntries(
    adapters.flatMap((adapter) => (adapter.sdkEnvironment?.baseUrl ?? []).map(({ name, path }) => [name, `${origin}${path}`])),
  );
}
