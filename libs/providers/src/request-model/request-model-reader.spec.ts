import { anthropicAdapter } from '../anthropic/anthropic.adapter';
import { openaiAdapter } from '../openai/openai.adapter';
import { MAX_MODEL_BYTES } from './json-model-scanner';
import { MAX_PART_HEADER_BYTES, multipartBoundary } from './multipart-model-scanner';
import { createRequestModelReader, type RequestModelReader } from './request-model-reader';

const JSON_TYPE = { contentType: 'application/json', contentEncoding: undefined };

function json(): RequestModelReader {
  return createRequestModelReader('json', JSON_TYPE)!;
}

function multipart(boundary: string): RequestModelReader {
  return createRequestModelReader('multipart', { contentType: `multipart/form-data; boundary=${boundary}`, contentEncoding: undefined })!;
}

/** Feeds `body` whole, split at every offset into two chunks, and byte by byte; every way must read the same. */
function readAllWays(make: () => RequestModelReader, body: Buffer): string | undefined {
  const whole = make();
  whole.push(body);
  const expected = whole.model();
  for (let at = 1; at < body.length; at += 1) {
    const split = make();
    split.push(body.subarray(0, at));
    split.push(body.subarray(at));
    expect({ at, model: split.model() }).toEqual({ at, model: expected });
  }
  const bytewise = make();
  for (let at = 0; at < body.length; at += 1) bytewise.push(body.subarray(at, at + 1));
  expect(bytewise.model()).toBe(expected);
  return expected;
}

describe('where each provider names the model of a request', () => {
  it('OpenAI: audio and image uploads in a multipart field, moderations, speech and image generations in JSON', () => {
    expect(openaiAdapter.requestModelSource('POST', '/v1/audio/transcriptions', '')).toEqual({ from: 'multipart' });
    expect(openaiAdapter.requestModelSource('POST', '/v1/audio/translations', '')).toEqual({ from: 'multipart' });
    expect(openaiAdapter.requestModelSource('POST', '/v1/images/edits', '')).toEqual({ from: 'multipart' });
    expect(openaiAdapter.requestModelSource('POST', '/v1/moderations', '')).toEqual({ from: 'json' });
    expect(openaiAdapter.requestModelSource('POST', '/v1/audio/speech', '')).toEqual({ from: 'json' });
    // The response names the model, or the route has none.
    expect(openaiAdapter.requestModelSource('POST', '/v1/embeddings', '')).toBeUndefined();
    expect(openaiAdapter.requestModelSource('POST', '/v1/files', '')).toBeUndefined();
    expect(openaiAdapter.requestModelSource('GET', '/v1/moderations', '')).toBeUndefined();
  });

  it('Anthropic: count_tokens in JSON', () => {
    expect(anthropicAdapter.requestModelSource('POST', '/v1/messages/count_tokens', '')).toEqual({ from: 'json' });
    expect(anthropicAdapter.requestModelSource('POST', '/v1/messages', '')).toBeUndefined();
  });
});

describe('createRequestModelReader', () => {
  it('reads JSON bodies of a JSON content type (or none), multipart ones with a valid boundary, nothing compressed', () => {
    expect(createRequestModelReader(undefined, JSON_TYPE)).toBeUndefined();
    expect(createRequestModelReader('json', { contentType: undefined, contentEncoding: undefined })).toBeDefined();
    expect(createRequestModelReader('json', { contentType: 'application/vnd.api+json', contentEncoding: 'identity' })).toBeDefined();
    expect(createRequestModelReader('json', { contentType: 'text/plain', contentEncoding: undefined })).toBeUndefined();
    expect(createRequestModelReader('json', { contentType: 'application/json', contentEncoding: 'gzip' })).toBeUndefined();
    expect(createRequestModelReader('multipart', JSON_TYPE)).toBeUndefined();
    expect(createRequestModelReader('multipart', { contentType: 'multipart/form-data', contentEncoding: undefined })).toBeUndefined();
    expect(
      createRequestModelReader('multipart', { contentType: 'multipart/form-data; boundary=x', contentEncoding: undefined }),
    ).toBeDefined();
  });
});

describe('the JSON model scanner', () => {
  it.each([
    ['{"model":"gpt-4o","input":"x"}', 'gpt-4o'],
    ['{ "input" : "x" , "model" : "omni-moderation-latest" }', 'omni-moderation-latest'],
    ['{"model":"a","model":"b"}', 'b'],
    ['{"input":{"model":"nested"},"metadata":[{"model":"deep"}],"model":"top"}', 'top'],
    ['{"input":{"model":"nested"}}', undefined],
    ['{"input":"say \\"model\\":\\"fake\\" \\\\","model":"real"}', 'real'],
    ['{"model":"caf\\u00e9-1"}', 'café-1'],
    ['{"model":null,"input":"x"}', undefined],
    ['{"model":{"name":"x"},"input":"model"}', undefined],
    ['{"model":""}', undefined],
    ['["model","x"]', undefined],
    ['"model"', undefined],
    ['{"model":"gpt-4o"}{"model":"second-document"}', 'gpt-4o'],
    ['{"modelx":"a","xmodel":"b"}', undefined],
  ])('%s → %s', (body, expected) => {
    expect(readAllWays(json, Buffer.from(body))).toBe(expected);
  });

  it('ignores a value longer than a model name, and keeps no more than that of it', () => {
    expect(readAllWays(json, Buffer.from(`{"model":"${'m'.repeat(MAX_MODEL_BYTES + 1)}"}`))).toBeUndefined();
    expect(readAllWays(json, Buffer.from(`{"model":"${'m'.repeat(MAX_MODEL_BYTES)}"}`))).toBe('m'.repeat(MAX_MODEL_BYTES));
  });

  it('reads a model after megabytes of strings and escapes', () => {
    const reader = json();
    const body = Buffer.from(JSON.stringify({ input: `${'a\\"'.repeat(500_000)}${'x'.repeat(2_000_000)}`, model: 'late' }));
    for (let at = 0; at < body.length; at += 65_536) reader.push(body.subarray(at, at + 65_536));
    expect(reader.model()).toBe('late');
  });
});

describe('the multipart model scanner', () => {
  const boundary = '----formdata-undici-0123456789';
  function form(parts: Array<{ headers: string; content: string | Buffer }>, epilogue = ''): Buffer {
    const pieces: Buffer[] = [];
    for (const part of parts) {
      pieces.push(Buffer.from(`--${boundary}\r\n${part.headers}\r\n\r\n`), Buffer.from(part.content), Buffer.from('\r\n'));
    }
    pieces.push(Buffer.from(`--${boundary}--\r\n${epilogue}`));
    return Buffer.concat(pieces);
  }
  const field = (name: string, content: string) => ({ headers: `Content-Disposition: form-data; name="${name}"`, content });
  const file = (content: string | Buffer) => ({
    headers: 'Content-Disposition: form-data; name="file"; filename="model"\r\nContent-Type: audio/wav',
    content,
  });

  it('reads the model field before or after the file, whatever the chunking', () => {
    expect(readAllWays(() => multipart(boundary), form([file('RIFF....WAVE'), field('model', 'whisper-1')]))).toBe('whisper-1');
    expect(readAllWays(() => multipart(boundary), form([field('model', 'gpt-4o-transcribe'), file('RIFF')]))).toBe('gpt-4o-transcribe');
    expect(readAllWays(() => multipart(boundary), form([field('language', 'en'), file('x')]))).toBeUndefined();
  });

  it('takes nothing from file content or other fields that only look like a model field', () => {
    const lookalike = `\r\n--other\r\nContent-Disposition: form-data; name="model"\r\n\r\nfake\r\nname="model"`;
    expect(readAllWays(() => multipart(boundary), form([file(lookalike), field('prompt', 'name="model"')]))).toBeUndefined();
    expect(readAllWays(() => multipart(boundary), form([file(lookalike), field('model', 'real')]))).toBe('real');
  });

  it('the last model field wins; headers are matched case-insensitively, names quoted or not', () => {
    const body = form([
      field('model', 'first'),
      { headers: 'content-disposition: form-data; filename="a.wav"; name=model', content: 'second' },
    ]);
    expect(readAllWays(() => multipart(boundary), body)).toBe('second');
  });

  it('ignores an overlong value, and what follows the close delimiter', () => {
    expect(readAllWays(() => multipart(boundary), form([field('model', 'm'.repeat(MAX_MODEL_BYTES + 1))]))).toBeUndefined();
    const epilogue = `--${boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\nafter-the-end\r\n`;
    expect(readAllWays(() => multipart(boundary), form([field('model', 'inside')], epilogue))).toBe('inside');
  });

  it('stops at a part header block over its bound, keeping what it had', () => {
    const huge = { headers: `Content-Disposition: form-data; name="x"\r\nX-Pad: ${'p'.repeat(MAX_PART_HEADER_BYTES)}`, content: 'x' };
    const reader = multipart(boundary);
    reader.push(form([field('model', 'kept'), huge, field('model', 'never-read')]));
    expect(reader.model()).toBe('kept');
  });

  it('passes over megabytes of file content chunk by chunk', () => {
    const reader = multipart(boundary);
    const body = form([file(Buffer.alloc(5_000_000, 0x2d)), field('model', 'whisper-1')]);
    for (let at = 0; at < body.length; at += 65_536) reader.push(body.subarray(at, at + 65_536));
    expect(reader.model()).toBe('whisper-1');
  });

  it('finds the boundary of multipart/form-data content types only', () => {
    expect(multipartBoundary('multipart/form-data; boundary=abc')).toBe('abc');
    expect(multipartBoundary('Multipart/Form-Data; charset=utf-8; BOUNDARY="a b:c"')).toBe('a b:c');
    expect(multipartBoundary('multipart/mixed; boundary=abc')).toBeUndefined();
    expect(multipartBoundary('multipart/form-data; boundary=')).toBeUndefined();
    expect(multipartBoundary(`multipart/form-data; boundary=${'x'.repeat(71)}`)).toBeUndefined();
    expect(multipartBoundary(undefined)).toBeUndefined();
  });
});
