import {
  authFailureLimiterOptions,
  createAuthThrottle,
  createMemoryAuthFailureCounter,
  NO_AUTH_THROTTLE,
  rateLimiterAuthFailureCounter,
  type AuthFailureCounter,
  type AuthFailureLimits,
  type AuthThrottle,
} from '@navplane/auth';
import { newId, systemClock, toIso, type Clock } from '@navplane/core';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { Runtime } from './runtime';

/** Which app a throttle guards: its own failures, its own metrics label and audit detail. */
export type ThrottledApp = 'gateway' | 'admin';

/** Options of createAppAuthThrottle. */
export interface AppAuthThrottleOptions {
  /** Where failures are counted (default: in this process, RateLimiterMemory; a shared store for several instances). */
  readonly counter?: AuthFailureCounter;
  readonly clock?: Clock;
}

/**
 * The failure counter every instance shares (NAVPLANE_REDIS_URL): a RateLimiterRedis under NAVPLANE_REDIS_PREFIX
 * (`navplane:auth-failures-gateway:<address>`), with an in-process limiter as its insurance while Redis cannot be
 * reached (failures are then counted per instance rather than not at all).
 */
export function createRedisAuthFailureCounter(
  client: Redis,
  prefix: string,
  limits: AuthFailureLimits,
  app: ThrottledApp,
): AuthFailureCounter {
  const options = authFailureLimiterOptions(limits, `${prefix}auth-failures-${app}`);
  return rateLimiterAuthFailureCounter(
    new RateLimiterRedis({
      ...options,
      storeClient: client,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ ...options }),
    }),
  );
}

/**
 * The brute-force throttle of one app (docs/security-keys.md, "Brute-force throttling"): NAVPLANE_AUTH_FAILURE_LIMIT
 * failures per NAVPLANE_AUTH_FAILURE_WINDOW_MS per client address, counted in Redis when the runtime has it (every
 * instance together), else in this process, unless a counter is given; `navplane_auth_failures_total` and `navplane_auth_throttled_total` (by app) on /metrics, and one audit
 * record (`auth.throttled`, the address, never a credential) and one warning per block, never per refused attempt.
 */
export function createAppAuthThrottle(
  runtime: Pick<Runtime, 'config' | 'metrics' | 'logger' | 'repos' | 'redis'>,
  app: ThrottledApp,
  options: AppAuthThrottleOptions = {},
): AuthThrottle {
  const { config, metrics, logger, repos } = runtime;
  const limits = { limit: config.authFailureLimit, windowMs: config.authFailureWindowMs };
  if (limits.limit === 0) return NO_AUTH_THROTTLE;
  const clock = options.clock ?? systemClock;
  const failures = metrics.counter({
    name: 'navplane_auth_failures_total',
    help: 'Failed authentications (a refused NavPlane key or admin credential), by app',
    labelNames: ['app'] as const,
  });
  const throttled = metrics.counter({
    name: 'navplane_auth_throttled_total',
    help: 'Authentication attempts refused with 429 because their client address failed too often, by app',
    labelNames: ['app'] as const,
  });
  const blocks = metrics.counter({
    name: 'navplane_auth_blocks_total',
    help: 'Client addresses blocked for failing authentication too often (one per block), by app',
    labelNames: ['app'] as const,
  });
  return createAuthThrottle({
    counter:
      options.counter ??
      (runtime.redis === undefined
        ? createMemoryAuthFailureCounter(limits, `navplane-auth-${app}`)
        : createRedisAuthFailureCounter(runtime.redis, config.redisPrefix, limits, app)),
    clock,
    onFailure: () => failures.inc({ app }),
    onRefused: () => throttled.inc({ app }),
    onBlocked: (address, blockedForMs) => {
      blocks.inc({ app });
      logger.warn('client address throttled after failed authentications', { app, ip: address, ...limits, blockedForMs });
      const nowMs = clock.nowMs();
      repos.auditLog
        .append({
          id: newId('audit', nowMs),
          at: toIso(nowMs),
          actorType: 'client',
          actorId: null,
          ip: address,
          orgId: null,
          action: 'auth.throttled',
          targetType: 'client_address',
          targetId: address,
          details: { app, failureLimit: limits.limit, windowMs: limits.windowMs, blockedForMs },
        })
        .catch((error: unknown) => logger.warn('audit record of an auth throttle not written', { err: error }));
    },
    onError: (error) => logger.warn('auth failure counter unavailable: failures not counted', { app, err: error }),
  });
}
