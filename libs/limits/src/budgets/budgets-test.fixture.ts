// Shared set-up for the budget specs (not built into dist): a settable clock, a fixed limits source, a Redis prefix.
import { randomUUID } from 'node:crypto';
import type { Clock } from '@navplane/core';
import { Redis } from 'ioredis';
import type { LimitDocument, LimitSource } from '../limit-document';

/** A clock the spec moves by hand. */
export function settableClock(startMs: number): Clock & { set(ms: number): void; advance(ms: number): void } {
  let now = startMs;
  return {
    nowMs: () => now,
    now: () => new Date(now),
    set: (ms) => {
      now = ms;
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

/** A limits source holding one document per org, changeable by the spec. */
export function fixedLimits(documents: Map<string, LimitDocument>): LimitSource {
  return {
    peek: (orgId) => documents.get(orgId) ?? { limits: [] },
    get: (orgId) => Promise.resolve(documents.get(orgId) ?? { limits: [] }),
  };
}

/** The real Redis of NAVPLANE_TEST_REDIS_URL with a key prefix of this run's own; undefined when it is not set. */
export function testRedis(): { client: Redis; prefix: string; cleanup(): Promise<void> } | undefined {
  const url = process.env['NAVPLANE_TEST_REDIS_URL'];
  if (url === undefined || url === '') return undefined;
  const client = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1 });
  const prefix = `navplane-test:${randomUUID()}:`;
  return {
    client,
    prefix,
    async cleanup() {
      // Only this run's keys: scanned by its own prefix, never a flush.
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
