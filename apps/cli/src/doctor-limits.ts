import { maskDatabaseUrl, type NavPlaneConfig } from '@navplane/config';
import { parseDatabaseUrl } from '@navplane/core';
import { Redis } from 'ioredis';
import type { DoctorCheck } from './doctor-checks';
import { describeError } from './describe-error';

const REDIS_TIMEOUT_MS = 3000;

/**
 * The `limits` check of `navplane doctor` (docs/limits.md, "Across instances"): with NAVPLANE_REDIS_URL, Redis answers
 * a PING (fail otherwise, with what NAVPLANE_LIMITS_FAIL_MODE does meanwhile); without it, limits are counted per
 * process, which a Postgres deployment (several instances) is warned about.
 */
export async function checkLimitsBackend(config: NavPlaneConfig): Promise<DoctorCheck> {
  if (config.redisUrl === undefined) {
    const parsed = parseDatabaseUrl(config.databaseUrl);
    if (parsed.ok && parsed.value.dialect === 'postgres') {
      return {
        name: 'limits',
        status: 'warn',
        message:
          'limits are counted per process (no NAVPLANE_REDIS_URL): N gateway instances together allow up to N times each rpm, tpm and concurrency',
        fix: 'set NAVPLANE_REDIS_URL so every instance shares one count',
      };
    }
    return { name: 'limits', status: 'ok', message: 'limits are counted in this process (embedded database: one instance)', fix: null };
  }
  const shown = maskDatabaseUrl(config.redisUrl);
  const client = new Redis(config.redisUrl, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: REDIS_TIMEOUT_MS,
    commandTimeout: REDIS_TIMEOUT_MS,
    retryStrategy: () => null,
  });
  // The connection's own error (ECONNREFUSED, ENOTFOUND…) arrives as an event; connect() only says it closed.
  let connectionError: unknown;
  client.on('error', (error: unknown) => {
    connectionError ??= error;
  });
  try {
    await client.connect();
    await client.ping();
    return { name: 'limits', status: 'ok', message: `Redis reachable at ${shown} (keys under ${config.redisPrefix})`, fix: null };
  } catch (error) {
    const meanwhile =
      config.limitsFailMode === 'open'
        ? 'meanwhile each gateway counts limits alone (NAVPLANE_LIMITS_FAIL_MODE=open)'
        : 'meanwhile requests under a limit get 503 limits_unavailable (NAVPLANE_LIMITS_FAIL_MODE=closed)';
    return {
      name: 'limits',
      status: 'fail',
      message: `Redis unreachable at ${shown}: ${describeError(connectionError ?? error)}; ${meanwhile}`,
      fix: 'check NAVPLANE_REDIS_URL and that Redis is up',
    };
  } finally {
    client.disconnect();
  }
}
