import type { NewTrace } from '@navplane/storage';
import { createBatchingTraceWriter } from './batching-trace-writer';

const sample = (i: number) => ({ id: `trc_${i}` }) as unknown as NewTrace;
// Room for every trace these tests enqueue.
const SIZES = { queueSize: 100, batchSize: 10 };

describe('batching trace writer', () => {
  it('never awaits storage in enqueue', () => {
    const insertBatch = jest.fn(() => new Promise<void>(() => undefined));
    const writer = createBatchingTraceWriter({ traces: { insertBatch }, ...SIZES, flushIntervalMs: 1 });
    writer.enqueue(sample(1));
    expect(insertBatch).not.toHaveBeenCalled(); // written later, off the caller's stack
  });

  it('retries a failed batch with backoff, then counts it as write_failed', async () => {
    const insertBatch = jest.fn(async () => {
      throw new Error('database is locked');
    });
    const drops: Array<[string, number]> = [];
    const writer = createBatchingTraceWriter({
      traces: { insertBatch },
      ...SIZES,
      flushIntervalMs: 1,
      maxAttempts: 3,
      retryBaseMs: 5,
      onDrop: (reason, count) => drops.push([reason, count]),
    });
    writer.enqueue(sample(1));
    writer.enqueue(sample(2));
    await writer.flush();
    expect(insertBatch).toHaveBeenCalledTimes(3);
    expect(writer.stats().dropped.write_failed).toBe(2);
    expect(drops).toEqual([['write_failed', 2]]);
  });

  it('recovers when the database comes back', async () => {
    let fail = 2;
    const written: NewTrace[] = [];
    const writer = createBatchingTraceWriter({
      traces: {
        insertBatch: async (batch) => {
          if (fail-- > 0) throw new Error('down');
          written.push(...batch);
        },
      },
      ...SIZES,
      flushIntervalMs: 1,
      maxAttempts: 5,
      retryBaseMs: 1,
    });
    writer.enqueue(sample(1));
    await writer.flush();
    expect(written).toHaveLength(1);
    expect(writer.stats().failedBatches).toBe(2);
  });

  it('counts what is left at the close deadline as shutdown drops, and refuses after close', async () => {
    const writer = createBatchingTraceWriter({
      traces: { insertBatch: () => new Promise<void>(() => undefined) },
      queueSize: 100,
      flushIntervalMs: 1,
      batchSize: 1,
    });
    for (let i = 0; i < 5; i += 1) writer.enqueue(sample(i));
    const result = await writer.close(50);
    expect(result.written).toBe(0);
    expect(writer.stats().dropped.shutdown).toBe(4); // one batch is stuck in flight, four never started
    writer.enqueue(sample(9));
    expect(writer.stats().dropped.shutdown).toBe(5);
  });
});
