import { storageUnavailable, type NewTrace } from '@navplane/storage';
import { createBatchingTraceWriter, type TraceOutageEvent } from './batching-trace-writer';
import { newTrace } from './new-trace.fixture';

const sample = (i: number) => newTrace('org_spec', Date.UTC(2026, 10, 23, 12, 0, 0, i), { id: `trc_${i}` });
// Room for every trace these tests enqueue.
const SIZES = { queueSize: 100, batchSize: 10 };

describe('batching trace writer', () => {
  it('never awaits storage in enqueue', () => {
    const insertBatch = jest.fn(() => new Promise<void>(() => undefined));
    const writer = createBatchingTraceWriter({ traces: { insertBatch }, ...SIZES, flushIntervalMs: 1 });
    writer.enqueue(sample(1));
    expect(insertBatch).not.toHaveBeenCalled(); // written later, off the caller's stack
  });

  it('retries a batch the database refuses for another reason than an outage, then counts it as write_failed', async () => {
    const insertBatch = jest.fn(() => Promise.reject(new Error('CHECK constraint failed')));
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
        insertBatch: (batch) => {
          if (fail-- > 0) return Promise.reject(new Error('down'));
          written.push(...batch);
          return Promise.resolve();
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

  describe('while the database is unavailable', () => {
    /** A repository whose database is down until `up()`; records what was written and when each attempt came. */
    function flakyStore() {
      let down = true;
      const written: NewTrace[] = [];
      const attempts: number[] = [];
      return {
        written,
        attempts,
        up: () => {
          down = false;
        },
        traces: {
          insertBatch: (batch: readonly NewTrace[]) => {
            attempts.push(performance.now());
            if (down) return Promise.reject(storageUnavailable(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })));
            written.push(...batch);
            return Promise.resolve();
          },
        },
      };
    }
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

    it('keeps retrying far past maxAttempts, queues new traces behind, and writes them all once it is back', async () => {
      const store = flakyStore();
      const events: TraceOutageEvent[] = [];
      const writer = createBatchingTraceWriter({
        traces: store.traces,
        ...SIZES,
        batchSize: 5,
        flushIntervalMs: 1,
        maxAttempts: 2,
        retryBaseMs: 2,
        maxRetryDelayMs: 10,
        onOutage: (event) => events.push(event),
      });
      for (let i = 0; i < 5; i += 1) writer.enqueue(sample(i));
      await sleep(150);
      for (let i = 5; i < 40; i += 1) writer.enqueue(sample(i)); // arriving during the outage
      await sleep(50);
      expect(store.attempts.length).toBeGreaterThan(10);
      expect(writer.stats()).toMatchObject({ written: 0, dropped: { queue_full: 0, write_failed: 0, shutdown: 0 }, queueDepth: 35 });

      store.up();
      await writer.flush();
      expect(store.written.map((t) => t.id)).toEqual(Array.from({ length: 40 }, (_, i) => `trc_${i}`));
      expect(writer.stats()).toMatchObject({ written: 40, dropped: { queue_full: 0, write_failed: 0, shutdown: 0 } });
      expect(events.map((e) => e.state)).toEqual(['retrying', 'recovered']);
      expect(events[1]).toMatchObject({ failedAttempts: store.attempts.length - 8 }); // 8 batches written in the end
    });

    it('backs off exponentially, never longer than maxRetryDelayMs', async () => {
      const store = flakyStore();
      const writer = createBatchingTraceWriter({
        traces: store.traces,
        ...SIZES,
        flushIntervalMs: 1,
        retryBaseMs: 20,
        maxRetryDelayMs: 80,
      });
      writer.enqueue(sample(1));
      await sleep(700);
      store.up();
      await writer.flush();
      expect(store.written).toHaveLength(1);
      expect(store.attempts.length).toBeGreaterThan(6);
      const gaps = store.attempts.slice(1).map((at, i) => at - (store.attempts[i] ?? Number.NaN));
      // Each delay is drawn from [capped / 2, capped] with capped = 20, 40, 80, 80, …
      expect(gaps[0]).toBeGreaterThanOrEqual(9);
      expect(gaps[0]).toBeLessThan(40);
      expect(gaps[1]).toBeGreaterThanOrEqual(19);
      expect(Math.max(...gaps)).toBeLessThan(80 + 40); // the cap, plus timer slack
      expect(gaps.slice(2, -1).every((gap) => gap >= 39)).toBe(true);
    });

    it('drops traces only once the queue is full, as queue_full', async () => {
      const store = flakyStore();
      const drops: Array<[string, number, number]> = [];
      const writer: ReturnType<typeof createBatchingTraceWriter> = createBatchingTraceWriter({
        traces: store.traces,
        queueSize: 10,
        batchSize: 5,
        flushIntervalMs: 1,
        retryBaseMs: 2,
        maxRetryDelayMs: 5,
        onDrop: (reason, count) => drops.push([reason, count, writer.stats().queueDepth]),
      });
      for (let i = 0; i < 5; i += 1) writer.enqueue(sample(i));
      await sleep(30); // the first batch is in flight, failing
      for (let i = 5; i < 30; i += 1) writer.enqueue(sample(i));
      expect(drops).toHaveLength(15);
      expect(drops.every(([reason, count, depth]) => reason === 'queue_full' && count === 1 && depth === 10)).toBe(true);
      store.up();
      await writer.flush();
      expect(writer.stats()).toMatchObject({ written: 15, dropped: { queue_full: 15, write_failed: 0, shutdown: 0 } });
    });

    it('counts what is still unwritten at the close deadline as shutdown, never write_failed', async () => {
      const store = flakyStore();
      const writer = createBatchingTraceWriter({
        traces: store.traces,
        ...SIZES,
        batchSize: 5,
        flushIntervalMs: 1,
        retryBaseMs: 5,
        maxRetryDelayMs: 20,
      });
      for (let i = 0; i < 12; i += 1) writer.enqueue(sample(i));
      const started = performance.now();
      const result = await writer.close(200);
      expect(performance.now() - started).toBeLessThan(1000);
      expect(result).toEqual({ written: 0, dropped: 12 });
      expect(writer.stats().dropped).toEqual({ queue_full: 0, write_failed: 0, shutdown: 12 });
      await sleep(50);
      expect(writer.stats().dropped.shutdown).toBe(12); // the abandoned batch is not counted twice
    });
  });
});
