import { maskDatabaseUrl } from '@navplane/config';
import type { Logger } from '@navplane/telemetry';
import { Redis } from 'ioredis';
import { describeError } from './describe-error';

/** How long start-up waits for Redis before going on without it (the counters then follow NAVPLANE_LIMITS_FAIL_MODE). */
const CONNECT_WAIT_MS = 3_000;

/**
 * The process's one Redis client (NAVPLANE_REDIS_URL): shared by the limit counters and brute-force throttling.
 * Commands fail at once while it is disconnected (no offline queue) and after 1 s without an answer, so a Redis outage
 * costs a request at most that, never a hang; ioredis reconnects in the background. Start-up waits up to 3 s for the
 * first connection and goes on with a warning when there is none.
 */
export async function openRedis(url: string, logger: Pick<Logger, 'info' | 'warn' | 'debug'>): Promise<Redis> {
  const shown = maskDatabaseUrl(url);
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 1_000,
    connectTimeout: 2_000,
    // No auto-pipelining: ioredis defers each batch to setImmediate and keeps one batch in flight per connection, so a
    // call waits for the next loop turn and, under load, for the previous batch's reply: +0.2 ms per request at low
    // rates here (docs/limits.md, "Cost"). Calls still share the connection and overlap; each is its own write.
    enableAutoPipelining: false,
    // Reconnect with a capped backoff: every 0.1 s at first, at most every 2 s.
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
  });
  // ioredis reports every failed reconnect: the counters warn once per outage, so these stay at debug.
  client.on('error', (error: unknown) => logger.debug('redis connection error', { err: describeError(error) }));
  const connected = await Promise.race([
    client.connect().then(
      () => true,
      () => false,
    ),
    new Promise<false>((resolve) => setTimeout(resolve, CONNECT_WAIT_MS, false).unref()),
  ]);
  if (connected) logger.info(`redis: ${shown} (limits and brute-force throttling shared by every instance)`);
  else logger.warn(`redis: ${shown} cannot be reached yet; retrying in the background (see NAVPLANE_LIMITS_FAIL_MODE)`);
  return client;
}

/** Closes the client: QUIT when connected (pending replies arrive first), else a plain disconnect. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // fall through
    }
  }
  client.disconnect();
}
