import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startOtlpCollector, TEST_DIALECTS, type OtlpCollector, type OtlpSpan } from '@navplane/testing';
import {
  ANTHROPIC_TEST_KEY,
  OPENAI_TEST_KEY,
  startGatewayHarness,
  startKeyedGateway,
  type GatewayHarness,
} from './testing/gateway-harness.fixture';

jest.setTimeout(60_000);

// docs/observability.md: spans and GenAI metrics exported over OTLP/HTTP (protobuf and JSON) to a collector on
// 127.0.0.1 that really decodes them, the client's traceparent honoured, ids in the logs and on the trace row, and
// no key, prompt or completion anywhere in what is exported or logged.

const SERVER = 2;
const CLIENT = 3;
const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';
const PROMPT = 'canary-prompt-5f0c2e91 tell me about the sea';

const protocols = ['http/protobuf', 'http/json'] as const;
const cases = TEST_DIALECTS.flatMap((dialect) => protocols.map((protocol): [string, (typeof protocols)[number]] => [dialect, protocol]));

describe.each(cases)('OpenTelemetry on %s over %s', (dialect, protocol) => {
  let collector: OtlpCollector;
  let h: GatewayHarness;
  let orgId: string;
  let key: string;
  const completions: string[] = [];
  // Request ids the gateway keeps as sent (no `/`).
  const tag = `${protocol.replace('/', '-')}-${dialect}`;

  beforeAll(async () => {
    collector = await startOtlpCollector();
    ({ h, orgId, key } = await startKeyedGateway(dialect as 'sqlite' | 'postgres', {
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-token=collector-secret-0xdeadbeef',
        OTEL_SERVICE_NAME: 'navplane-test',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test',
        OTEL_BSP_SCHEDULE_DELAY: '20',
        OTEL_METRIC_EXPORT_INTERVAL: '100',
      },
    }));
  });
  afterAll(async () => {
    await h.close();
    await collector.close();
  });
  beforeEach(() => h.upstream.reset());

  const openai = () => new OpenAI({ apiKey: key, baseURL: `${h.url}/v1`, maxRetries: 0 });
  const anthropic = () => new Anthropic({ apiKey: key, baseURL: h.url, maxRetries: 0 });
  const spansOf = async (traceId: string, count: number) =>
    (await collector.waitForSpans((spans) => spans.filter((span) => span.traceId === traceId).length >= count)).filter(
      (span) => span.traceId === traceId,
    );
  const serverSpan = (spans: OtlpSpan[]) => spans.find((span) => span.kind === SERVER) as OtlpSpan;
  const clientSpans = (spans: OtlpSpan[]) => spans.filter((span) => span.kind === CLIENT);
  /** The OTel trace id the gateway logged for a request (its access line). */
  const loggedIds = (requestId: string) => {
    const line = h
      .logs()
      .split('\n')
      .filter((text) => text.includes('"message":"request"') && text.includes(requestId))
      .at(-1);
    return JSON.parse(line ?? '{}') as { trace_id?: string; span_id?: string };
  };

  it('says at start-up that it is on and where, with no header', () => {
    const line = h
      .logs()
      .split('\n')
      .find((text) => text.includes('OpenTelemetry on'));
    expect(line).toContain(`traces to ${collector.url}/v1/traces (${protocol})`);
    expect(line).toContain(`metrics to ${collector.url}/v1/metrics (${protocol})`);
    expect(line).not.toContain('collector-secret');
  });

  it('exports a SERVER span and a CLIENT span for an OpenAI chat completion, with the GenAI attributes', async () => {
    const { data, response } = await openai()
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: PROMPT }] })
      .withResponse();
    completions.push(data.choices[0]?.message.content ?? '');
    const requestId = response.headers.get('x-request-id') as string;
    const { trace_id: traceId, span_id: spanId } = loggedIds(requestId);
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const spans = await spansOf(traceId as string, 2);
    const server = serverSpan(spans);
    const [client] = clientSpans(spans);
    expect(server).toMatchObject({ name: 'chat gpt-4o-mini', spanId, parentSpanId: '' });
    expect(server.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': data.model,
      'gen_ai.usage.input_tokens': data.usage?.prompt_tokens,
      'gen_ai.usage.output_tokens': data.usage?.completion_tokens,
      'http.request.method': 'POST',
      'http.response.status_code': 200,
      'navplane.org_id': orgId,
      'navplane.request_id': requestId,
      'navplane.trace_id': response.headers.get('x-navplane-trace-id'),
    });
    expect(server.resource).toMatchObject({ 'service.name': 'navplane-test', 'deployment.environment.name': 'test' });
    expect(client).toMatchObject({ name: 'chat gpt-4o-mini', parentSpanId: server.spanId });
    expect(client?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': data.model,
      'gen_ai.usage.input_tokens': data.usage?.prompt_tokens,
      'gen_ai.usage.output_tokens': data.usage?.completion_tokens,
      'http.response.status_code': 200,
      'server.address': '127.0.0.1',
      'navplane.attempt.outcome': 'answered',
    });
    // Our client span's traceparent went upstream, with the collector's headers nowhere near it.
    const upstream = h.upstream.lastRequest()?.headers ?? {};
    expect(upstream['traceparent']).toBe(`00-${traceId}-${client?.spanId}-01`);
    expect(collector.exports.every((entry) => entry.headers['x-collector-token'] === 'collector-secret-0xdeadbeef')).toBe(true);

    // The trace row carries the OTel trace id: one id finds the row, the log line and the spans.
    const [trace] = await h.traces(orgId);
    expect(trace?.otelTraceId).toBe(traceId);
  });

  it('ends the spans of a stream when its usage is known, at its end', async () => {
    const stream = await openai().chat.completions.create(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: PROMPT }], stream: true },
      { headers: { 'x-request-id': `stream-${tag}` } },
    );
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    completions.push(text);
    const { trace_id: traceId } = loggedIds(`stream-${tag}`);
    const spans = await spansOf(traceId as string, 2);
    const [trace] = await h.traces(orgId);
    for (const span of spans) {
      expect(span.attributes['gen_ai.usage.output_tokens']).toBe(trace?.tokensOut);
      expect(span.attributes['gen_ai.usage.input_tokens']).toBe(trace?.tokensIn);
    }
    expect(serverSpan(spans).attributes['navplane.stream']).toBe(true);
  });

  it.each([false, true])('exports the spans of an Anthropic message (streamed: %s)', async (streamed) => {
    const requestId = `anthropic-${String(streamed)}-${tag}`;
    const params = { model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user' as const, content: PROMPT }] };
    if (streamed) {
      const stream = anthropic().messages.stream(params, { headers: { 'x-request-id': requestId } });
      completions.push(await stream.finalText());
    } else {
      const message = await anthropic().messages.create(params, { headers: { 'x-request-id': requestId } });
      completions.push(message.content.map((block) => (block.type === 'text' ? block.text : '')).join(''));
    }
    expect(h.upstream.lastRequest()?.headers['x-api-key']).toBe(ANTHROPIC_TEST_KEY);
    const { trace_id: traceId } = loggedIds(requestId);
    const spans = await spansOf(traceId as string, 2);
    const [trace] = await h.traces(orgId);
    for (const span of [serverSpan(spans), ...clientSpans(spans)]) {
      expect(span.name).toBe(`chat ${trace?.model}`);
      // The gateway streams an Anthropic body on unread: the model that answered names the span.
      expect(span.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.response.model': trace?.model,
        'gen_ai.usage.input_tokens': trace?.tokensIn,
        'gen_ai.usage.output_tokens': trace?.tokensOut,
      });
    }
  });

  it('makes the server span a child of the client traceparent, and passes its tracestate on', async () => {
    const { response } = await openai()
      .chat.completions.create(
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: PROMPT }] },
        { headers: { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`, tracestate: 'vendor=opaque-1' } },
      )
      .withResponse();
    const spans = await spansOf(CLIENT_TRACE, 2);
    const server = serverSpan(spans);
    expect(server.parentSpanId).toBe(CLIENT_SPAN);
    expect(clientSpans(spans)[0]?.parentSpanId).toBe(server.spanId);
    expect(loggedIds(response.headers.get('x-request-id') as string).trace_id).toBe(CLIENT_TRACE);
    const upstream = h.upstream.lastRequest()?.headers ?? {};
    expect(upstream['traceparent']).toBe(`00-${CLIENT_TRACE}-${clientSpans(spans)[0]?.spanId}-01`);
    expect(upstream['tracestate']).toBe('vendor=opaque-1');
  });

  it('exports one CLIENT span per attempt of a routed request that falls back, each with its target and outcome', async () => {
    h.routes.set(orgId, {
      routes: [
        {
          model: 'smart',
          targets: [
            { provider: 'openai', model: 'gpt-4.1' },
            { provider: 'openai', model: 'gpt-4o-mini' },
          ],
        },
      ],
    });
    h.upstream.enqueue({ kind: 'error', status: 500 });
    const { response } = await openai()
      .chat.completions.create({ model: 'smart', messages: [{ role: 'user', content: PROMPT }] })
      .withResponse();
    expect(response.headers.get('x-navplane-attempts')).toBe('2');
    const { trace_id: traceId } = loggedIds(response.headers.get('x-request-id') as string);
    const spans = await spansOf(traceId as string, 3);
    const server = serverSpan(spans);
    expect(server.name).toBe('chat smart');
    expect(server.attributes).toMatchObject({ 'navplane.route': 'smart', 'navplane.attempts': 2, 'gen_ai.request.model': 'smart' });
    const attempts = clientSpans(spans);
    expect(attempts.map((span) => span.name).sort()).toEqual(['chat gpt-4.1', 'chat gpt-4o-mini']);
    const failed = attempts.find((span) => span.name === 'chat gpt-4.1');
    const answered = attempts.find((span) => span.name === 'chat gpt-4o-mini');
    expect(failed?.attributes).toMatchObject({
      'http.response.status_code': 500,
      'error.type': '500',
      'navplane.attempt.outcome': 'moved_on',
    });
    expect(failed?.statusCode).toBe(2);
    expect(answered?.attributes).toMatchObject({ 'http.response.status_code': 200, 'navplane.attempt.outcome': 'answered' });
    expect(attempts.every((span) => span.parentSpanId === server.spanId)).toBe(true);
    h.routes.set(orgId, { routes: [] });
  });

  it('exports the token-usage and duration metrics of the GenAI conventions', async () => {
    await h.runtime.otel?.forceFlush();
    const metrics = collector.metrics();
    const names = new Set(metrics.map((metric) => metric.name));
    expect([...names].sort()).toEqual(['gen_ai.client.operation.duration', 'gen_ai.client.token.usage', 'gen_ai.server.request.duration']);
    const usage = metrics.filter((metric) => metric.name === 'gen_ai.client.token.usage').flatMap((metric) => metric.points);
    expect(metrics.find((metric) => metric.name === 'gen_ai.client.token.usage')?.unit).toBe('{token}');
    expect(usage.some((point) => point.attributes['gen_ai.token.type'] === 'input' && point.count > 0)).toBe(true);
    expect(usage.some((point) => point.attributes['gen_ai.token.type'] === 'output' && point.sum > 0)).toBe(true);
    expect(usage.some((point) => point.attributes['gen_ai.provider.name'] === 'anthropic')).toBe(true);
    const duration = metrics.filter((metric) => metric.name === 'gen_ai.client.operation.duration');
    expect(duration[0]?.unit).toBe('s');
    expect(duration.flatMap((metric) => metric.points).some((point) => point.attributes['error.type'] === '500')).toBe(true);
    const server = metrics.filter((metric) => metric.name === 'gen_ai.server.request.duration').flatMap((metric) => metric.points);
    expect(server.some((point) => point.attributes['gen_ai.operation.name'] === 'chat' && point.count > 0)).toBe(true);
  });

  it('exports and logs no key, prompt or completion (canaries)', async () => {
    await h.runtime.otel?.forceFlush();
    const exported = collector.rawText();
    const logs = h.logs();
    expect(exported.length).toBeGreaterThan(0);
    const canaries = [
      key,
      OPENAI_TEST_KEY,
      ANTHROPIC_TEST_KEY,
      'canary-prompt-5f0c2e91',
      ...completions.filter((text) => text.length >= 8),
    ];
    expect(completions.length).toBeGreaterThanOrEqual(4);
    for (const canary of canaries) {
      expect(exported).not.toContain(canary);
      expect(logs).not.toContain(canary);
    }
    expect(exported).not.toContain('collector-secret');
    expect(logs).not.toContain('collector-secret');
  });
});

describe('OpenTelemetry off (no OTLP endpoint)', () => {
  let h: GatewayHarness;
  beforeAll(async () => {
    h = await startGatewayHarness('sqlite');
  });
  afterAll(() => h.close());

  it('starts no SDK, and sends no traceparent upstream, even the client’s', async () => {
    expect(h.runtime.otel).toBeUndefined();
    expect(h.logs()).not.toContain('OpenTelemetry');
    const orgId = await h.createOrg();
    const { key } = await h.issueKey(orgId);
    await h.storeProviderKey(orgId, 'openai', OPENAI_TEST_KEY);
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01` },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    await res.arrayBuffer();
    expect(res.status).toBe(200);
    expect(h.upstream.lastRequest()?.headers['traceparent']).toBeUndefined();
    const [trace] = await h.traces(orgId);
    expect(trace?.otelTraceId).toBeNull();
    expect(h.logs()).not.toContain('"trace_id"');
  });
});

describe('OpenTelemetry with a failing collector', () => {
  it('answers every request, counts the failed exports and logs the failure once', async () => {
    const collector = await startOtlpCollector();
    collector.failWith(400);
    const { h, key } = await startKeyedGateway('sqlite', {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_BSP_SCHEDULE_DELAY: '10', OTEL_METRIC_EXPORT_INTERVAL: '50' },
    });
    try {
      const client = new OpenAI({ apiKey: key, baseURL: `${h.url}/v1`, maxRetries: 0 });
      for (let i = 0; i < 3; i += 1) {
        const reply = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
        expect(reply.choices[0]?.message.content).toBeTruthy();
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
      // A 400 is not retried by the exporter, so each export fails at once; how many have failed by now still depends
      // on the machine's load, so wait (bounded) for the second failure rather than reading the counter once.
      const failedExports = async (): Promise<number> => {
        await h.runtime.otel?.forceFlush().catch(() => undefined);
        const metrics = await h.runtime.metrics.metrics();
        return Number(/navplane_otel_export_failures_total\{signal="traces"\} (\d+)/.exec(metrics)?.[1] ?? 0);
      };
      const deadline = Date.now() + 15_000;
      let failed = await failedExports();
      while (failed < 2 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        failed = await failedExports();
      }
      expect(failed).toBeGreaterThanOrEqual(2);
      const warnings = h
        .logs()
        .split('\n')
        .filter((line) => line.includes('OpenTelemetry traces export failing'));
      expect(warnings).toHaveLength(1);
    } finally {
      await h.close();
      await collector.close();
    }
  }, 30_000);
});
