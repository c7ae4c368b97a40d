import { connect } from 'node:net';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { TEST_DIALECTS } from '@navplane/testing';
import WebSocket from 'ws';
import { closed, nextMessage, open, refused, until, wsUrl, type Refused } from './testing/websocket-client.fixture';
import {
  startFakeWebSocketUpstream,
  REALTIME_MODEL,
  REALTIME_USAGE,
  type FakeWebSocketUpstream,
} from './testing/fake-websocket-upstream.fixture';
import { OPENAI_PASSTHROUGH_KEY, OPENAI_TEST_KEY, startGatewayHarness, type GatewayHarness } from './testing/gateway-harness.fixture';

jest.setTimeout(60_000);

// What the provider must never see: anything of NavPlane's.
function expectNothingOfNavPlane(headers: Record<string, unknown>, protocols: readonly string[]) {
  for (const [name, value] of Object.entries(headers)) {
    expect(name.startsWith('x-navplane')).toBe(false);
    expect(String(value)).not.toMatch(/np_[A-Za-z0-9]/);
  }
  for (const protocol of protocols) expect(protocol).not.toContain('np_');
}

describe.each(TEST_DIALECTS)('WebSocket proxying on %s', (dialect) => {
  let upstream: FakeWebSocketUpstream;
  let h: GatewayHarness;
  let orgId: string;
  let key: string;

  beforeAll(async () => {
    upstream = await startFakeWebSocketUpstream();
    h = await startGatewayHarness(dialect, { upstreamUrl: upstream.url });
    orgId = await h.createOrg();
    ({ key } = await h.issueKey(orgId));
    await h.storeProviderKey(orgId, 'openai', OPENAI_TEST_KEY);
  });
  afterAll(async () => {
    await h.close();
    await upstream.close();
  });
  beforeEach(() => upstream.reset());

  it('relays text and binary frames both ways unchanged, with the vault key injected and nothing of NavPlane upstream', async () => {
    const socket = await open(wsUrl(h.url, '/v1/realtime?model=gpt-realtime'), {
      headers: { authorization: `Bearer ${key}`, 'openai-beta': 'realtime=v1', 'x-navplane-thread': 'thr_1' },
    });
    const greeting = await nextMessage(socket); // session.created, as the upstream sent it
    expect(JSON.parse(greeting.data.toString('utf8'))).toMatchObject({ type: 'session.created' });

    const text = JSON.stringify({
      type: 'conversation.item.create',
      item: { type: 'message', content: [{ type: 'input_text', text: 'héllo ✓' }] },
    });
    socket.send(text);
    const echoedText = await nextMessage(socket);
    expect(echoedText.isBinary).toBe(false);
    expect(echoedText.data.toString('utf8')).toBe(text);

    const binary = Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255]);
    socket.send(binary);
    const echoedBinary = await nextMessage(socket);
    expect(echoedBinary.isBinary).toBe(true);
    expect(Buffer.compare(echoedBinary.data, binary)).toBe(0);

    const [connection] = upstream.connections;
    expect(connection?.messages.map((m) => [m.data.toString('hex'), m.isBinary])).toEqual([
      [Buffer.from(text).toString('hex'), false],
      [binary.toString('hex'), true],
    ]);
    expect(connection?.handshake.path).toBe('/v1/realtime?model=gpt-realtime');
    expect(connection?.handshake.headers['authorization']).toBe(`Bearer ${OPENAI_TEST_KEY}`);
    expect(connection?.handshake.headers['openai-beta']).toBe('realtime=v1');
    expectNothingOfNavPlane(connection?.handshake.headers ?? {}, connection?.handshake.protocols ?? []);
    socket.close(1000);
    await closed(socket);
  });

  it('takes the key from the openai-insecure-api-key subprotocol and never forwards it', async () => {
    const socket = await open(wsUrl(h.url, '/openai/v1/realtime?model=gpt-realtime'), {
      protocols: ['realtime', `openai-insecure-api-key.${key}`],
    });
    expect(socket.protocol).toBe('realtime');
    const handshake = upstream.handshakes[0];
    expect(handshake?.protocols).toEqual(['realtime']);
    expect(handshake?.headers['authorization']).toBe(`Bearer ${OPENAI_TEST_KEY}`);
    expectNothingOfNavPlane(handshake?.headers ?? {}, handshake?.protocols ?? []);
    socket.close();
    await closed(socket);
  });

  it('forwards the client’s own provider key in passthrough mode (X-NavPlane-Key) and strips the NavPlane key', async () => {
    const socket = await open(wsUrl(h.url, '/v1/responses'), {
      headers: { authorization: `Bearer ${OPENAI_PASSTHROUGH_KEY}`, 'x-navplane-key': key },
    });
    const handshake = upstream.handshakes[0];
    expect(handshake?.headers['authorization']).toBe(`Bearer ${OPENAI_PASSTHROUGH_KEY}`);
    expectNothingOfNavPlane(handshake?.headers ?? {}, handshake?.protocols ?? []);
    socket.close();
    await closed(socket);
  });

  describe('refuses with the contract’s JSON error before any upstream connection', () => {
    const expectRefusal = (outcome: Refused, status: number, code: string) => {
      expect(outcome.status).toBe(status);
      expect(JSON.parse(outcome.body)).toMatchObject({ error: { code } });
      expect(outcome.headers['x-request-id']).toBeTruthy();
      expect(upstream.handshakes).toHaveLength(0);
    };

    it('without a key (401 missing_api_key)', async () => {
      expectRefusal(await refused(wsUrl(h.url, '/v1/realtime?model=gpt-realtime')), 401, 'missing_api_key');
    });

    it('with an unknown key, in a header or the subprotocol (401 invalid_api_key)', async () => {
      const unknown = 'np_0000000000000000000000000000000000000000000';
      expectRefusal(
        await refused(wsUrl(h.url, '/v1/realtime'), { headers: { authorization: `Bearer ${unknown}` } }),
        401,
        'invalid_api_key',
      );
      expectRefusal(
        await refused(wsUrl(h.url, '/v1/realtime'), { protocols: ['realtime', `openai-insecure-api-key.${unknown}`] }),
        401,
        'invalid_api_key',
      );
    });

    it('for a disabled org (403 org_disabled), traced under the org', async () => {
      const org = await h.createOrg('off');
      const { key: offKey } = await h.issueKey(org);
      await h.storeProviderKey(org, 'openai', OPENAI_TEST_KEY);
      await h.setOrgEnabled(org, false);
      expectRefusal(await refused(wsUrl(h.url, '/v1/responses'), { headers: { authorization: `Bearer ${offKey}` } }), 403, 'org_disabled');
      const [trace] = await h.traces(org);
      expect(trace).toMatchObject({ status: 403, errorClass: 'org_disabled', route: '/v1/responses' });
    });

    it('for a key without the proxy scope (403 permission_denied)', async () => {
      const { key: readOnly } = await h.issueKey(orgId, { scopes: ['traces:read'] });
      expectRefusal(
        await refused(wsUrl(h.url, '/v1/realtime'), { headers: { authorization: `Bearer ${readOnly}` } }),
        403,
        'permission_denied',
      );
    });

    it('in vault mode when the org has no OpenAI key (400 provider_key_missing)', async () => {
      const org = await h.createOrg('keyless');
      const { key: keyless } = await h.issueKey(org);
      expectRefusal(
        await refused(wsUrl(h.url, '/v1/realtime'), { headers: { authorization: `Bearer ${keyless}` } }),
        400,
        'provider_key_missing',
      );
    });

    it('for a key whose model allowlist lacks the URL’s model, or a WebSocket that picks models per message (403 model_not_allowed)', async () => {
      const { key: restricted } = await h.issueKey(orgId, { models: ['gpt-realtime'] });
      const headers = { authorization: `Bearer ${restricted}` };
      expectRefusal(await refused(wsUrl(h.url, '/v1/realtime?model=gpt-4o-realtime-preview'), { headers }), 403, 'model_not_allowed');
      expectRefusal(await refused(wsUrl(h.url, '/v1/realtime'), { headers }), 403, 'model_not_allowed');
      expectRefusal(await refused(wsUrl(h.url, '/v1/responses'), { headers }), 403, 'model_not_allowed');
      // The listed model opens the session.
      const socket = await open(wsUrl(h.url, '/v1/realtime?model=gpt-realtime'), { headers });
      expect(JSON.parse((await nextMessage(socket)).data.toString('utf8'))).toMatchObject({ type: 'session.created' });
      socket.close();
      await closed(socket);
    });

    it('for a path that takes no WebSocket (404 route_not_found)', async () => {
      expectRefusal(
        await refused(wsUrl(h.url, '/v1/chat/completions'), { headers: { authorization: `Bearer ${key}` } }),
        404,
        'route_not_found',
      );
    });
  });

  it('passes a refused upstream upgrade back with its status, the injected key masked', async () => {
    upstream.refuseWith(401);
    const outcome = await refused(wsUrl(h.url, '/v1/realtime'), { headers: { authorization: `Bearer ${key}` } });
    expect(outcome.status).toBe(401);
    expect(outcome.body).toContain('Incorrect API key provided');
    expect(outcome.body).not.toContain(OPENAI_TEST_KEY);
    expect(String(outcome.headers['x-echo'])).not.toContain(OPENAI_TEST_KEY);
    expect(String(outcome.headers['x-echo'])).toContain(OPENAI_TEST_KEY.slice(-4));
    await new Promise((r) => setTimeout(r, 100)); // the upstream request is released after the relay: no second trace
    const traces = (await h.traces(orgId)).filter((t) => t.status === 401);
    expect(traces).toHaveLength(1);
    expect(traces[0]).toMatchObject({ route: '/v1/realtime', errorClass: 'upstream_401', costStatus: 'exact', costUsd: 0 });
  });

  it('records model and usage of each Realtime response.done (OpenAI SDK realtime client), linked to the connection', async () => {
    const client = new OpenAI({ apiKey: key, baseURL: `${h.url}/v1` });
    // The SDK always dials wss://; the gateway under test is plain HTTP on loopback, so the socket is a plain one.
    const port = Number(new URL(h.url).port);
    const rt = new OpenAIRealtimeWS({ model: REALTIME_MODEL, options: { createConnection: () => connect(port, '127.0.0.1') } }, client);
    const done: string[] = [];
    rt.on('response.done', (event) => done.push(event.response.id ?? ''));
    await new Promise<void>((resolve, reject) => {
      rt.socket.once('open', () => resolve());
      rt.socket.once('error', reject);
    });
    rt.send({ type: 'response.create' });
    await until(() => done.length === 1);
    rt.send({ type: 'response.create' });
    await until(() => done.length === 2);
    rt.close();
    await until(() => h.gateway.upgrades.live() === 0);

    const traces = await h.traces(orgId);
    const responses = traces.filter((t) => t.tokensIn !== null);
    const connection = traces.find((t) => t.id === responses[0]?.parentTraceId);
    expect(responses).toHaveLength(2);
    expect(connection).toMatchObject({
      route: '/v1/realtime',
      method: 'GET',
      stream: true,
      costStatus: 'exact',
      costUsd: 0,
      model: REALTIME_MODEL,
    });
    for (const trace of responses) {
      expect(trace).toMatchObject({
        provider: 'openai',
        model: REALTIME_MODEL,
        route: '/v1/realtime',
        status: 101,
        tokensIn: REALTIME_USAGE.input_tokens,
        tokensOut: REALTIME_USAGE.output_tokens,
        cacheReadTokens: REALTIME_USAGE.input_token_details.cached_tokens,
        traceGroup: connection?.id,
        parentTraceId: connection?.id,
      });
    }
  });

  it('passes close codes both ways', async () => {
    const first = await open(wsUrl(h.url, '/v1/responses'), { headers: { authorization: `Bearer ${key}` } });
    await upstream.waitForConnections(1);
    first.close(4000, 'client bye');
    expect(await closed(first)).toEqual({ code: 4000, reason: 'client bye' });
    await until(() => upstream.connections[0]?.closed !== undefined);
    expect(upstream.connections[0]?.closed).toEqual({ code: 4000, reason: 'client bye' });

    const second = await open(wsUrl(h.url, '/v1/responses'), { headers: { authorization: `Bearer ${key}` } });
    second.send(JSON.stringify({ type: 'test.close', code: 4001, reason: 'upstream bye' }));
    expect(await closed(second)).toEqual({ code: 4001, reason: 'upstream bye' });
  });

  it('closes live sessions of an org switched off with 1008 within a second, and counts live sessions on /metrics', async () => {
    const org = await h.createOrg('killed');
    const { key: killedKey } = await h.issueKey(org);
    await h.storeProviderKey(org, 'openai', OPENAI_TEST_KEY);
    const socket = await open(wsUrl(h.url, '/v1/realtime'), { headers: { authorization: `Bearer ${killedKey}` } });
    await upstream.waitForConnections(1);
    const liveBefore = h.gateway.upgrades.live();
    expect(liveBefore).toBeGreaterThanOrEqual(1);
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`^navplane_gateway_websockets_open ${liveBefore}$`, 'm'));

    const switchedOffAt = Date.now();
    const closing = closed(socket); // listening first: the close can arrive before setOrgEnabled returns
    await h.setOrgEnabled(org, false);
    const { code } = await closing;
    expect(code).toBe(1008);
    expect(Date.now() - switchedOffAt).toBeLessThan(1000);
    await until(() => upstream.connections[0]?.closed !== undefined);
    await until(() => h.gateway.upgrades.live() === liveBefore - 1);
    expect(await (await fetch(`${h.url}/metrics`)).text()).toMatch(new RegExp(`^navplane_gateway_websockets_open ${liveBefore - 1}$`, 'm'));
    const connection = (await h.traces(org)).find((t) => t.status === 101);
    expect(connection?.errorClass).toBe('org_disabled');
  });

  // Last: the fake upstream is gone from here on.
  it('answers 502 upstream_unreachable when the provider cannot be reached, traced', async () => {
    await upstream.close();
    const outcome = await refused(wsUrl(h.url, '/v1/responses'), { headers: { authorization: `Bearer ${key}` } });
    expect(outcome.status).toBe(502);
    expect(JSON.parse(outcome.body)).toMatchObject({ error: { code: 'upstream_unreachable' } });
    const [trace] = await h.traces(orgId);
    expect(trace).toMatchObject({ status: 502, upstreamFailure: 'connection_refused', costStatus: 'exact', costUsd: 0 });
  });
});

describe.each(TEST_DIALECTS)('WebSocket session bounds on %s', (dialect) => {
  let upstream: FakeWebSocketUpstream;
  let h: GatewayHarness;
  let key: string;

  beforeAll(async () => {
    upstream = await startFakeWebSocketUpstream();
    h = await startGatewayHarness(dialect, {
      upstreamUrl: upstream.url,
      env: { NAVPLANE_WS_IDLE_TIMEOUT_MS: '1000', NAVPLANE_WS_MAX_SESSION_MS: '2500' },
    });
    const orgId = await h.createOrg();
    ({ key } = await h.issueKey(orgId));
    await h.storeProviderKey(orgId, 'openai', OPENAI_TEST_KEY);
  });
  afterAll(async () => {
    await h.close();
    await upstream.close();
  });
  beforeEach(() => upstream.reset());

  it('closes an idle session (1001) and its upstream', async () => {
    const socket = await open(wsUrl(h.url, '/v1/responses'), { headers: { authorization: `Bearer ${key}` } });
    const startedAt = Date.now();
    const { code, reason } = await closed(socket);
    expect(code).toBe(1001);
    expect(reason).toBe('idle timeout');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(900);
    await until(() => upstream.connections[0]?.closed !== undefined);
    expect(upstream.connections[0]?.closed?.code).toBe(1001);
  });

  it('ends a busy session at the maximum session length (1008)', async () => {
    const socket = await open(wsUrl(h.url, '/v1/responses'), { headers: { authorization: `Bearer ${key}` } });
    const startedAt = Date.now();
    const ping = setInterval(() => socket.readyState === WebSocket.OPEN && socket.send('{"type":"keepalive"}'), 200);
    const { code } = await closed(socket);
    clearInterval(ping);
    expect(code).toBe(1008);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(2400);
    await until(() => upstream.connections[0]?.closed !== undefined);
  });

  it('closes live sessions at shutdown (1001)', async () => {
    const socket = await open(wsUrl(h.url, '/v1/realtime'), { headers: { authorization: `Bearer ${key}` } });
    await nextMessage(socket); // session.created
    const closing = closed(socket);
    await h.server.close(2000);
    expect((await closing).code).toBe(1001);
    expect(h.gateway.upgrades.live()).toBe(0);
  });
});
