import { TEST_DIALECTS, type ScriptedResponse } from '@navplane/testing';
import { Agent, request } from 'undici';
import { rawConnection } from './testing/raw-http.fixture';
import { OPENAI_TEST_KEY, startGatewayHarness, type GatewayHarness } from './testing/gateway-harness.fixture';

jest.setTimeout(120_000);

const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };

/** A stream that sends one chunk at once and the rest only after `ms` (a long generation). */
function slowStream(ms: number): ScriptedResponse {
  return {
    kind: 'sse',
    events: [
      { data: { id: 'c1', object: 'chat.completion.chunk', model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content: 'a' } }] } },
      { data: { id: 'c1', object: 'chat.completion.chunk', model: 'gpt-4o-mini', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }, delayMs: ms },
      { raw: 'data: [DONE]\n\n' },
    ],
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

describe.each(TEST_DIALECTS)('no tenant stalls another, on %s', (dialect) => {
  let h: GatewayHarness;
  let orgA: string;
  let orgB: string;
  let keyA: string;
  let keyB: string;

  beforeAll(async () => {
    h = await startGatewayHarness(dialect, { env: { NAVPLANE_REQUEST_TIMEOUT_MS: '2000' } });
    orgA = await h.createOrg('a');
    orgB = await h.createOrg('b');
    await h.storeProviderKey(orgA, 'openai', OPENAI_TEST_KEY);
    await h.storeProviderKey(orgB, 'openai', OPENAI_TEST_KEY);
    keyA = (await h.issueKey(orgA)).key;
    keyB = (await h.issueKey(orgB)).key;
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => h.upstream.reset());

  it('500 slow upstream streams of one org do not delay another org’s request (within 100 ms of direct)', async () => {
    h.upstream.setDefault((req) => ((req.json as { stream?: boolean } | undefined)?.stream === true ? slowStream(8_000) : undefined));
    const clients = new Agent({ connections: null, keepAliveTimeout: 1_000 });
    const openStreams: Array<Promise<unknown>> = [];
    const aborts: AbortController[] = [];
    try {
      for (let i = 0; i < 500; i += 1) {
        const abort = new AbortController();
        aborts.push(abort);
        openStreams.push(
          request(`${h.url}/v1/chat/completions`, {
            method: 'POST',
            dispatcher: clients,
            signal: abort.signal,
            headers: { authorization: `Bearer ${keyA}`, 'content-type': 'application/json' },
            body: JSON.stringify({ ...CHAT, stream: true }),
          }).then(
            (res) => res.body.text().catch(() => undefined),
            () => undefined,
          ),
        );
      }
      await h.upstream.waitForRequests(500, 30_000);

      const timed = async (url: string, headers: Record<string, string>) => {
        const started = performance.now();
        const res = await request(url, { method: 'POST', dispatcher: clients, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(CHAT) });
        await res.body.text();
        expect(res.statusCode).toBe(200);
        return performance.now() - started;
      };
      const viaGateway: number[] = [];
      const direct: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        direct.push(await timed(`${h.upstream.url}/v1/chat/completions`, { authorization: `Bearer ${OPENAI_TEST_KEY}` }));
        viaGateway.push(await timed(`${h.url}/v1/chat/completions`, { authorization: `Bearer ${keyB}` }));
      }
      expect(median(viaGateway)).toBeLessThan(median(direct) + 100);
    } finally {
      for (const abort of aborts) abort.abort();
      await Promise.all(openStreams);
      await clients.close();
      h.upstream.setDefault(undefined);
    }
  });

  it('cuts off a client that drips its body (408 or a close) within about NAVPLANE_REQUEST_TIMEOUT_MS (2 s here, checked every 0.5 s); nothing complete reaches the provider', async () => {
    for (const path of ['/v1/chat/completions', '/v1/embeddings']) {
      h.upstream.reset();
      const conn = await rawConnection(h.url);
      conn.write(`POST ${path} HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${keyA}\r\nContent-Type: application/json\r\nContent-Length: 64\r\n\r\n{`);
      const drip = setInterval(() => conn.write(' '), 500);
      const seen = await conn.closed(8_000);
      clearInterval(drip);
      conn.destroy();
      expect(seen.closedAfterMs).toBeDefined();
      // Without the bound it would take 32 s to send 64 bytes; the bound (2 s + one 0.5 s check) leaves room for a loaded machine.
      expect(seen.closedAfterMs as number).toBeLessThan(5_000);
      if (seen.status !== 0) expect(seen.status).toBe(408);
      // The read body never went upstream; the streamed one was cut before it was complete.
      if (path === '/v1/chat/completions') expect(h.upstream.requestCount).toBe(0);
      else expect(h.upstream.requests.filter((r) => r.finished)).toHaveLength(0);
    }
  });

  it.each([
    ['401 (no key)', '/v1/chat/completions', '', 401],
    ['401 (invalid key)', '/v1/chat/completions', 'Authorization: Bearer np_garbage\r\n', 401],
    ['404 (no route)', '/nowhere', 'Authorization: Bearer np_garbage\r\n', 404],
  ])('answers a refusal before its body at once and closes, without waiting for the body: %s', async (_name, path, auth, status) => {
    const conn = await rawConnection(h.url);
    conn.write(`POST ${path} HTTP/1.1\r\nHost: gw\r\n${auth}Content-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{"a":`);
    const seen = await conn.closed(1_500);
    conn.destroy();
    expect(seen.status).toBe(status);
    expect(seen.text.toLowerCase()).toContain('connection: close');
    expect(seen.closedAfterMs).toBeDefined();
    expect(h.upstream.requestCount).toBe(0);
  });

  it('413 for a declared body over the limit, at once, closing the connection', async () => {
    const conn = await rawConnection(h.url);
    conn.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${keyA}\r\nContent-Type: application/json\r\nContent-Length: 999999999\r\n\r\n{`);
    const seen = await conn.closed(1_500);
    conn.destroy();
    expect(seen.status).toBe(413);
    expect(seen.closedAfterMs).toBeDefined();
    expect(h.upstream.requestCount).toBe(0);
  });

  it.each(['identity, chunked', 'gzip, chunked', 'chunked, chunked'])('refuses Transfer-Encoding "%s" (400/501) and forwards nothing', async (encoding) => {
    const conn = await rawConnection(h.url);
    const body = JSON.stringify(CHAT);
    conn.write(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${keyA}\r\nContent-Type: application/json\r\nTransfer-Encoding: ${encoding}\r\n\r\n` +
        `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
    );
    const seen = await conn.closed(1_500);
    conn.destroy();
    expect([400, 501]).toContain(seen.status);
    expect(h.upstream.requestCount).toBe(0);
  });
});
