import { newId, toIso } from '@navplane/core';
import { createRepositories, type NewTrace } from '@navplane/storage';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@navplane/storage/testing';
import { createBatchingTraceWriter } from './batching-trace-writer';
import { newTrace } from './new-trace.fixture';
import { createRetentionSweeper } from './retention-sweeper';
import { openTraceStorage, type TraceStorage } from './trace-storage';

jest.setTimeout(60_000);

const DAY = 24 * 3600_000;

const trace = (orgId: string, startedMs: number) => newTrace(orgId, startedMs);

describe.each(TEST_DIALECTS)('retention on %s', (dialect) => {
  let test: TestDatabase;
  let storage: TraceStorage;

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    storage = await openTraceStorage({ shared: test.database, url: test.url });
  });
  afterAll(async () => {
    await storage.close();
    await test.drop();
  });

  it('deletes old traces in batches while the writer keeps inserting new ones', async () => {
    const orgId = newId('org');
    const now = Date.now();
    const old = Array.from({ length: 3000 }, (_, i) => trace(orgId, now - 30 * DAY + i));
    await storage.traces.insertBatch(old);
    await createRepositories(test.database).traceForks.insert({
      id: `frk_${newId('trace').slice(4)}`,
      orgId,
      sourceTraceId: old[0]!.id,
      newRunId: `run_${newId('trace').slice(4)}`,
      createdAt: toIso(now - 30 * DAY),
      createdBy: 'cli',
    });

    const writer = createBatchingTraceWriter({ traces: storage.traces, batchSize: 50, flushIntervalMs: 1, queueSize: 100_000 });
    const fresh: NewTrace[] = [];
    let producing = true;
    const producer = (async () => {
      while (producing) {
        for (let i = 0; i < 20; i += 1) {
          const item = trace(orgId, Date.now());
          fresh.push(item);
          writer.enqueue(item);
        }
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 20)); // the writer is busy before the sweep starts

    const sweeper = createRetentionSweeper({
      traces: storage.traces,
      traceForks: storage.traceForks,
      retentionDays: 7,
      intervalMs: 3_600_000, // sweep() is called directly below
      batchSize: 100,
      pauseMs: 1,
    });
    const batchesBefore = writer.stats().batches;
    const result = await sweeper.sweep();
    const batchesDuring = writer.stats().batches - batchesBefore;
    producing = false;
    await producer;
    await writer.close(10_000);
    await sweeper.close();

    expect(result).toMatchObject({ traces: 3000, forks: 1 });
    expect(batchesDuring).toBeGreaterThan(0); // the writer was not shut out while 30 delete batches ran
    const stats = writer.stats();
    expect(stats.written).toBe(fresh.length);
    expect(stats.dropped).toEqual({ queue_full: 0, write_failed: 0, shutdown: 0 });
    const repos = createRepositories(test.database);
    const left = await repos.traces.listByOrg(orgId, { limit: 1000, to: toIso(now - DAY) });
    expect(left).toEqual([]);
    const kept = await repos.traces.findSummaries(
      orgId,
      fresh.map((t) => t.id),
    );
    expect(kept).toHaveLength(fresh.length);
  });
});
