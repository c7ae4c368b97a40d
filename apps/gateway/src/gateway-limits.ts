import {
  createLimitCounters,
  createMemoryCounterStore,
  createRedisCounterStore,
  type CountedLimit,
  type LimitCounters,
} from '@navplane/limits';
import type { Runtime } from '@navplane/runtime';

/** The gateway's limit counters and what it tells of refusals. */
export interface GatewayLimits {
  readonly counters: LimitCounters;
  /** Counts one refusal by a limit (`navplane_limits_refused_total`). */
  readonly onRefused: (limit: CountedLimit | 'unavailable') => void;
  /** A failed Redis call of the budget reservations (metric; one warning per outage); absent without Redis. */
  readonly onBudgetStoreError?: (error: unknown, first: boolean) => void;
}

/**
 * The rpm/tpm/concurrency counters of this process (docs/limits.md): on the runtime's Redis when NAVPLANE_REDIS_URL is
 * set (shared by every instance), else in memory. With Redis, NAVPLANE_LIMITS_FAIL_MODE=open counts in memory while it
 * cannot be reached (one warning per outage, one info line when it is back), `closed` refuses with 503
 * `limits_unavailable`; every failed Redis call is counted in `navplane_limits_backend_errors_total`.
 */
export function createGatewayLimits(runtime: Pick<Runtime, 'config' | 'redis' | 'metrics' | 'logger'>): GatewayLimits {
  const { config, metrics, logger, redis } = runtime;
  const refused = metrics.counter({
    name: 'navplane_limits_refused_total',
    help: 'Requests refused by a rate limit, by limit (rpm, tpm, concurrency; unavailable: fail-closed while Redis is down)',
    labelNames: ['limit'] as const,
  });
  const onRefused = (limit: CountedLimit | 'unavailable') => refused.inc({ limit });
  if (redis === undefined) return { counters: createLimitCounters({ store: createMemoryCounterStore() }), onRefused };

  const backendErrors = metrics.counter({
    name: 'navplane_limits_backend_errors_total',
    help: 'Limit counter and budget reservation calls to Redis that failed (the request was then counted in memory, or refused, per NAVPLANE_LIMITS_FAIL_MODE)',
  });
  const failOpen = config.limitsFailMode === 'open';
  /** A failed Redis call of the counters or the budgets: counted every time, warned once per outage, saying what now happens. */
  const storeErrorReporter =
    (warning: { open: string; closed: string }) =>
    (error: unknown, first: boolean): void => {
      backendErrors.inc();
      if (first) logger.warn(failOpen ? warning.open : warning.closed, { err: error instanceof Error ? error.message : 'error' });
    };
  const onBudgetStoreError = storeErrorReporter({
    open: 'budgets: Redis cannot be reached; reservations are held in this process until it is back (NAVPLANE_LIMITS_FAIL_MODE=open)',
    closed:
      'budgets: Redis cannot be reached; requests under a budget get 503 limits_unavailable until it is back (NAVPLANE_LIMITS_FAIL_MODE=closed)',
  });

  const counters = createLimitCounters({
    store: createRedisCounterStore({
      client: redis,
      prefix: config.redisPrefix,
      onRenewError: () => backendErrors.inc(),
    }),
    ...(failOpen ? { fallback: createMemoryCounterStore() } : {}),
    onStoreError: storeErrorReporter({
      open: 'limits: Redis cannot be reached; counting in this process until it is back (NAVPLANE_LIMITS_FAIL_MODE=open)',
      closed:
        'limits: Redis cannot be reached; requests under a limit get 503 limits_unavailable until it is back (NAVPLANE_LIMITS_FAIL_MODE=closed)',
    }),
    onStoreRecovered: () => logger.info('limits: Redis answers again; counting there'),
  });
  return { counters, onRefused, onBudgetStoreError };
}
