import { openaiAdapter } from './openai.adapter';

const CHAT = '/v1/chat/completions';
const messages = [{ role: 'user', content: 'Hi' }];

describe('openai prepareRequest (exact stream usage)', () => {
  it.each([
    ['no stream_options', { model: 'gpt-4o', messages, stream: true }, { include_usage: true }],
    ['stream_options: null', { model: 'gpt-4o', messages, stream: true, stream_options: null }, { include_usage: true }],
    [
      'other stream_options keys',
      { model: 'gpt-4o', messages, stream: true, stream_options: { include_obfuscation: false } },
      { include_obfuscation: false, include_usage: true },
    ],
    [
      'include_usage: false',
      { model: 'gpt-4o', messages, stream: true, stream_options: { include_usage: false } },
      { include_usage: true },
    ],
  ])('injects include_usage on a chat stream with %s, keeping every other field', (_name, body, expectedOptions) => {
    const prepared = openaiAdapter.prepareRequest(CHAT, body);
    expect(prepared).toMatchObject({ changed: true, stream: true, model: 'gpt-4o', stripUsageChunk: true });
    expect(prepared.body).toEqual({ ...body, stream_options: expectedOptions });
    expect(Object.keys(prepared.body as object)).toEqual(Object.keys({ ...body, stream_options: null }));
    expect(body).not.toHaveProperty('stream_options.include_usage', true); // the input is not mutated
  });

  it.each([
    ['a non-stream request', { model: 'gpt-4o', messages }, false],
    ['stream: false', { model: 'gpt-4o', messages, stream: false }, false],
    ['a stream that already asks for usage', { model: 'gpt-4o', messages, stream: true, stream_options: { include_usage: true } }, true],
    ['invalid stream_options (left for the upstream to reject)', { model: 'gpt-4o', messages, stream: true, stream_options: 'yes' }, true],
  ])('leaves %s untouched', (_name, body, stream) => {
    const prepared = openaiAdapter.prepareRequest(CHAT, body, Buffer.from(JSON.stringify(body)));
    expect(prepared).toEqual({ body, changed: false, stream, model: 'gpt-4o', stripUsageChunk: false });
    expect(prepared.body).toBe(body);
  });

  it('leaves other routes and non-object bodies untouched', () => {
    const body = { model: 'gpt-4.1', input: 'hi', stream: true };
    expect(openaiAdapter.prepareRequest('/v1/responses', body)).toEqual({
      body,
      changed: false,
      stream: true,
      model: 'gpt-4.1',
      stripUsageChunk: false,
    });
    expect(openaiAdapter.prepareRequest(CHAT, [1, 2])).toEqual({
      body: [1, 2],
      changed: false,
      stream: false,
      stripUsageChunk: false,
    });
    expect(openaiAdapter.prepareRequest(CHAT, { stream: true, model: 42 })).toMatchObject({
      changed: true,
      stream: true,
    });
    expect(openaiAdapter.prepareRequest(CHAT, { stream: true, model: 42 })).not.toHaveProperty('model');
  });

  it('with the raw body, inserts the member and keeps every other byte as sent', () => {
    const raw = Buffer.from(
      ' {\n  "model": "gpt-4o",\n  "seed": 12345678901234567890,\n  "temperature": 1.0,\n  "stream": true,\n  "messages": []\n}',
    );
    const prepared = openaiAdapter.prepareRequest(CHAT, JSON.parse(raw.toString()), raw);
    expect(prepared.bytes?.toString()).toBe(
      ' {"stream_options":{"include_usage":true},\n  "model": "gpt-4o",\n  "seed": 12345678901234567890,\n  "temperature": 1.0,\n  "stream": true,\n  "messages": []\n}',
    );
    expect(JSON.parse(prepared.bytes?.toString() ?? '')).toEqual(prepared.body);
  });

  it('with the raw body and existing stream_options, re-serialises the rewritten body', () => {
    const body = { model: 'gpt-4o', stream: true, stream_options: { include_obfuscation: false }, messages };
    const prepared = openaiAdapter.prepareRequest(CHAT, body, Buffer.from(JSON.stringify(body)));
    expect(JSON.parse(prepared.bytes?.toString() ?? '')).toEqual({
      ...body,
      stream_options: { include_obfuscation: false, include_usage: true },
    });
  });

  it('gives no bytes when unchanged or when no raw body was passed', () => {
    const body = { model: 'gpt-4o', stream: true, messages };
    expect(openaiAdapter.prepareRequest(CHAT, body).bytes).toBeUndefined();
    expect(openaiAdapter.prepareRequest(CHAT, { ...body, stream: false }, Buffer.from('{}')).bytes).toBeUndefined();
  });
});
