import { newId } from '@navplane/core';
import { createRepositories } from '@navplane/storage';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@navplane/storage/testing';
import { createBatchingTraceWriter } from './batching-trace-writer';
import { newTrace } from './new-trace.fixture';

jest.setTimeout(30_000);

const trace = (orgId: string, i: number) => newTrace(orgId, Date.UTC(2026, 10, 23, 12, 0, 0, i));

describe.each(TEST_DIALECTS)('batching trace writer on %s', (dialect) => {
  let testDb: TestDatabase;
  let orgId: string;

  beforeAll(async () => {
    testDb = await createTestDatabase(dialect);
    orgId = newId('org');
    const at = new Date().toISOString();
    await createRepositories(testDb.database).orgs.create({ id: orgId, name: 'acme', createdAt: at });
  });
  afterAll(async () => {
    await testDb.drop();
  });

  it('writes every enqueued trace in batches and flushes on close', async () => {
    const repos = createRepositories(testDb.database);
    const writer = createBatchingTraceWriter({ traces: repos.traces, queueSize: 1_000, batchSize: 50, flushIntervalMs: 20 });
    for (let i = 0; i < 520; i += 1) writer.enqueue(trace(orgId, i));
    const result = await writer.close(5000);
    const stats = writer.stats();
    expect(stats.enqueued).toBe(520);
    expect(stats.written).toBe(520);
    expect(stats.dropped).toEqual({ queue_full: 0, write_failed: 0, shutdown: 0 });
    expect(stats.batches).toBeGreaterThanOrEqual(11);
    expect(result.dropped).toBe(0);
    const listed = await repos.traces.listByOrg(orgId, { limit: 1000 });
    expect(listed.length).toBeGreaterThanOrEqual(520);
  });

  it('drops and counts what does not fit the queue: written + dropped = sent', async () => {
    const repos = createRepositories(testDb.database);
    const writer = createBatchingTraceWriter({ traces: repos.traces, queueSize: 100, batchSize: 25, flushIntervalMs: 5 });
    for (let i = 0; i < 1000; i += 1) writer.enqueue(trace(orgId, i));
    await writer.close(5000);
    const stats = writer.stats();
    expect(stats.dropped.queue_full).toBeGreaterThan(0);
    expect(stats.written + stats.dropped.queue_full + stats.dropped.write_failed + stats.dropped.shutdown).toBe(1000);
    expect(stats.highWaterMark).toBeLessThanOrEqual(100);
  });
});
