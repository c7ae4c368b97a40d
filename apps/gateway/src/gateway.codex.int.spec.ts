import OpenAI from 'openai';
import { startFakeUpstream, TEST_DIALECTS, type FakeUpstream } from '@navplane/testing';
import {
  RESPONSES_MODEL,
  RESPONSES_USAGE,
  startFakeWebSocketUpstream,
  type FakeWebSocketUpstream,
} from './testing/fake-websocket-upstream.fixture';
import { OPENAI_TEST_KEY, startGatewayHarness, type GatewayHarness } from './testing/gateway-harness.fixture';
import { closed, open, until, untilEvent, wsUrl } from './testing/websocket-client.fixture';

jest.setTimeout(60_000);

/**
 * A Codex session through the gateway root, as Codex runs with OPENAI_BASE_URL=<gateway>/v1 and OPENAI_API_KEY=np_…
 * (docs/coding-agents.md, "Codex"): a turn over Responses over WebSocket (`GET /v1/responses` upgraded,
 * `response.create`, streamed events ending in `response.completed` with usage), then a turn over HTTP streaming
 * (`POST /v1/responses`, SSE), both traced with model and usage.
 */
describe.each(TEST_DIALECTS)('a Codex session through the gateway on %s', (dialect) => {
  let http: FakeUpstream;
  let upstream: FakeWebSocketUpstream;
  let h: GatewayHarness;
  let orgId: string;
  let key: string;

  beforeAll(async () => {
    http = await startFakeUpstream();
    upstream = await startFakeWebSocketUpstream({ httpUpstream: http.url });
    h = await startGatewayHarness(dialect, { upstreamUrl: upstream.url });
    orgId = await h.createOrg('codex');
    ({ key } = await h.issueKey(orgId));
    await h.storeProviderKey(orgId, 'openai', OPENAI_TEST_KEY);
  });
  afterAll(async () => {
    await h.close();
    await upstream.close();
    await http.close();
  });

  it('runs a turn over Responses over WebSocket, then one over HTTP streaming, and traces both', async () => {
    const baseURL = `${h.url}/v1`; // OPENAI_BASE_URL as Codex is given it

    // Turn 1: Responses over WebSocket.
    const socket = await open(wsUrl(baseURL, '/responses'), {
      headers: { authorization: `Bearer ${key}`, 'openai-beta': 'responses_websockets=2026-02-04' },
    });
    socket.send(
      JSON.stringify({
        type: 'response.create',
        model: RESPONSES_MODEL,
        instructions: 'You are Codex.',
        input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'List the files' }] }],
        stream: true,
      }),
    );
    const events = await untilEvent(socket, 'response.completed');
    expect(events.map((event) => event['type'])).toEqual(['response.created', 'response.output_text.delta', 'response.completed']);
    const [connection] = upstream.connections;
    expect(connection?.handshake.path).toBe('/v1/responses');
    expect(connection?.handshake.headers['authorization']).toBe(`Bearer ${OPENAI_TEST_KEY}`);
    expect(connection?.handshake.headers['openai-beta']).toBe('responses_websockets=2026-02-04');
    socket.close(1000);
    await closed(socket);
    await until(() => h.gateway.upgrades.live() === 0);

    // Turn 2: the same over HTTP streaming (SSE).
    const client = new OpenAI({ apiKey: key, baseURL, maxRetries: 0 });
    const stream = await client.responses.create({ model: RESPONSES_MODEL, input: 'Now run the tests', stream: true });
    let completed: OpenAI.Responses.Response | undefined;
    for await (const event of stream) if (event.type === 'response.completed') completed = event.response;
    expect(completed?.usage?.input_tokens).toBeGreaterThan(0);
    expect(http.lastRequest()?.headers['authorization']).toBe(`Bearer ${OPENAI_TEST_KEY}`);

    const traces = await h.traces(orgId);
    const overWebSocket = traces.find((t) => t.method === 'GET' && t.tokensIn !== null);
    const wsConnection = traces.find((t) => t.id === overWebSocket?.parentTraceId);
    const overHttp = traces.find((t) => t.method === 'POST');
    expect(overWebSocket).toMatchObject({
      provider: 'openai',
      route: '/v1/responses',
      model: RESPONSES_MODEL,
      stream: true,
      tokensIn: RESPONSES_USAGE.input_tokens,
      tokensOut: RESPONSES_USAGE.output_tokens,
      cacheReadTokens: RESPONSES_USAGE.input_tokens_details.cached_tokens,
      costStatus: 'estimated',
    });
    expect(overWebSocket?.costUsd).toBeGreaterThan(0);
    expect(wsConnection).toMatchObject({ route: '/v1/responses', status: 101, costStatus: 'exact', costUsd: 0 });
    expect(overWebSocket?.traceGroup).toBe(wsConnection?.id);
    expect(overHttp).toMatchObject({
      provider: 'openai',
      route: '/v1/responses',
      status: 200,
      stream: true,
      model: completed?.model,
      tokensIn: completed?.usage?.input_tokens,
      tokensOut: completed?.usage?.output_tokens,
    });
    expect(traces).toHaveLength(3);
  });
});
