import { TEST_DIALECTS } from '@navplane/testing';
import { closed, open, refused, untilEvent, until, wsUrl } from './testing/websocket-client.fixture';
import { startFakeWebSocketUpstream, type FakeWebSocketUpstream } from './testing/fake-websocket-upstream.fixture';
import { OPENAI_TEST_KEY, startGatewayHarness, startKeyedGateway, type GatewayHarness } from './testing/gateway-harness.fixture';

jest.setTimeout(60_000);

const chat = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

describe.each(TEST_DIALECTS)('request tags (X-NavPlane-Tags) on %s', (dialect) => {
  let h: GatewayHarness;
  let orgId: string;
  let key: string;

  beforeAll(async () => {
    ({ h, orgId, key } = await startKeyedGateway(dialect));
  });
  afterAll(() => h.close());
  beforeEach(() => h.upstream.reset());

  const post = (tags: string | undefined, path = '/v1/chat/completions') =>
    fetch(`${h.url}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        ...(tags === undefined ? {} : { 'x-navplane-tags': tags }),
      },
      body: chat,
    });

  it('stores the tags with the trace (trimmed, case kept, duplicates collapsed) and never forwards the header', async () => {
    const res = await post(' team:search , Feature/Summarize,v1.2,team:search');
    expect(res.status).toBe(200);
    const traceId = res.headers.get('x-navplane-trace-id');
    await res.arrayBuffer();
    const upstreamHeaders = h.upstream.lastRequest()?.headers ?? {};
    expect(Object.keys(upstreamHeaders).filter((name) => name.toLowerCase().startsWith('x-navplane'))).toEqual([]);
    expect(JSON.stringify(upstreamHeaders)).not.toContain('Feature/Summarize');

    const untagged = await post(undefined);
    await untagged.arrayBuffer();
    const traces = await h.traces(orgId);
    expect(traces.find((t) => t.id === traceId)?.tags).toEqual(['team:search', 'Feature/Summarize', 'v1.2']);
    expect(traces.find((t) => t.id === untagged.headers.get('x-navplane-trace-id'))?.tags).toEqual([]);
  });

  it.each([
    ['too many tags', Array.from({ length: 11 }, (_, i) => `t${i}`).join(','), 'at most 10 different tags'],
    ['a tag over 64 characters', `ok,${'x'.repeat(65)}`, 'tag 2 is longer than 64 characters'],
    ['a character outside [A-Za-z0-9._:/-]', 'ok,has space', 'tag 2 has a character other than'],
    ['an empty tag', 'a,,b', 'tag 2 is empty'],
  ])('refuses %s with 400 invalid_request and no upstream call (traced under the org)', async (_what, header, message) => {
    const res = await post(header);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string; type: string; param?: string } };
    expect(body.error).toMatchObject({ code: 'invalid_request', type: 'invalid_request_error', param: 'X-NavPlane-Tags' });
    expect(body.error.message).toContain(message);
    expect(h.upstream.requestCount).toBe(0);
    const traces = await h.traces(orgId);
    expect(traces.find((t) => t.id === res.headers.get('x-navplane-trace-id'))).toMatchObject({
      status: 400,
      errorClass: 'invalid_request',
      tags: [],
    });
  });

  it('checks the key before the tags: no key is 401 whatever the header says', async () => {
    const res = await fetch(`${h.url}/v1/chat/completions`, { method: 'POST', headers: { 'x-navplane-tags': 'bad tag' }, body: chat });
    expect(res.status).toBe(401);
    expect(h.upstream.requestCount).toBe(0);
  });
});

describe.each(TEST_DIALECTS)('request tags on WebSocket sessions on %s', (dialect) => {
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

  it('takes the tags from the handshake: the connection and each response are traced with them; not forwarded', async () => {
    const socket = await open(wsUrl(h.url, '/v1/realtime?model=gpt-realtime'), {
      headers: { authorization: `Bearer ${key}`, 'x-navplane-tags': 'voice,team:support' },
    });
    await untilEvent(socket, 'session.created');
    socket.send(JSON.stringify({ type: 'response.create' }));
    await untilEvent(socket, 'response.done');
    socket.close(1000);
    await closed(socket);
    await until(() => h.gateway.upgrades.live() === 0);

    const handshake = upstream.handshakes[0];
    expect(Object.keys(handshake?.headers ?? {}).filter((name) => name.startsWith('x-navplane'))).toEqual([]);
    const traces = await h.traces(orgId);
    expect(traces.length).toBeGreaterThanOrEqual(2); // the connection and its response
    for (const trace of traces) expect(trace.tags).toEqual(['voice', 'team:support']);
  });

  it('refuses a bad handshake header with 400 before any upstream connection', async () => {
    const outcome = await refused(wsUrl(h.url, '/v1/realtime?model=gpt-realtime'), {
      headers: { authorization: `Bearer ${key}`, 'x-navplane-tags': 'a;b' },
    });
    expect(outcome.status).toBe(400);
    expect(JSON.parse(outcome.body)).toMatchObject({ error: { code: 'invalid_request', param: 'X-NavPlane-Tags' } });
    expect(upstream.handshakes).toHaveLength(0);
  });
});
