import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { anthropicMessageStream } from './anthropic.fixtures';
import { startFakeUpstream } from './fake-upstream.server';
import type { FakeUpstream } from './fake-upstream.types';
import { openaiChatStream } from './openai-chat.fixtures';
import { readSseEvents, type TimedSseEvent } from './sse-reader';

let fake: FakeUpstream;
beforeAll(async () => {
  fake = await startFakeUpstream();
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

const body = JSON.stringify({
  model: 'gpt-4o',
  messages: [{ role: 'user', content: 'x' }],
  stream: true,
});

/** A plain node:http POST, to see socket-level errors (ECONNRESET) that fetch wraps. */
function rawPost(url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/v1/chat/completions`, { method: 'POST', agent: false }, resolve);
    req.on('error', reject);
    req.end(body);
  });
}

/** Sends one request over a bare TCP socket: every byte received and whether it ended by FIN or RST. */
function tcpExchange(port: number): Promise<{ bytes: string; ending: 'fin' | 'rst' }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let bytes = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (bytes += chunk));
    socket.on('end', () => resolve({ bytes, ending: 'fin' }));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? resolve({ bytes, ending: 'rst' }) : reject(error)));
    socket.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });
}

describe('failure modes', () => {
  it('hang: never answers; clientAborted turns true once the client gives up', async () => {
    fake.enqueue({ kind: 'hang' });
    const call = fetch(`${fake.url}/v1/chat/completions`, {
      method: 'POST',
      body,
      signal: AbortSignal.timeout(150),
    });
    await expect(call).rejects.toMatchObject({ name: 'TimeoutError' });
    await fake.waitUntil(() => fake.requests[0]?.clientAborted === true);
    expect(fake.requests[0]).toMatchObject({
      clientAborted: true,
      finished: false,
    });
  });

  it('marks a client that disconnects mid-stream as aborted, and a completed one as finished', async () => {
    fake.enqueue(
      {
        kind: 'sse',
        events: openaiChatStream({ chunks: ['a', 'b'], delayMs: 5_000 }),
      },
      { kind: 'sse', events: openaiChatStream({ chunks: ['a', 'b'] }) },
    );
    const controller = new AbortController();
    const res = await fetch(`${fake.url}/v1/chat/completions`, {
      method: 'POST',
      body,
      signal: controller.signal,
    });
    // Give up as soon as the first event arrives.
    await expect(readSseEvents(res, () => controller.abort())).rejects.toMatchObject({ name: 'AbortError' });
    await fake.waitUntil(() => fake.requests[0]?.clientAborted === true);
    await (await fetch(`${fake.url}/v1/chat/completions`, { method: 'POST', body })).text();
    await fake.waitUntil(() => fake.requests[1]?.finished === true);
    expect(fake.requests[1]?.clientAborted).toBe(false);
  });

  it('reset: the connection is reset (RST) before any response byte; clients see ECONNRESET', async () => {
    fake.enqueue({ kind: 'reset' }, { kind: 'reset' }, { kind: 'reset' });
    expect(await tcpExchange(fake.port)).toEqual({ bytes: '', ending: 'rst' });
    await expect(rawPost(fake.url)).rejects.toMatchObject({
      code: 'ECONNRESET',
    });
    const failed = await fetch(`${fake.url}/v1/chat/completions`, {
      method: 'POST',
      body,
    }).catch((e: Error) => e);
    expect(failed).toMatchObject({
      name: 'TypeError',
      message: 'fetch failed',
      cause: { code: 'ECONNRESET' },
    });
    expect(fake.requests.map((r) => r.clientAborted)).toEqual([false, false, false]);
  });

  it('reset-after: delivers the first events, then resets the connection mid-stream', async () => {
    const events = anthropicMessageStream({
      chunks: ['one', 'two', 'three'],
    }).slice(0, 4);
    fake.enqueue({
      kind: 'reset-after',
      events: events.map((event, index) => (index === 3 ? { ...event, delayMs: 30 } : event)),
    });
    const { bytes, ending } = await tcpExchange(fake.port);
    expect(ending).toBe('rst');
    expect(bytes).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(bytes).toMatch(/^transfer-encoding: chunked\r$/im);
    expect(bytes).toContain('event: message_start');
    expect(bytes).toContain('"text":"one"');
    expect(bytes).not.toContain('"text":"two"');

    fake.enqueue({
      kind: 'reset-after',
      events: openaiChatStream({ chunks: ['a'] }).slice(0, 2),
    });
    const seen: TimedSseEvent[] = [];
    const viaFetch = await fetch(`${fake.url}/v1/chat/completions`, {
      method: 'POST',
      body,
    });
    expect(viaFetch.status).toBe(200);
    await expect(readSseEvents(viaFetch, (e) => seen.push(e))).rejects.toThrow();
    expect(seen).toHaveLength(2);
    expect(fake.requests.every((r) => !r.clientAborted && !r.finished)).toBe(true);
  });

  it("sse endWith 'close': all events arrive, then FIN without the chunked terminator", async () => {
    fake.enqueue({
      kind: 'sse',
      events: openaiChatStream({ chunks: ['a'] }).slice(0, 2),
      endWith: 'close',
    });
    const { bytes, ending } = await tcpExchange(fake.port);
    expect(ending).toBe('fin');
    expect(bytes.match(/data: /g)).toHaveLength(2);
    expect(bytes.endsWith('\n\n\r\n')).toBe(true); // last chunk ends; no `0\r\n\r\n` follows
  });

  it('close() destroys hanging and streaming connections instead of waiting for them', async () => {
    const other = await startFakeUpstream();
    other.enqueue({ kind: 'hang' }, { kind: 'sse', events: openaiChatStream({ delayMs: 60_000 }) });
    const hanging = fetch(`${other.url}/v1/chat/completions`, {
      method: 'POST',
      body,
    }).then(
      () => 'answered',
      () => 'failed',
    );
    const streaming = await fetch(`${other.url}/v1/chat/completions`, {
      method: 'POST',
      body,
    });
    const streamed = streaming.text().then(
      () => 'complete',
      () => 'broken',
    );
    await other.waitForRequests(2);
    const started = performance.now();
    await other.close();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(await hanging).toBe('failed');
    expect(await streamed).toBe('broken');
    expect(other.requests.every((r) => !r.clientAborted)).toBe(true);
    await other.close(); // idempotent
  });
});
