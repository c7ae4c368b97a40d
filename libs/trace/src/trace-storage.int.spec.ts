import { newId, threadNiceValues, toIso } from '@navplane/core';
import { createRepositories, migrateToLatest, openDatabase } from '@navplane/storage';
import { createTestDatabase, prepareDatabaseOutage, TEST_DIALECTS, type TestDatabase } from '@navplane/storage/testing';
import { sql } from 'kysely';
import { createBatchingTraceWriter } from './batching-trace-writer';
import { newTrace } from './new-trace.fixture';
import { DEFAULT_WORKER_NICE_INCREMENT, openTraceStorage, TRACE_WRITER_APPLICATION_NAME } from './trace-storage';

jest.setTimeout(30_000);

const trace = (orgId: string, startedMs = Date.now()) =>
  newTrace(orgId, startedMs, { policyDecisions: [{ detector: 'email', field: 'messages[0].content', action: 'redact' }] });

describe.each(TEST_DIALECTS)('trace storage on %s', (dialect) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase(dialect);
  });
  afterAll(() => test.drop());

  describe.each([
    ['a worker thread', true],
    ['the main thread', false],
  ] as const)('in %s', (_where, worker) => {
    it('writes and deletes through its own connection, visible to the process’s main connection', async () => {
      const storage = await openTraceStorage({ shared: test.database, url: test.url, worker });
      expect(storage.thread).toBe(worker ? 'worker' : 'main');
      const orgId = newId('org');
      const item = trace(orgId);
      const old = Array.from({ length: 7 }, (_, i) => trace(orgId, Date.now() - 90 * 24 * 3600_000 + i));
      await storage.traces.insertBatch([item, ...old]);
      await storage.traces.insertBatch([item]); // a retried batch whose rows already landed is not an error
      const repos = createRepositories(test.database);
      expect(await repos.traces.findById(item.id)).toEqual(expect.objectContaining({ id: item.id, policyDecisions: item.policyDecisions }));

      const cutoff = toIso(Date.now() - 30 * 24 * 3600_000);
      expect(await storage.traces.deleteBatchOlderThan(cutoff, 3)).toBe(3);
      expect(await storage.traces.deleteOlderThan(cutoff, { batchSize: 2 })).toBe(4);
      expect(await storage.traceForks.deleteOlderThan(cutoff)).toBe(0);
      expect(await repos.traces.findSummaries(orgId, [item.id, ...old.map((t) => t.id)])).toHaveLength(1);

      await storage.close();
      await storage.close();
      if (worker) await expect(storage.traces.insertBatch([trace(orgId)])).rejects.toThrow(/closed/);
    });

    if (worker && process.platform === 'linux') {
      it('runs the worker thread at a lower CPU priority than the event loop (nice +10 by default)', async () => {
        const before = threadNiceValues();
        const base = before.get(process.pid);
        if (base === undefined) throw new Error('no nice value for the main thread');
        // Run at a nice value that leaves room for +10, or a thread that was not lowered would look lowered (both capped at 19).
        expect(base + DEFAULT_WORKER_NICE_INCREMENT).toBeLessThanOrEqual(19);
        const storage = await openTraceStorage({ shared: test.database, url: test.url, worker });
        await storage.traces.insertBatch([trace(newId('org'))]); // the worker starts on first use
        const lowered = [...threadNiceValues()].filter(([tid]) => !before.has(tid)).map(([, nice]) => nice);
        await storage.close();
        expect(lowered).toContain(base + DEFAULT_WORKER_NICE_INCREMENT);
        expect(threadNiceValues().get(process.pid)).toBe(base);
      });
    }

    it('retries while the database is unavailable, off the event loop, losing nothing, and writes it all once back', async () => {
      // Postgres: its proxy is cut (refused, reset); SQLite: another connection holds an exclusive write lock.
      const outage = await prepareDatabaseOutage(test);
      const storage = await openTraceStorage({ shared: test.database, url: outage.url, worker });
      const orgId = newId('org');
      await storage.traces.insertBatch([trace(orgId)]); // started and connected
      const writer = createBatchingTraceWriter({
        traces: storage.traces,
        queueSize: 100,
        batchSize: 10,
        flushIntervalMs: 1,
        retryBaseMs: 5,
        maxRetryDelayMs: 50,
      });
      let ticks = 0;
      const ticker = setInterval(() => (ticks += 1), 5);
      try {
        await outage.begin();
        const items = [trace(orgId), trace(orgId), trace(orgId)];
        for (const item of items) {
          writer.enqueue(item);
          await new Promise((resolve) => setTimeout(resolve, 300));
        }
        // Far past the 3 attempts that used to drop the batch: nothing lost, nothing written, still retrying.
        expect(writer.stats()).toMatchObject({ written: 0, dropped: { queue_full: 0, write_failed: 0, shutdown: 0 } });
        expect(writer.stats().failedBatches).toBeGreaterThan(5);
        // No attempt blocks the event loop (the main connection's busy_timeout of 5 s would, on SQLite).
        expect(ticks).toBeGreaterThan(60);

        await outage.end();
        await writer.flush();
        expect(writer.stats()).toMatchObject({ written: 3, dropped: { queue_full: 0, write_failed: 0, shutdown: 0 } });
        const stored = await createRepositories(test.database).traces.findSummaries(
          orgId,
          items.map((item) => item.id),
        );
        expect(stored).toHaveLength(3);
      } finally {
        clearInterval(ticker);
        await outage.close();
        await writer.close(100);
        await storage.close();
      }
    });

    if (dialect === 'postgres') {
      it('names its Postgres connections navplane-trace-writer', async () => {
        const storage = await openTraceStorage({ shared: test.database, url: test.url, worker });
        await storage.traces.insertBatch([trace(newId('org'))]);
        const { rows } = await sql<{
          n: number;
        }>`select count(*) as n from pg_stat_activity where application_name = ${TRACE_WRITER_APPLICATION_NAME} and datname = current_database()`.execute(
          test.database.db,
        );
        expect(rows[0]?.n).toBeGreaterThan(0);
        await storage.close();
      });
    }
  });

  if (dialect === 'sqlite') {
    it('shares an in-memory database on the main thread instead of opening an empty one', async () => {
      const memory = await openDatabase({ url: 'sqlite::memory:', poolSize: 1 });
      await migrateToLatest(memory);
      const storage = await openTraceStorage({ shared: memory, url: 'sqlite::memory:' });
      expect(storage.thread).toBe('main');
      const item = trace(newId('org'));
      await storage.traces.insertBatch([item]); // a second connection would see a new, empty database
      expect(await createRepositories(memory).traces.findById(item.id)).toMatchObject({ id: item.id });
      await storage.close();
      await expect(memory.ping()).resolves.toBeUndefined(); // closing the storage left the shared database open
      await memory.close();
    });
  }
});
