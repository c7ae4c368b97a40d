import { builtInResponse } from './default-routes';
import { startFakeUpstream } from './fake-upstream.server';
import type { FakeUpstream } from './fake-upstream.types';
import { openaiChatCompletion, openaiChatStream } from './openai-chat.fixtures';
import type OpenAI from 'openai';
import { parseJsonAs, readJsonAs } from './json-body';
import { readSseEvents } from './sse-reader';

let fake: FakeUpstream;
beforeAll(async () => {
  fake = await startFakeUpstream();
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

function chat(body: object = {}): Promise<Response> {
  return fetch(`${fake.url}/v1/chat/completions`, {
    method: 'POST',
    body: JSON.stringify({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'x' }],
      ...body,
    }),
  });
}

describe('scripted responses', () => {
  it('uses enqueued responses FIFO, then falls back to the built-in routes', async () => {
    fake.enqueue(
      {
        kind: 'json',
        body: openaiChatCompletion({ id: 'chatcmpl-first', content: 'one' }),
      },
      {
        kind: 'json',
        status: 201,
        headers: { 'X-Custom': 'yes' },
        body: { second: true },
      },
    );
    expect(fake.pending).toBe(2);
    expect(await (await chat()).json()).toMatchObject({
      id: 'chatcmpl-first',
      choices: [{ message: { content: 'one' } }],
    });
    const second = await chat();
    expect(second.status).toBe(201);
    expect(second.headers.get('x-custom')).toBe('yes');
    expect(second.headers.get('x-request-id')).toMatch(/^req_/);
    expect(await second.json()).toEqual({ second: true });
    expect(fake.pending).toBe(0);
    expect((await readJsonAs<OpenAI.ChatCompletion>(await chat())).object).toBe('chat.completion');
  });

  it('lets scripted headers override the defaults, e.g. a fixed x-request-id', async () => {
    fake.enqueue({
      kind: 'json',
      headers: { 'x-request-id': 'req_fixed' },
      body: {},
    });
    expect((await chat()).headers.get('x-request-id')).toBe('req_fixed');
  });

  it('sends error statuses with the given body, or the provider-shaped default', async () => {
    fake.enqueue(
      {
        kind: 'error',
        status: 429,
        headers: { 'retry-after': '7' },
        body: {
          error: {
            message: 'slow down',
            type: 'requests',
            param: null,
            code: 'rate_limit_exceeded',
          },
        },
      },
      { kind: 'error', status: 503 },
      { kind: 'error', status: 529, message: 'Overloaded' },
    );
    const limited = await chat();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(await limited.json()).toEqual({
      error: {
        message: 'slow down',
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      },
    });
    const unavailable = await chat();
    expect(unavailable.status).toBe(503);
    expect(await unavailable.json()).toEqual({
      error: {
        message: 'Fake upstream error (HTTP 503)',
        type: 'server_error',
        param: null,
        code: null,
      },
    });
    const overloaded = await fetch(`${fake.url}/v1/messages`, {
      method: 'POST',
      body: '{}',
    });
    expect(overloaded.status).toBe(529);
    expect(await overloaded.json()).toEqual({
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded' },
    });
  });

  it('sends raw bodies as given', async () => {
    fake.enqueue({
      kind: 'raw',
      status: 502,
      headers: { 'content-type': 'text/html' },
      body: '<html>bad gateway</html>',
    });
    const res = await chat();
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toBe('text/html');
    expect(await res.text()).toBe('<html>bad gateway</html>');
  });

  it('delivers SSE events chunk by chunk, honouring each delay', async () => {
    const delayMs = 100;
    // Timers never fire early; the slack only absorbs the client's own scheduling jitter.
    const slack = 25;
    fake.enqueue({
      kind: 'sse',
      events: openaiChatStream({ chunks: ['a', 'b', 'c'], delayMs }),
    });
    const started = performance.now();
    const res = await chat({ stream: true });
    const headersAt = performance.now();
    const events = await readSseEvents(res);
    // Headers and the role chunk come before the first delay.
    expect(headersAt - started).toBeLessThan(delayMs - slack);
    const contentOf = (data: string) => parseJsonAs<OpenAI.ChatCompletionChunk>(data).choices[0]?.delta.content;
    const contentEvents = events.filter((e) => e.data !== '[DONE]' && contentOf(e.data));
    expect(contentEvents.map((e) => contentOf(e.data))).toEqual(['a', 'b', 'c']);
    const arrivals = [...events.slice(0, 1), ...contentEvents].map((e) => e.receivedAt);
    const gaps = arrivals.slice(1).map((at, i) => at - (arrivals[i] ?? Number.NaN));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(delayMs - slack);
  });

  it('writes raw SSE fragments verbatim (an event split across two chunks, comments)', async () => {
    fake.enqueue({
      kind: 'sse',
      events: [
        { raw: ': keep-alive\n\n' },
        { raw: 'data: {"half":' },
        { raw: '"done"}\n\n', delayMs: 30 },
        { event: 'multi', data: 'line1\nline2' },
      ],
    });
    const res = await chat({ stream: true });
    const events = await readSseEvents(res);
    expect(events.map(({ event, data }) => ({ event, data }))).toEqual([
      { event: undefined, data: '{"half":"done"}' },
      { event: 'multi', data: 'line1\nline2' },
    ]);
  });

  it('delays before the status line with kind delay', async () => {
    fake.enqueue({
      kind: 'delay',
      ms: 120,
      then: { kind: 'json', body: { late: true } },
    });
    const started = performance.now();
    const res = await chat();
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
    expect(await res.json()).toEqual({ late: true });
  });

  it('computes responses from the request with responders and setDefault', async () => {
    fake.setDefault((req) =>
      req.path === '/v1/chat/completions'
        ? { kind: 'delay', ms: 1, then: builtInResponse(req) }
        : { kind: 'json', body: { path: req.path } },
    );
    fake.enqueue(
      (req) => ({
        kind: 'json',
        body: { echoed: (req.json as { model: string }).model },
      }),
      () => undefined,
    );
    expect(await (await chat()).json()).toEqual({ echoed: 'gpt-4o' });
    // A responder returning undefined falls through to the default.
    expect((await readJsonAs<OpenAI.ChatCompletion>(await chat())).object).toBe('chat.completion');
    expect(await (await fetch(`${fake.url}/other`)).json()).toEqual({
      path: '/other',
    });
    fake.setDefault(undefined);
    expect((await fetch(`${fake.url}/other`)).status).toBe(404);
  });

  it('answers 500 instead of hanging when a responder throws', async () => {
    fake.enqueue(() => {
      throw new Error('boom');
    });
    const res = await chat();
    expect(res.status).toBe(500);
    expect((await readJsonAs<{ error: { message: string } }>(res)).error.message).toContain('boom');
  });
});
