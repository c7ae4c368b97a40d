import { request as httpRequest } from 'node:http';
import { anthropicMessageStream, bodyChunks, openaiChatStream, formatSseEvents } from '@navplane/testing';
import { OPENAI_TEST_KEY, startKeyedGateway, type GatewayHarness } from './testing/gateway-harness.fixture';

jest.setTimeout(60_000);

describe('the proxy path', () => {
  let h: GatewayHarness;
  let orgId: string;
  let key: string;

  beforeAll(async () => ({ h, orgId, key } = await startKeyedGateway('sqlite')));
  afterAll(() => h.close());
  beforeEach(() => h.upstream.reset());

  it('forwards method, path suffix, query and body unchanged, with an allowlisted header set', async () => {
    const body = '{"model":"text-embedding-3-small","input":"héllo",  "api_base":"http://evil.example"}';
    // node:http, because fetch refuses to send a Connection header.
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${h.url}/openai/v1/embeddings?trace=1&x=%20y`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          cookie: 'session=secret-cookie',
          'x-forwarded-for': '10.1.2.3',
          'x-forwarded-host': 'evil.example',
          forwarded: 'for=10.1.2.3',
          'x-real-ip': '10.1.2.3',
          'x-navplane-thread': 'thread-1',
          'x-navplane-key-hint': 'whatever',
          'openai-organization': 'org-123',
          'openai-project': 'proj-9',
          'x-stainless-lang': 'js',
          'x-custom-debug': 'drop-me',
          'x-hop': 'named-in-connection',
          connection: 'keep-alive, x-hop, openai-project',
        },
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(status).toBe(200);
    const seen = h.upstream.lastRequest();
    expect(seen?.method).toBe('POST');
    expect(seen?.path).toBe('/v1/embeddings');
    expect(seen?.query).toBe('trace=1&x=%20y');
    expect(seen?.text).toBe(body); // byte for byte; the api_base field is data, not routing
    expect(seen?.headers['authorization']).toBe(`Bearer ${OPENAI_TEST_KEY}`);
    expect(seen?.headers['openai-organization']).toBe('org-123');
    expect(seen?.headers['x-stainless-lang']).toBe('js');
    for (const dropped of [
      'cookie',
      'x-forwarded-for',
      'x-forwarded-host',
      'forwarded',
      'x-real-ip',
      'x-navplane-thread',
      'x-navplane-key-hint',
      'x-custom-debug',
      'x-hop',
      'openai-project',
    ]) {
      expect(seen?.headers[dropped]).toBeUndefined();
    }
    expect(seen?.headers['host']).toBe(new URL(h.upstream.url).host);
  });

  it('passes upstream errors back unchanged: status, headers and body', async () => {
    const errorBody = { error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } };
    h.upstream.enqueue({
      kind: 'json',
      status: 429,
      headers: { 'retry-after': '7', 'x-ratelimit-remaining-requests': '0' },
      body: errorBody,
    });
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [] }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(await res.json()).toEqual(errorBody);
    const [trace] = await h.traces(orgId);
    expect(trace).toMatchObject({ status: 429, errorClass: 'upstream_429' });
  });

  it('keeps the provider request id visible and answers with the client’s X-Request-Id', async () => {
    const res = await fetch(`${h.url}/v1/models`, { headers: { authorization: `Bearer ${key}`, 'x-request-id': 'my-req-1' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('my-req-1');
    expect(res.headers.get('x-navplane-upstream-request-id')).toBeTruthy();
  });

  it('streams SSE chunk by chunk as the provider sends them (no buffering)', async () => {
    const events = openaiChatStream({ model: 'gpt-4o-mini', chunks: ['a', 'b', 'c', 'd'], delayMs: 150, includeUsage: true });
    h.upstream.enqueue({ kind: 'sse', events });
    const started = Date.now();
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [], stream: true, stream_options: { include_usage: true } }),
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const arrivals: number[] = [];
    let text = '';
    for await (const chunk of bodyChunks(res)) {
      arrivals.push(Date.now() - started);
      text += new TextDecoder().decode(chunk);
    }
    // The client got exactly the provider's bytes (it asked for usage itself: nothing stripped)…
    expect(text).toBe(formatSseEvents(events));
    // …and they arrived spread over time, not in one buffered burst at the end.
    expect(arrivals.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...arrivals) - Math.min(...arrivals)).toBeGreaterThanOrEqual(300);
  });

  it('sends SSE headers at once when the first event is still to come', async () => {
    const events = openaiChatStream({ model: 'gpt-4o-mini', chunks: ['a'], includeUsage: true }).map((event, index) =>
      index === 0 ? { ...event, delayMs: 700 } : event,
    );
    h.upstream.enqueue({ kind: 'sse', events });
    const started = Date.now();
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [], stream: true }),
    });
    const headersAfter = Date.now() - started;
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(headersAfter).toBeLessThan(500);
    expect(await res.text()).toContain('[DONE]');
    expect(Date.now() - started).toBeGreaterThanOrEqual(650);
  });

  it('strips only what it injected: the client receives the stream it asked for, byte for byte', async () => {
    const plain = openaiChatStream({ id: 'chatcmpl-fixed', created: 1, model: 'gpt-4o-mini', chunks: ['x', 'y'], includeUsage: false });
    const withUsage = openaiChatStream({ id: 'chatcmpl-fixed', created: 1, model: 'gpt-4o-mini', chunks: ['x', 'y'], includeUsage: true });
    h.upstream.enqueue({ kind: 'sse', events: withUsage });
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [], stream: true }),
    });
    expect(await res.text()).toBe(formatSseEvents(plain));
    expect((h.upstream.lastRequest()?.json as { stream_options: unknown }).stream_options).toEqual({ include_usage: true });
    const [trace] = await h.traces(orgId);
    expect(trace?.tokensOut).toBeGreaterThan(0);
  });

  it('aborts the upstream request within 1 s when the client goes away, and records partial usage', async () => {
    const events = anthropicMessageStream({ model: 'claude-sonnet-4-6', chunks: ['one', 'two', 'three', 'four', 'five'], delayMs: 400 });
    h.upstream.enqueue({ kind: 'sse', events });
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(`${h.url}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      });
      req.on('response', (res) => {
        res.once('data', () => {
          req.destroy(); // the client leaves after the first chunk
          resolve();
        });
      });
      req.on('error', () => undefined);
      req.end(JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 10, messages: [], stream: true }));
      setTimeout(() => reject(new Error('no response')), 5000).unref();
    });
    const left = Date.now();
    await h.upstream.waitUntil(() => h.upstream.requests[0]?.clientAborted === true, 1000);
    expect(Date.now() - left).toBeLessThan(1000);
    const [trace] = await h.traces(orgId);
    expect(trace).toMatchObject({ provider: 'anthropic', errorClass: 'client_aborted', stream: true });
    expect(trace?.tokensIn).toBeGreaterThan(0); // from message_start, before the client left
  });

  it('ends the connection when the provider breaks mid-stream, appending nothing', async () => {
    const events = openaiChatStream({ model: 'gpt-4o-mini', chunks: ['p', 'q', 'r'] }).slice(0, 2);
    h.upstream.enqueue({ kind: 'reset-after', events });
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [], stream: true, stream_options: { include_usage: true } }),
    });
    expect(res.status).toBe(200);
    let received = '';
    await expect(
      (async () => {
        for await (const chunk of bodyChunks(res)) received += new TextDecoder().decode(chunk);
      })(),
    ).rejects.toThrow();
    expect(received).toBe(formatSseEvents(events));
    expect(received).not.toContain('[DONE]');
    expect(received).not.toContain('error');
    const [trace] = await h.traces(orgId);
    expect(trace).toMatchObject({ errorClass: 'upstream_aborted' });
  });
});
