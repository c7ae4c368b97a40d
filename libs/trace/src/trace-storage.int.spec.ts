import { newId, threadNiceValues, toIso } from '@navplane/core';
import { createRepositories, migrateToLatest, openDatabase, type NewTrace } from '@navplane/storage';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@navplane/storage/testing';
import { sql } from 'kysely';
import { createBatchingTraceWriter } from './batching-trace-writer';
import { DEFAULT_WORKER_NICE_INCREMENT, openTraceStorage, TRACE_WRITER_APPLICATION_NAME } from './trace-storage';

jest.setTimeout(30_000);

const trace = (orgId: string, startedMs = Date.now()): NewTrace => ({
  id: newId('trace', startedMs),
  orgId,
  provider: 'openai',
  route: '/v1/models',
  method: 'GET',
  status: 200,
  requestId: newId('request'),
  startedAt: toIso(startedMs),
  latencyMs: 1,
  costStatus: 'unknown',
  stream: false,
  policyDecisions: [{ detector: 'email', field: 'messages[0].content', action: 'redact' }],
});

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
        const base = before.get(process.pid) as number;
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

    if (dialect === 'sqlite') {
      it('fails a write quickly while another connection holds the write lock, and the event loop keeps running', async () => {
        const storage = await openTraceStorage({ shared: test.database, url: test.url, worker });
        await storage.traces.insertBatch([trace(newId('org'))]); // started and connected
        const holder = await openDatabase({ url: test.url, poolSize: 1 });
        await sql`begin exclusive`.execute(holder.db);
        try {
          const writer = createBatchingTraceWriter({
            traces: storage.traces,
            queueSize: 100,
            batchSize: 10,
            flushIntervalMs: 1,
            maxAttempts: 3,
            retryBaseMs: 5,
          });
          let ticks = 0;
          const ticker = setInterval(() => (ticks += 1), 5);
          const started = Date.now();
          writer.enqueue(trace(newId('org')));
          await writer.flush();
          clearInterval(ticker);
          expect(writer.stats().dropped.write_failed).toBe(1);
          expect(writer.stats().failedBatches).toBe(3);
          // The main connection's busy_timeout is 5000 ms: three attempts waiting for it would take 15 s.
          expect(Date.now() - started).toBeLessThan(2000);
          expect(ticks).toBeGreaterThan(0);
        } finally {
          await sql`rollback`.execute(holder.db);
          await holder.close();
          await storage.close();
        }
      });
    } else {
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
