import { openDatabase } from '@navplane/storage';
import { TEST_DIALECTS } from '@navplane/testing';
import { sql } from 'kysely';
import pg from 'pg';
import { OPENAI_TEST_KEY, startGatewayHarness, type GatewayHarness } from './testing/gateway-harness.fixture';

jest.setTimeout(90_000);

const SENT = 60;

/** Makes the harness's database unusable for trace writes until the returned function restores it. */
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

describe.each(TEST_DIALECTS)('the proxy while trace writes fail on %s', (dialect) => {
  let h: GatewayHarness;
  let orgId: string;
  let key: string;

  beforeAll(async () => {
    // Short retries keep the test quick; the behaviour is the same with the defaults.
    h = await startGatewayHarness(dialect, { env: { NAVPLANE_TRACE_BATCH_SIZE: '5', NAVPLANE_TRACE_FLUSH_MS: '20' } });
    orgId = await h.createOrg();
    key = (await h.issueKey(orgId)).key;
    await h.storeProviderKey(orgId, 'openai', OPENAI_TEST_KEY);
  });
  afterAll(() => h.close());

  const call = async () => {
    const started = performance.now();
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    await res.arrayBuffer();
    return { status: res.status, ms: performance.now() - started };
  };

  it('answers every request 200 and counts the lost traces as write_failed: written + dropped = sent', async () => {
    // Warm the caches (key, org, provider key): with the database gone, nothing on the request path reads it.
    expect((await call()).status).toBe(200);
    await h.gateway.traceWriter.flush();
    const before = h.gateway.traceWriter.stats();

    const restore = await (dialect === 'postgres' ? postgresOutage(h) : sqliteOutage(h))();
    const results: Array<{ status: number; ms: number }> = [];
    try {
      // Spread over ~1.5 s so many batches are attempted (and retried) while the database is unusable.
      for (let i = 0; i < SENT / 4; i += 1) {
        results.push(...(await Promise.all([call(), call(), call(), call()])));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await h.gateway.traceWriter.flush(); // retries give up while the database is still down
    } finally {
      await restore();
    }

    expect(results.map((r) => r.status)).toEqual(Array(SENT).fill(200));
    // A writer waiting on the lock would stall the event loop for busy_timeout (5 s) per attempt.
    expect(Math.max(...results.map((r) => r.ms))).toBeLessThan(2000);

    const stats = h.gateway.traceWriter.stats();
    const written = stats.written - before.written;
    const failed = stats.dropped.write_failed - before.dropped.write_failed;
    expect(failed).toBeGreaterThan(0);
    expect(stats.dropped.queue_full + stats.dropped.shutdown).toBe(0);
    expect(written + failed).toBe(SENT);
    expect(h.logs()).toContain('"reason":"write_failed"');

    // After the outage the writer works again, and the rows match what it says it wrote.
    expect((await call()).status).toBe(200);
    await h.gateway.traceWriter.flush();
    const after = h.gateway.traceWriter.stats();
    expect(after.written).toBe(stats.written + 1);
    expect(await h.traces(orgId)).toHaveLength(after.written);
  });
});
