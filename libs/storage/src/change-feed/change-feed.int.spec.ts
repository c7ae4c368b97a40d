import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../database/open-database';
import type { JsonObject } from '../schema/json';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '../testing';
import { CHANGE_FEED_RESYNC_TOPIC, createChangeFeed, type ChangeFeed, type ChangeFeedOptions } from './change-feed';
import { LISTENER_APPLICATION_NAME } from './postgres-notify.transport';

// The slowest SQLite poll NAVPLANE_CHANGE_FEED_POLL_MS allows (docs/configuration.md): the 1 s delivery bound
// below is checked at the worst setting.
const SLOWEST_POLL_MS = 250;

/** Resolves with the first `count` payloads on `topic`, or rejects after `timeoutMs`. */
function nextPayloads(feed: ChangeFeed, topic: string, count = 1, timeoutMs = 3000): Promise<JsonObject[]> {
  return new Promise((resolve, reject) => {
    const seen: JsonObject[] = [];
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out waiting for ${count} message(s) on ${topic}, got ${seen.length}`));
    }, timeoutMs);
    const unsubscribe = feed.subscribe(topic, (payload) => {
      seen.push(payload);
      if (seen.length === count) {
        clearTimeout(timer);
        unsubscribe();
        resolve(seen);
      }
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function publishFromChildProcess(url: string, topic: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@navplane/source', '-r', '@swc-node/register', join(__dirname, 'publish-change.fixture.ts')],
      { env: { ...process.env, NAVPLANE_DATABASE_URL: url, NAVPLANE_TEST_TOPIC: topic }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`publisher exited ${code}: ${errors}`))));
  });
}

describe.each(TEST_DIALECTS)('change feed on %s', (dialect) => {
  let test: TestDatabase;
  let other: Database;
  const feeds: ChangeFeed[] = [];
  const errors: Error[] = [];

  /** A started feed that records its errors and is closed after the suite. */
  async function startedFeed(database: Database, options: Partial<ChangeFeedOptions> = {}) {
    const feed = createChangeFeed(database, { pollIntervalMs: SLOWEST_POLL_MS, onError: (error) => errors.push(error), ...options });
    feeds.push(feed);
    await feed.start();
    return feed;
  }

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    other = await openDatabase({ url: test.url, poolSize: 4 }); // a second instance, like another gateway
  });
  afterAll(async () => {
    await Promise.all(feeds.map((feed) => feed.close()));
    await other.close();
    await test.drop();
  });
  beforeEach(() => {
    errors.length = 0;
  });

  it('delivers to local subscribers at once, and only once when the change comes back', async () => {
    const feed = await startedFeed(test.database);
    const received: JsonObject[] = [];
    feed.subscribe('orgs.changed', (payload) => received.push(payload));
    const publishing = feed.publish('orgs.changed', { orgId: 'org_1' });
    expect(received).toEqual([{ orgId: 'org_1' }]); // before publish even resolves
    await publishing;
    await sleep(600); // three poll intervals: the echo has come back by now and must be skipped
    expect(received).toEqual([{ orgId: 'org_1' }]);
  });

  it('reaches another instance, not other topics, and stops after unsubscribe', async () => {
    const listener = await startedFeed(test.database);
    const publisher = createChangeFeed(other, { pollIntervalMs: SLOWEST_POLL_MS });
    feeds.push(publisher);
    const wrongTopic: JsonObject[] = [];
    listener.subscribe('keys.changed', (payload) => wrongTopic.push(payload));

    const arriving = nextPayloads(listener, 'orgs.changed', 2);
    await publisher.publish('orgs.changed', { orgId: 'org_a' });
    await publisher.publish('orgs.changed', { orgId: 'org_b', nested: { list: [1, 2] } });
    expect(await arriving).toEqual([{ orgId: 'org_a' }, { orgId: 'org_b', nested: { list: [1, 2] } }]);

    const late: JsonObject[] = [];
    const unsubscribe = listener.subscribe('orgs.changed', (payload) => late.push(payload));
    unsubscribe();
    const marker = nextPayloads(listener, 'marker');
    await publisher.publish('orgs.changed', { orgId: 'org_c' });
    await publisher.publish('marker', {});
    await marker; // everything published before the marker has been dispatched
    expect(late).toEqual([]);
    expect(wrongTopic).toEqual([]);
  });

  it('reports how long each remote change took to arrive (the lag metric), and not local ones', async () => {
    const lags: Array<[string, number]> = [];
    const listener = await startedFeed(test.database, { onRemoteDelivery: (topic, lagMs) => lags.push([topic, lagMs]) });
    const publisher = createChangeFeed(other, { pollIntervalMs: SLOWEST_POLL_MS });
    feeds.push(publisher);
    const arriving = nextPayloads(listener, 'orgs.changed');
    await publisher.publish('orgs.changed', { orgId: 'org_lag' });
    await arriving;
    expect(lags).toHaveLength(1);
    expect(lags[0]?.[0]).toBe('orgs.changed');
    expect(lags[0]?.[1]).toBeGreaterThanOrEqual(0);
    expect(lags[0]?.[1]).toBeLessThan(1000);
    await listener.publish('orgs.changed', { orgId: 'org_local' });
    await sleep(400);
    expect(lags).toHaveLength(1);
  });

  it('counts what it published and received, with the last arrival and its lag (the diagnostics report)', async () => {
    const listener = await startedFeed(test.database);
    const publisher = createChangeFeed(other, { pollIntervalMs: SLOWEST_POLL_MS });
    feeds.push(publisher);
    expect(listener.stats()).toEqual({
      transport: dialect === 'postgres' ? 'listen-notify' : 'poll',
      state: 'started',
      published: 0,
      received: 0,
      resyncs: 0,
      errors: 0,
      lastPublishedAt: null,
      lastReceivedAt: null,
      lastReceivedLagMs: null,
      maxReceivedLagMs: null,
      lastErrorAt: null,
    });
    const before = Date.now();
    const arriving = nextPayloads(listener, 'orgs.changed');
    await publisher.publish('orgs.changed', { orgId: 'org_stats' });
    await arriving;
    const received = listener.stats();
    expect(received).toMatchObject({ published: 0, received: 1, lastPublishedAt: null });
    expect(received.lastReceivedAt).toBeGreaterThanOrEqual(before);
    expect(received.lastReceivedLagMs).toBeGreaterThanOrEqual(0);
    expect(received.lastReceivedLagMs).toBeLessThan(1000);
    expect(received.maxReceivedLagMs).toBe(received.lastReceivedLagMs);
    expect(publisher.stats()).toMatchObject({ published: 1, received: 0 });
    expect(publisher.stats().lastPublishedAt).toBeGreaterThanOrEqual(before);

    await listener.publish('orgs.changed', { orgId: 'org_own' });
    await sleep(600); // its echo came back through the database and was skipped: not a received change
    expect(listener.stats()).toMatchObject({ published: 1, received: 1 });
  });

  it('keeps delivering to other handlers when one throws, and reports the error', async () => {
    const listener = await startedFeed(test.database);
    listener.subscribe('boom', () => {
      throw new Error('handler failed');
    });
    const delivered = nextPayloads(listener, 'boom');
    const publisher = createChangeFeed(other, { pollIntervalMs: SLOWEST_POLL_MS });
    feeds.push(publisher);
    await publisher.publish('boom', { n: 1 });
    expect(await delivered).toEqual([{ n: 1 }]);
    expect(errors.map((error) => error.message)).toContain('handler failed');

    // Locally too.
    const local: JsonObject[] = [];
    listener.subscribe('boom-local', () => {
      throw new Error('local handler failed');
    });
    listener.subscribe('boom-local', (payload) => local.push(payload));
    await listener.publish('boom-local', { n: 2 });
    expect(local).toEqual([{ n: 2 }]);
  });

  it('sees a change published by another OS process within 1 s', async () => {
    const listener = await startedFeed(test.database);
    const arriving = nextPayloads(listener, 'cross-process', 1, 15_000);
    await publishFromChildProcess(test.url, 'cross-process');
    const [payload] = await arriving;
    const receivedAt = Date.now();
    expect(payload).toMatchObject({ from: 'child' });
    expect(payload?.['pid']).not.toBe(process.pid);
    expect(receivedAt - Number(payload?.['sentAt'])).toBeLessThan(1000);
  });

  it('recovers when it may have missed changes: subscribers get a resync, then changes flow again', async () => {
    const listener = await startedFeed(test.database, { reconnectInitialDelayMs: 50 });
    const resync = nextPayloads(listener, CHANGE_FEED_RESYNC_TOPIC, 1, 10_000);
    if (test.database.capabilities.changeNotification === 'listen-notify') {
      // Kill the LISTEN connection the way a server restart or failover would.
      const { rows } = await sql<{ pid: number }>`
        select pid from pg_stat_activity
        where datname = current_database() and application_name = ${LISTENER_APPLICATION_NAME}`.execute(other.db);
      expect(rows.length).toBeGreaterThanOrEqual(1);
      await sql`select pg_terminate_backend(pid) from pg_stat_activity
        where datname = current_database() and application_name = ${LISTENER_APPLICATION_NAME}`.execute(other.db);
      expect(await resync).toEqual([{ reason: 'reconnected' }]);
    } else {
      // Simulate pruning overtaking a slow poller: an event it never saw is deleted (in one transaction, so the
      // poller cannot see it in between), then a newer one arrives.
      await other.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('change_events')
          .values({ topic: 'lost', payload: '{}', origin: 'x', created_at: '2000-01-01T00:00:00.000Z' })
          .execute();
        await trx.deleteFrom('change_events').where('topic', '=', 'lost').execute();
      });
      await other.db
        .insertInto('change_events')
        .values({ topic: 'after-gap', payload: '{}', origin: 'x', created_at: new Date().toISOString() })
        .execute();
      expect(await resync).toEqual([{ reason: 'gap' }]);
    }
    const publisher = createChangeFeed(other, { pollIntervalMs: SLOWEST_POLL_MS });
    feeds.push(publisher);
    const arriving = nextPayloads(listener, 'after-recovery');
    await publisher.publish('after-recovery', { ok: true });
    expect(await arriving).toEqual([{ ok: true }]);
  });

  it('refuses to publish after close and closes idempotently', async () => {
    const feed = createChangeFeed(test.database, { pollIntervalMs: SLOWEST_POLL_MS });
    await feed.start();
    await feed.close();
    await feed.close();
    await expect(feed.publish('x', {})).rejects.toMatchObject({ message: 'Change feed is closed' });
  });
});

describe('createChangeFeed options (sqlite)', () => {
  it('rejects a poll interval that is not a positive number', async () => {
    const database = await openDatabase({ url: 'sqlite::memory:', poolSize: 1 });
    try {
      expect(() => createChangeFeed(database, { pollIntervalMs: 0 })).toThrow(/pollIntervalMs/);
      expect(() => createChangeFeed(database, { pollIntervalMs: Number.NaN })).toThrow(/pollIntervalMs/);
    } finally {
      await database.close();
    }
  });
});
