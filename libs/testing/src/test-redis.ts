import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** The variable naming the Redis server of the tests (`redis://127.0.0.1:6379`). */
export const TEST_REDIS_URL_ENV = 'NAVPLANE_TEST_REDIS_URL';

// Jest gives every test file a fresh module registry; the stderr stream object is what the files of one worker process
// share, so the once-per-process marker lives there (as for the Postgres notice of @navplane/storage/testing).
const NOTICE_MARKER = Symbol.for('navplane.testing.redisSkipNoticeShown');

function resolveTestRedisUrl(): string | undefined {
  const url = process.env[TEST_REDIS_URL_ENV];
  if (url !== undefined && url !== '') return url;
  const stderr: NodeJS.WriteStream & { [NOTICE_MARKER]?: true } = process.stderr;
  if (process.env['JEST_WORKER_ID'] !== undefined && stderr[NOTICE_MARKER] !== true) {
    stderr[NOTICE_MARKER] = true;
    stderr.write(`[navplane] ${TEST_REDIS_URL_ENV} is not set: Redis suites are skipped\n`);
  }
  return undefined;
}

/**
 * The test Redis URL, or undefined when unset: the Redis suites are then skipped (`TEST_REDIS_URL === undefined ?
 * describe.skip : describe`), and a Jest worker says so once on stderr.
 */
export const TEST_REDIS_URL: string | undefined = resolveTestRedisUrl();

/** A key prefix of its own for one test (`navplane-test:<random>:`), so tests sharing one Redis never meet. */
export function testRedisPrefix(): string {
  return `navplane-test:${randomBytes(6).toString('hex')}:`;
}

/** A client of the test Redis (for the test's own reads and clean-up). */
export function testRedisClient(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1 });
}

/** Deletes every key under `prefix` (the test's own keys; never a flush). */
export async function deleteRedisKeys(client: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await client.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** The keys under `prefix` (what a test wrote). */
export async function redisKeys(client: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found.sort();
}

/** A real Redis (NAVPLANE_TEST_REDIS_URL) under a key prefix of this run's own, and the cleanup of its keys only. */
export interface PrefixedTestRedis {
  readonly client: Redis;
  /** `navplane-test:<random>:`: every key the test makes starts with it. */
  readonly prefix: string;
  /** Deletes this prefix's keys (scanned, never a flush) and disconnects. */
  cleanup(): Promise<void>;
}

/** The test Redis with a client and a prefix of its own, or undefined when NAVPLANE_TEST_REDIS_URL is not set. */
export function prefixedTestRedis(): PrefixedTestRedis | undefined {
  if (TEST_REDIS_URL === undefined) return undefined;
  const client = testRedisClient(TEST_REDIS_URL);
  const prefix = testRedisPrefix();
  return {
    client,
    prefix,
    async cleanup() {
      await deleteRedisKeys(client, prefix);
      client.disconnect();
    },
  };
}
