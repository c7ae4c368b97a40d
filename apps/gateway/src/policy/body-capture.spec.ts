import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { createRedactor } from '@navplane/policy';
import { BodyCapture } from './body-capture';

const redactor = createRedactor({ salt: randomBytes(32) });
const limits = { storeChars: 2048, redactBytes: 65_536, timeoutMs: 1000 };
const json = { 'content-type': 'application/json' };
const EMAIL = 'jane.doe@example.com';
const SECRET = ['sk', 'proj', 'Zx9'.repeat(14)].join('-');

const sse = (events: object[]) => events.map((event) => `data: ${JSON.stringify(event)}\n\n`).join('');
const chatChunk = (content: string) => ({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content } }] });

describe('BodyCapture', () => {
  it('redacts a whole body before cutting it to the storage bound, so values split across messages are caught', () => {
    const capture = new BodyCapture(redactor, limits, 'openai');
    const filler = 'x'.repeat(3000);
    const body = JSON.stringify({ messages: [{ role: 'user', content: `${filler} write to jane.doe@` }, { role: 'user', content: 'example.com please' }] });
    capture.requestRead(Buffer.from(body), json);
    const { requestBody, request } = capture.finish();
    expect(request).toMatchObject({ stored: true, truncated: true });
    expect(requestBody).toHaveLength(2048);
    expect(requestBody).not.toContain('jane.doe@');
  });

  it('stores a redacted prefix of a body over the redaction bound, dropping the tail that may hold half a value', () => {
    const capture = new BodyCapture(redactor, { ...limits, redactBytes: 4096 }, 'openai');
    const body = JSON.stringify({ input: `${'lorem '.repeat(300)}mail ${EMAIL} ${'ipsum '.repeat(2000)}` });
    capture.requestRead(Buffer.from(body), json);
    const { requestBody, request } = capture.finish();
    expect(request).toMatchObject({ stored: true, truncated: true });
    expect(requestBody).toMatch(/mail \[EMAIL:[0-9a-f]{8}\]/);
    expect(requestBody).not.toContain(EMAIL);
    expect(requestBody!.length).toBeLessThanOrEqual(4096 - 256);
  });

  it('stores nothing it cannot redact: binary, non-UTF-8 and corrupt compressed bodies, or a redaction past its deadline', () => {
    const cases: Array<[Buffer, Record<string, string>, string, typeof limits]> = [
      [Buffer.from([1, 2, 3]), { 'content-type': 'application/octet-stream' }, 'unsupported_content_type', limits],
      [Buffer.from([0x7b, 0xff, 0x7d]), json, 'unparseable', limits],
      [Buffer.from('not gzip'), { ...json, 'content-encoding': 'gzip' }, 'unparseable', limits],
      [Buffer.from(JSON.stringify({ a: EMAIL })), json, 'redaction_failed', { ...limits, timeoutMs: -1 }],
    ];
    for (const [body, headers, reason, bounds] of cases) {
      const capture = new BodyCapture(redactor, bounds, 'openai');
      capture.requestRead(body, headers);
      expect(capture.finish()).toMatchObject({ requestBody: null, request: { stored: false, reason } });
    }
  });

  it('decodes a gzip request body for storage', () => {
    const capture = new BodyCapture(redactor, limits, 'openai');
    capture.requestRead(gzipSync(JSON.stringify({ input: `mail ${EMAIL}` })), { ...json, 'content-encoding': 'gzip' });
    expect(JSON.parse(capture.finish().requestBody ?? '{}').input).toMatch(/^mail \[EMAIL:[0-9a-f]{8}\]$/);
  });

  it('reads a text/plain body holding JSON as JSON', () => {
    const capture = new BodyCapture(redactor, limits, 'openai');
    capture.requestRead(Buffer.from('{"parts":[{"text":"AKIAIOSF"},{"text":"ODNN7EXAMPLE"}]}'), { 'content-type': 'text/plain' });
    expect(capture.finish().requestBody).not.toContain('ODNN7EXAMPLE');
  });

  it('drops what the stream redactor held back when the stream was cut, and flushes it when it completed', () => {
    const half = SECRET.slice(0, 20);
    const run = (cut: boolean) => {
      const capture = new BodyCapture(redactor, limits, 'openai');
      const observe = capture.response({ 'content-type': 'text/event-stream' }, true);
      observe(Buffer.from(sse([chatChunk('Here it is: '), chatChunk(half)])));
      return capture.finish({ cut });
    };
    const cut = run(true);
    expect(cut.responseBody).not.toContain(half);
    expect(cut.response).toMatchObject({ stored: true, truncated: true });
    expect(run(false).responseBody).toContain('Here it is: ');
  });
});
