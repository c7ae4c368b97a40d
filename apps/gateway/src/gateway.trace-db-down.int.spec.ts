import { openDatabase } from '@navplane/storage';
import { TEST_DIALECTS } from '@navplane/testing';
import { sql } from 'kysely';
import pg from 'pg';
import { OPENAI_TEST_KEY, postChat, startGatewayHarness, type GatewayHarness } from './testing/gateway-harness.fixture';

jest.setTimeout(120_000);

/** How long the database stays unusable. */
const OUTAGE_MS = 15_000;
/** The trace queue bound: filled about a third of the way into the outage by the load below. */
const QUEUE_SIZE = 100;
const BATCH_SIZE = 5;

/** Makes the harness's database unusable until the returned function restores it. */
type Outage = () => Promise<() => Promise<void>>;

/** Postgres "stopped": no new connections to the database, and every existing one killed, again and again. */
const postgresOutage =
  (h: GatewayHarness): Outage =>
  async () => {
    const name = new URL(h.testDb.url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: process.env['NAVPLANE_TEST_POSTGRES_URL'] });
    await admin.connect();
    // `name` is the harness's generated navplane_test_<hex> database.
    await admin.query(`alter database ${name} allow_connections false`);
    const terminate = () =>
      admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
    await terminate();
    const timer = setInterval(() => void terminate().catch(() => undefined), 50);
    return async () => {
      clearInterval(timer);
      await admin.query(`alter database ${name} allow_connections true`);
      await admin.end();
    };
  };

/** SQLite "locked": another connection holds an exclusive write transaction. */
const sqliteOutage =
  (h: GatewayHarness): Outage =>
  async () => {
    const holder = await openDatabase({ url: h.testDb.url, poolSize: 1 });
    await sql`begin exclusive`.execute(holder.db);
    return async () => {
      await sql`rollback`.execute(holder.db);
      await holder.close();
    };
  };

describe.each(TEST_DIALECTS)('the proxy and its traces through a database outage on %s', (dialect) => {
  let h: GatewayHarness;
  let orgId: string;
  let key: string;

  beforeAll(async () => {
    h = await startGatewayHarness(dialect, {
      env: { NAVPLANE_TRACE_QUEUE_SIZE: String(QUEUE_SIZE), NAVPLANE_TRACE_BATCH_SIZE: String(BATCH_SIZE), NAVPLANE_TRACE_FLUSH_MS: '20' },
    });
    orgId = await h.createOrg();
    key = (await h.issueKey(orgId)).key;
    await h.storeProviderKey(orgId, 'openai', OPENAI_TEST_KEY);
  });
  afterAll(() => h.close());

  const call = async () => {
    const started = performance.now();
    const status = await postChat(h.url, key);
    return { status, ms: performance.now() - started };
  };

  it('keeps every trace while the queue has room, drops only what arrives once it is full, and writes the rest after', async () => {
    // Warm the caches (key, org, provider key): with the database gone, nothing on the request path reads it.
    expect((await call()).status).toBe(200);
    await h.gateway.traceWriter.flush();
    const before = h.gateway.traceWriter.stats();

    const restore = await (dialect === 'postgres' ? postgresOutage(h) : sqliteOutage(h))();
    const results: Array<{ status: number; ms: number }> = [];
    // What the writer said each time a trace was dropped: the queue must have been full then.
    const depthsAtDrops: number[] = [];
    let seenDrops = 0;
    const watch = setInterval(() => {
      const stats = h.gateway.traceWriter.stats();
      const dropped = stats.dropped.queue_full - before.dropped.queue_full;
      if (dropped > seenDrops) depthsAtDrops.push(stats.queueDepth);
      seenDrops = dropped;
    }, 10);
    let lostWhileRoom = -1;
    try {
      // Load for the whole outage: 4 requests every 200 ms, about 300 in all (the queue holds 100).
      const started = Date.now();
      while (Date.now() - started < OUTAGE_MS) {
        const round = Date.now();
        results.push(...(await Promise.all([call(), call(), call(), call()])));
        // Five seconds in, about 100 traces arrived: the queue (100) still had room, so nothing may be lost yet.
        if (lostWhileRoom < 0 && results.length >= QUEUE_SIZE - 2 * BATCH_SIZE) {
          const stats = h.gateway.traceWriter.stats();
          lostWhileRoom =
            Object.values(stats.dropped).reduce((a, b) => a + b, 0) - Object.values(before.dropped).reduce((a, b) => a + b, 0);
        }
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, 200 - (Date.now() - round))));
      }
    } finally {
      clearInterval(watch);
      await restore();
    }

    const answered = results.length;
    expect(results.map((r) => r.status)).toEqual(Array(answered).fill(200));
    // No request waits for the database (a writer on the lock would stall the event loop for busy_timeout, 5 s).
    expect(Math.max(...results.map((r) => r.ms))).toBeLessThan(2000);
    expect(lostWhileRoom).toBe(0);

    // Back: everything queued is written (the writer notices within its retry cap, 5 s).
    await h.gateway.traceWriter.flush();
    const stats = h.gateway.traceWriter.stats();
    const written = stats.written - before.written;
    const dropped = {
      queue_full: stats.dropped.queue_full - before.dropped.queue_full,
      write_failed: stats.dropped.write_failed - before.dropped.write_failed,
      shutdown: stats.dropped.shutdown - before.dropped.shutdown,
    };
    expect(written + dropped.queue_full).toBe(answered);
    expect(dropped).toMatchObject({ write_failed: 0, shutdown: 0 });
    expect(dropped.queue_full).toBeGreaterThan(0);
    // Lost only for want of room: everything the queue held (plus the batch being retried) was written.
    expect(written).toBeGreaterThanOrEqual(QUEUE_SIZE);
    expect(written).toBeLessThanOrEqual(QUEUE_SIZE + BATCH_SIZE);
    expect(depthsAtDrops.length).toBeGreaterThan(0);
    expect(depthsAtDrops.every((depth) => depth === QUEUE_SIZE)).toBe(true);
    expect(stats.highWaterMark).toBe(QUEUE_SIZE);

    // Counted and logged: the outage, the drops, the recovery.
    expect(h.logs()).toContain('trace writes failing: database unavailable, retrying');
    expect(h.logs()).toContain('"reason":"queue_full"');
    expect(h.logs()).toContain('trace writes recovered');
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toContain(`navplane_traces_dropped{reason="queue_full"} ${stats.dropped.queue_full}`);

    // The rows match what the writer says it wrote, and new traces go straight through again.
    expect((await call()).status).toBe(200);
    const after = await h.traces(orgId);
    expect(after).toHaveLength(h.gateway.traceWriter.stats().written);
    expect(h.gateway.traceWriter.stats().written).toBe(stats.written + 1);
  });
});
