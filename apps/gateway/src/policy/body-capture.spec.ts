import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { createRedactionPool, createRedactor, PolicyEvaluationError, type RedactionPool } from '@navplane/policy';
import { createStreamTap, openaiAdapter } from '@navplane/providers';
import { parseJsonAs } from '@navplane/testing';
import { BodyCapture } from './body-capture';
import type { BodyEvaluator } from './body-content';

const redactor = createRedactor({ salt: randomBytes(32) });
const limits = { storeChars: 2048, redactBytes: 65_536, timeoutMs: 1000 };
const json = { 'content-type': 'application/json' };
const EMAIL = 'jane.doe@example.com';
const SECRET = ['sk', 'proj', 'Zx9'.repeat(14)].join('-');

const sse = (events: object[]) => events.map((event) => `data: ${JSON.stringify(event)}\n\n`).join('');
const chatChunk = (content: string) => ({
  id: 'c1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, delta: { content } }],
});

describe('BodyCapture', () => {
  it('redacts a whole body before cutting it to the storage bound, so values split across messages are caught', async () => {
    const capture = new BodyCapture(redactor, limits, openaiAdapter);
    const filler = 'x'.repeat(3000);
    const body = JSON.stringify({
      messages: [
        { role: 'user', content: `${filler} write to jane.doe@` },
        { role: 'user', content: 'example.com please' },
      ],
    });
    capture.requestRead(Buffer.from(body), json);
    const { requestBody, request } = await capture.finish();
    expect(request).toMatchObject({ stored: true, truncated: true });
    expect(requestBody).toHaveLength(2048);
    expect(requestBody).not.toContain('jane.doe@');
  });

  it('stores a redacted prefix of a body over the redaction bound, dropping the tail that may hold half a value', async () => {
    const capture = new BodyCapture(redactor, { ...limits, redactBytes: 4096 }, openaiAdapter);
    const body = JSON.stringify({ input: `${'lorem '.repeat(300)}mail ${EMAIL} ${'ipsum '.repeat(2000)}` });
    capture.requestRead(Buffer.from(body), json);
    const { requestBody, request } = await capture.finish();
    expect(request).toMatchObject({ stored: true, truncated: true });
    expect(requestBody).toMatch(/mail \[EMAIL:[0-9a-f]{8}\]/);
    expect(requestBody).not.toContain(EMAIL);
    expect(requestBody?.length).toBeLessThanOrEqual(4096 - 256);
  });

  it('stores nothing it cannot redact: binary, non-UTF-8 and corrupt compressed bodies, or a redaction past its deadline', async () => {
    const cases: Array<[Buffer, Record<string, string>, string, typeof limits]> = [
      [Buffer.from([1, 2, 3]), { 'content-type': 'application/octet-stream' }, 'unsupported_content_type', limits],
      [Buffer.from([0x7b, 0xff, 0x7d]), json, 'unparseable', limits],
      [Buffer.from('not gzip'), { ...json, 'content-encoding': 'gzip' }, 'unparseable', limits],
      [Buffer.from(JSON.stringify({ a: EMAIL })), json, 'redaction_failed', { ...limits, timeoutMs: -1 }],
    ];
    for (const [body, headers, reason, bounds] of cases) {
      const capture = new BodyCapture(redactor, bounds, openaiAdapter);
      capture.requestRead(body, headers);
      expect(await capture.finish()).toMatchObject({ requestBody: null, request: { stored: false, reason } });
    }
  });

  it('decodes a gzip request body for storage', async () => {
    const capture = new BodyCapture(redactor, limits, openaiAdapter);
    capture.requestRead(gzipSync(JSON.stringify({ input: `mail ${EMAIL}` })), { ...json, 'content-encoding': 'gzip' });
    expect(parseJsonAs<{ input?: string }>((await capture.finish()).requestBody ?? '{}').input).toMatch(/^mail \[EMAIL:[0-9a-f]{8}\]$/);
  });

  it('reads a text/plain body holding JSON as JSON', async () => {
    const capture = new BodyCapture(redactor, limits, openaiAdapter);
    capture.requestRead(Buffer.from('{"parts":[{"text":"AKIAIOSF"},{"text":"ODNN7EXAMPLE"}]}'), { 'content-type': 'text/plain' });
    expect((await capture.finish()).requestBody).not.toContain('ODNN7EXAMPLE');
  });

  it('drops what the stream redactor held back when the stream was cut, and flushes it when it completed', async () => {
    const half = SECRET.slice(0, 20);
    const run = (cut: boolean) => {
      const capture = new BodyCapture(redactor, limits, openaiAdapter);
      const tap = createStreamTap({ adapter: openaiAdapter, assembler: capture.responseStream() });
      tap.push(Buffer.from(sse([chatChunk('Here it is: '), chatChunk(half)])));
      return capture.finish({ cut });
    };
    const cut = await run(true);
    expect(cut.responseBody).not.toContain(half);
    expect(cut.response).toMatchObject({ stored: true, truncated: true });
    expect((await run(false)).responseBody).toContain('Here it is: ');
  });

  it('is asynchronous and never rejects', async () => {
    const capture = new BodyCapture(redactor, limits, openaiAdapter);
    capture.requestRead(Buffer.from('{"a":'), json);
    const pending = capture.finish();
    expect(pending).toBeInstanceOf(Promise);
    expect(await pending).toMatchObject({
      request: { stored: false, reason: 'redaction_failed' },
      response: { stored: false, reason: 'no_response_body' },
    });
  });
});

describe('BodyCapture with a redaction pool', () => {
  const big = (n: number) =>
    JSON.stringify({
      messages: Array.from({ length: n }, (_, i) => ({
        role: 'user',
        content: `turn ${i}: mail jane.doe+${i}@example.com, key ${SECRET}`,
      })),
    });
  let pool: RedactionPool;
  beforeAll(async () => {
    pool = createRedactionPool({ size: 2 });
    await pool.ready();
  }, 30_000);
  afterAll(() => pool.close());

  /** The same exchange captured inline and through the pool. */
  async function both(bounds: typeof limits, exchange: (capture: BodyCapture) => void) {
    const results = [];
    for (const with_ of [bounds, { ...bounds, pool }]) {
      const capture = new BodyCapture(redactor, with_, openaiAdapter);
      exchange(capture);
      results.push(await capture.finish());
    }
    return results as [Awaited<ReturnType<BodyCapture['finish']>>, Awaited<ReturnType<BodyCapture['finish']>>];
  }

  it('stores the same redacted request and non-streamed response as inline redaction, byte for byte', async () => {
    const request = Buffer.from(big(500));
    const response = Buffer.from(JSON.stringify({ id: 'r', choices: [{ index: 0, message: { role: 'assistant', content: big(400) } }] }));
    expect(request.length).toBeGreaterThan(pool.inlineMaxBytes);
    const [inline, pooled] = await both(limits, (capture) => {
      capture.requestRead(request, json);
      const observe = capture.response(json);
      observe(response.subarray(0, 1000));
      observe(response.subarray(1000));
    });
    expect(pooled).toEqual(inline);
    expect(pooled.request).toMatchObject({ stored: true, truncated: true });
    expect(pooled.requestBody).toHaveLength(limits.storeChars);
    expect(pooled.requestBody).not.toContain('jane.doe');
    expect(pooled.responseBody).not.toContain('jane.doe');
    expect(pooled.request.detections).toEqual(expect.arrayContaining([expect.objectContaining({ detector: 'email' })]));
  });

  it('stores the same redacted prefix of a body over the redaction bound, and of a gzip body', async () => {
    const bounds = { ...limits, redactBytes: 16_384 };
    const [inline, pooled] = await both(bounds, (capture) => capture.requestRead(Buffer.from(big(500)), json));
    expect(pooled).toEqual(inline);
    expect(pooled.requestBody).toMatch(/\[EMAIL:[0-9a-f]{8}\]/);
    const [inlineGzip, pooledGzip] = await both(limits, (capture) =>
      capture.requestRead(gzipSync(big(500)), { ...json, 'content-encoding': 'gzip' }),
    );
    expect(pooledGzip).toEqual(inlineGzip);
    expect(pooledGzip.request.stored).toBe(true);
  });

  it('stores nothing when the pool cannot answer in time, or cannot read the body', async () => {
    const timingOut: BodyEvaluator = { evaluate: () => Promise.reject(new PolicyEvaluationError('timeout', 'x')) };
    const capture = new BodyCapture(redactor, { ...limits, pool: timingOut }, openaiAdapter);
    capture.requestRead(Buffer.from(big(500)), json);
    capture.response(json)(Buffer.from(big(10)));
    expect(await capture.finish()).toMatchObject({
      requestBody: null,
      responseBody: null,
      request: { stored: false, reason: 'redaction_failed' },
      response: { stored: false, reason: 'redaction_failed' },
    });
    const unreadable = new BodyCapture(redactor, { ...limits, pool }, openaiAdapter);
    unreadable.requestRead(Buffer.concat([Buffer.from(big(500)), Buffer.from([0xff])]), json);
    expect(await unreadable.finish()).toMatchObject({ request: { stored: false, reason: 'unparseable' } });
  });
});
