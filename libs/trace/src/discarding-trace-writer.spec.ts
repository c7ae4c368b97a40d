import { createDiscardingTraceWriter } from './discarding-trace-writer';
import { newTrace } from './new-trace.fixture';

describe('discarding trace writer (NAVPLANE_TRACE_SINK=none)', () => {
  it('counts what it was given and records nothing', async () => {
    const writer = createDiscardingTraceWriter();
    writer.enqueue(newTrace('org_spec', Date.now()));
    writer.enqueue(newTrace('org_spec', Date.now()));
    await writer.flush();
    expect(await writer.close()).toEqual({ written: 0, dropped: 0 });
    expect(writer.stats()).toMatchObject({ enqueued: 2, written: 0, dropped: { queue_full: 0, write_failed: 0, shutdown: 0 }, batches: 0 });
  });
});
