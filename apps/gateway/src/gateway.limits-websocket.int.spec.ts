import { connect } from 'node:net';
import type { LimitDocument } from '@navplane/limits';
import { CHANGE_TOPICS } from '@navplane/storage';
import { TEST_DIALECTS } from '@navplane/testing';
import { startFakeWebSocketUpstream, type FakeWebSocketUpstream } from './testing/fake-websocket-upstream.fixture';
import { OPENAI_TEST_KEY, startGatewayHarness, type GatewayHarness } from './testing/gateway-harness.fixture';
import { closed, open, refused, until, untilEvent, wsUrl } from './testing/websocket-client.fixture';

jest.setTimeout(60_000);

describe.each(TEST_DIALECTS)('rate limits of WebSocket sessions on %s', (dialect) => {
  let upstream: FakeWebSocketUpstream;
  let h: GatewayHarness;

  beforeAll(async () => {
    upstream = await startFakeWebSocketUpstream();
    h = await startGatewayHarness(dialect, { upstreamUrl: upstream.url });
  });
  afterAll(async () => {
    await h.close();
    await upstream.close();
  });
  beforeEach(() => upstream.reset());

  async function keyWith(limits: Record<string, number>): Promise<string> {
    const orgId = await h.createOrg();
    const { key, id } = await h.issueKey(orgId);
    await h.storeProviderKey(orgId, 'openai', OPENAI_TEST_KEY);
    await h.runtime.repos.limits.put(orgId, { limits: [{ scope: { type: 'key', id }, ...limits }] }, new Date().toISOString());
    await h.runtime.changeFeed.publish(CHANGE_TOPICS.limitsChanged, { orgId });
    return key;
  }
  const url = () => wsUrl(h.url, '/v1/realtime?model=gpt-realtime');

  /** A key under a daily budget of `usd` (key scope), its headers, and the budget's settled spend as the engine reads it. */
  async function budgetedKey(usd: number) {
    const orgId = await h.createOrg();
    const { key, id } = await h.issueKey(orgId);
    await h.storeProviderKey(orgId, 'openai', OPENAI_TEST_KEY);
    const document: LimitDocument = { limits: [{ scope: { type: 'key', id }, budget: { usd, period: 'day' } }] };
    await h.runtime.repos.limits.put(orgId, document, new Date().toISOString());
    await h.runtime.changeFeed.publish(CHANGE_TOPICS.limitsChanged, { orgId });
    const spent = async () => (await h.gateway.budgets.engine.statuses(orgId, document))[0]?.spentUsd ?? 0;
    /** Waits (up to 3 s) until the settled spend passes `floor`; returns it. */
    const spentPast = async (floor: number) => {
      const deadline = Date.now() + 3000;
      while ((await spent()) <= floor && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      return spent();
    };
    return { headers: { authorization: `Bearer ${key}` }, spent, spentPast };
  }

  it('holds a concurrency slot while a session is open: another handshake gets 429 before any upstream connection', async () => {
    const key = await keyWith({ concurrency: 1 });
    const headers = { authorization: `Bearer ${key}` };
    const first = await open(url(), { headers });
    const second = await refused(url(), { headers });
    expect(second.status).toBe(429);
    expect(JSON.parse(second.body)).toMatchObject({ error: { code: 'rate_limited' } });
    expect(second.headers['retry-after']).toBe('1');
    expect(second.headers['x-ratelimit-limit-requests']).toBeUndefined(); // no header for a concurrency limit
    expect(upstream.handshakes).toHaveLength(1);
    first.close(1000);
    await closed(first);
    // The slot frees when the session ends.
    const deadline = Date.now() + 3000;
    let again = await open(url(), { headers }).catch(() => undefined);
    while (again === undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      again = await open(url(), { headers }).catch(() => undefined);
    }
    expect(again).toBeDefined();
    again?.close(1000);
  });

  it('frees the slot of a malformed client handshake (no Sec-WebSocket-Key) that ws refuses after the upstream opened', async () => {
    const key = await keyWith({ concurrency: 1 });
    const gateway = new URL(h.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(gateway.port), gateway.hostname, () => {
        socket.write(
          [
            'GET /v1/realtime?model=gpt-realtime HTTP/1.1',
            `Host: ${gateway.host}`,
            'Connection: Upgrade',
            'Upgrade: websocket',
            'Sec-WebSocket-Version: 13',
            `Authorization: Bearer ${key}`,
            '',
            '',
          ].join('\r\n'),
        );
      });
      let text = '';
      socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    // The slot is free again: a proper session opens.
    const deadline = Date.now() + 3000;
    let session = await open(url(), { headers: { authorization: `Bearer ${key}` } }).catch(() => undefined);
    while (session === undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      session = await open(url(), { headers: { authorization: `Bearer ${key}` } }).catch(() => undefined);
    }
    expect(session).toBeDefined();
    session?.close(1000);
  });

  it('counts a handshake as one request against rpm', async () => {
    const key = await keyWith({ rpm: 1 });
    const headers = { authorization: `Bearer ${key}` };
    const first = await open(url(), { headers });
    first.close(1000);
    await closed(first);
    const over = await refused(url(), { headers });
    expect(over.status).toBe(429);
    expect(Number(over.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // The refused upgrade says which window is full, as an HTTP 429 does.
    expect(over.headers['x-ratelimit-limit-requests']).toBe('1');
    expect(over.headers['x-ratelimit-remaining-requests']).toBe('0');
    expect(upstream.handshakes).toHaveLength(1);
  });

  it('settles each response of a session into its budget, closes the session whose response spent it, then refuses the upgrade', async () => {
    // One Responses-over-WebSocket response of the fake upstream costs $0.000698 (gpt-5-codex: 176 input, 1 024 cached,
    // 35 output tokens): the first leaves the $0.001 budget short of spent, the second spends it.
    const { headers, spent, spentPast } = await budgetedKey(0.001);
    const responses = wsUrl(h.url, '/v1/responses');

    const session = await open(responses, { headers });
    const ended = closed(session);
    session.send(JSON.stringify({ type: 'response.create' }));
    await untilEvent(session, 'response.completed');
    expect(await spentPast(0)).toBeCloseTo(0.000698, 9);

    session.send(JSON.stringify({ type: 'response.create' }));
    expect(await ended).toEqual({ code: 1008, reason: 'budget exceeded' });
    expect(await spent()).toBeCloseTo(0.001396, 9);

    const over = await refused(responses, { headers });
    expect(over.status).toBe(429);
    expect(JSON.parse(over.body)).toMatchObject({ error: { code: 'budget_exceeded' } });
    expect(upstream.handshakes).toHaveLength(1);
  });

  it('keeps a session (and the process) when its budgets cannot be read after a response: the failure is logged', async () => {
    const { headers } = await budgetedKey(10);
    const session = await open(wsUrl(h.url, '/v1/responses'), { headers });
    // The org's limits cannot be read any more (evicted, and the database is down): the check after each response fails.
    const engine = h.gateway.budgets.engine;
    const unreadable = jest.spyOn(engine, 'applicable').mockRejectedValue(new Error('database down'));
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      session.send(JSON.stringify({ type: 'response.create' }));
      await untilEvent(session, 'response.completed');
      await until(() => h.logs().includes('budget check of a WebSocket response failed'));
      expect(unhandled).toEqual([]);
      expect(session.readyState).toBe(session.OPEN);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      unreadable.mockRestore();
      session.close(1000);
    }
  });

  it('charges a response the client left before its end at its estimate (4096 output tokens at its model)', async () => {
    const { headers, spentPast } = await budgetedKey(1);
    const session = await open(wsUrl(h.url, '/v1/responses'), { headers });
    session.send(JSON.stringify({ type: 'response.create' }));
    await untilEvent(session, 'response.completed'); // gpt-5-codex, $0.000698
    // The fake upstream echoes other messages: this one reaches the gateway as the upstream starting a response.
    session.send(JSON.stringify({ type: 'response.created', response: { id: 'resp_left', status: 'in_progress' } }));
    await untilEvent(session, 'response.created');
    session.close(1000);
    await closed(session);
    // 4096 output tokens at gpt-5-codex's $10 per million: $0.04096, beside the finished response's $0.000698.
    expect(await spentPast(0.04)).toBeCloseTo(0.000698 + 0.04096, 9);
  });
});
