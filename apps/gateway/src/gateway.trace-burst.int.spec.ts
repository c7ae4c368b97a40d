import { openaiChatCompletion, TEST_DIALECTS } from '@navplane/testing';
import { OPENAI_TEST_KEY, postChat, startGatewayHarness, type GatewayHarness } from './testing/gateway-harness.fixture';

jest.setTimeout(60_000);

const SENT = 300;

describe.each(TEST_DIALECTS)('a trace burst larger than the queue on %s', (dialect) => {
  let h: GatewayHarness;
  let orgId: string;
  let key: string;

  beforeAll(async () => {
    // A queue of 10: a burst of 300 finished requests cannot all wait for the writer.
    h = await startGatewayHarness(dialect, {
      env: { NAVPLANE_TRACE_QUEUE_SIZE: '10', NAVPLANE_TRACE_BATCH_SIZE: '10', NAVPLANE_TRACE_FLUSH_MS: '5' },
    });
    orgId = await h.createOrg();
    key = (await h.issueKey(orgId)).key;
    await h.storeProviderKey(orgId, 'openai', OPENAI_TEST_KEY);
  });
  afterAll(() => h.close());

  it('answers every request, and written + dropped = sent, the drops counted as queue_full', async () => {
    // Every upstream answer leaves at the same instant, so the gateway finishes the requests in one burst.
    let releaseAt: number | undefined;
    h.upstream.setDefault(() => {
      releaseAt ??= Date.now() + 500;
      return {
        kind: 'delay',
        ms: Math.max(0, releaseAt - Date.now()),
        then: { kind: 'json', body: openaiChatCompletion({ model: 'gpt-4o-mini' }) },
      };
    });
    const statuses = await Promise.all(Array.from({ length: SENT }, () => postChat(h.url, key)));
    expect(statuses.filter((status) => status === 200)).toHaveLength(SENT);

    await h.gateway.traceWriter.flush();
    const stats = h.gateway.traceWriter.stats();
    const dropped = stats.dropped.queue_full + stats.dropped.write_failed + stats.dropped.shutdown;
    expect(stats.dropped.queue_full).toBeGreaterThan(0);
    expect(stats.dropped.write_failed + stats.dropped.shutdown).toBe(0);
    expect(stats.written + dropped).toBe(SENT);
    expect(stats.highWaterMark).toBeLessThanOrEqual(10);
    expect(await h.traces(orgId)).toHaveLength(stats.written);

    // The drops are visible where operators look.
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toContain(`navplane_traces_dropped{reason="queue_full"} ${stats.dropped.queue_full}`);
    expect(h.logs()).toContain('"reason":"queue_full"');
  });
});
