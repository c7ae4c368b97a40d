import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

/** A real Redis (NAVPLANE_TEST_REDIS_URL) under a key prefix of this run's own, and the cleanup of its keys only. */
export interface PrefixedTestRedis {
  readonly client: Redis;
  /** `navplane-test:<uuid>:`: every key the test makes starts with it. */
  readonly prefix: string;
  /** Deletes this prefix's keys (scanned, never a flush) and disconnects. */
  cleanup(): Promise<void>;
}

/** The Redis of NAVPLANE_TEST_REDIS_URL with its own prefix, or undefined when the variable is not set. */
export function prefixedTestRedis(): PrefixedTestRedis | undefined {
  const url = process.env['NAVPLANE_TEST_REDIS_URL'];
  if (url === undefined || url === '') return undefined;
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  const prefix = `navplane-test:${randomUUID()}:`;
  return {
    client,
    prefix,
    async cleanup() {
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        if (keys.length > 0) await client.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      client.disconnect();
    },
  };
}
