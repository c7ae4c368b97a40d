import { expect } from '@jest/globals';
import type OpenAI from 'openai';
import { startFakeUpstream } from './fake-upstream.server';
import type { FakeUpstream } from './fake-upstream.types';
import { parseJsonAs, readJsonAs } from './json-body';
import { parseSse } from './sse-reader';

/** OpenAI's error body. */
interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

let fake: FakeUpstream;
beforeAll(async () => {
  fake = await startFakeUpstream();
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${fake.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: 'Bearer sk-test',
    },
    body: JSON.stringify(body),
  });
}

const chatBody = {
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Say hi' }],
};

describe('built-in OpenAI routes', () => {
  it('answers chat completions as JSON with content derived from the request and consistent usage', async () => {
    const res = await post('/v1/chat/completions', chatBody);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
    const json = await readJsonAs<OpenAI.ChatCompletion>(res);
    expect(json).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4o-mini',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'This is a fake reply to: Say hi',
          },
          finish_reason: 'stop',
        },
      ],
    });
    expect(json.id).toMatch(/^chatcmpl-/);
    expect(json.usage).toMatchObject({
      prompt_tokens: 2, // 'Say hi' → ceil(6 / 4)
      completion_tokens: 8, // one token per word chunk
      total_tokens: 10,
    });
  });

  it('streams chat completions with exact data-only framing, no usage chunk, and [DONE]', async () => {
    const res = await post('/v1/chat/completions', {
      ...chatBody,
      stream: true,
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const text = await res.text();
    expect(text.startsWith('data: {"id":"chatcmpl-')).toBe(true);
    expect(text.endsWith('\n\ndata: [DONE]\n\n')).toBe(true);
    expect(text).not.toContain('event:');
    const events = parseSse(text);
    expect(events.every((e) => e.event === undefined)).toBe(true);
    const chunks = events.slice(0, -1).map((e) => parseJsonAs<OpenAI.ChatCompletionChunk>(e.data));
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && !('usage' in c))).toBe(true);
    expect(chunks[0]?.choices[0]?.delta).toEqual({
      role: 'assistant',
      content: '',
      refusal: null,
    });
    const content = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(content).toBe('This is a fake reply to: Say hi');
    expect(chunks.at(-1)?.choices[0]).toMatchObject({
      delta: {},
      finish_reason: 'stop',
    });
  });

  it('appends the usage-only chunk (choices: []) before [DONE] when include_usage is true', async () => {
    const res = await post('/v1/chat/completions', {
      ...chatBody,
      stream: true,
      stream_options: { include_usage: true },
    });
    const events = parseSse(await res.text());
    expect(events.at(-1)?.data).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((e) => parseJsonAs<OpenAI.ChatCompletionChunk>(e.data));
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: {
        prompt_tokens: 2,
        completion_tokens: 8,
        total_tokens: 10,
      },
    });
    expect(chunks.slice(0, -1).every((c) => c.usage === null && c.choices.length === 1)).toBe(true);
  });

  it('caps the reply at max_tokens with finish_reason length', async () => {
    const json = await readJsonAs<OpenAI.ChatCompletion>(await post('/v1/chat/completions', { ...chatBody, max_tokens: 3 }));
    expect(json).toMatchObject({
      choices: [{ message: { content: 'This is a' }, finish_reason: 'length' }],
      usage: { completion_tokens: 3 },
    });
  });

  it('answers the Responses API as JSON', async () => {
    const res = await post('/v1/responses', {
      model: 'gpt-4.1-mini',
      input: 'Tell me',
      instructions: 'Be brief',
    });
    const json = await readJsonAs<OpenAI.Responses.Response>(res);
    expect(json).toMatchObject({
      object: 'response',
      status: 'completed',
      model: 'gpt-4.1-mini',
      instructions: 'Be brief',
      output: [
        {
          type: 'message',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'This is a fake reply to: Tell me' }],
        },
      ],
      usage: { input_tokens: 4, output_tokens: 8, total_tokens: 12 },
    });
    expect(json.id).toMatch(/^resp_/);
  });

  it('streams the Responses API with event: lines, sequence numbers and usage on response.completed', async () => {
    const res = await post('/v1/responses', {
      model: 'gpt-4o',
      input: [{ role: 'user', content: 'Hi there' }],
      stream: true,
    });
    const text = await res.text();
    expect(text.startsWith('event: response.created\ndata: {"type":"response.created","sequence_number":0,')).toBe(true);
    expect(text).not.toContain('[DONE]');
    const events = parseSse(text);
    const names = events.map((e) => e.event);
    expect(names).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      ...Array<string>(8).fill('response.output_text.delta'),
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const data = events.map((e) => parseJsonAs<OpenAI.Responses.ResponseStreamEvent>(e.data));
    expect(data.map((d) => d.type)).toEqual(names);
    expect(data.map((d) => d.sequence_number)).toEqual(names.map((_, i) => i));
    const deltas = data.filter((d) => d.type === 'response.output_text.delta').map((d) => d.delta);
    expect(deltas.join('')).toBe('This is a fake reply to: Hi there');
    expect(data.at(-1)).toMatchObject({
      response: {
        status: 'completed',
        usage: { input_tokens: 2, output_tokens: 8, total_tokens: 10 },
      },
    });
  });

  it('answers embeddings as floats, or base64 float32 as the openai SDK requests by default', async () => {
    const floats = await readJsonAs<OpenAI.CreateEmbeddingResponse>(
      await post('/v1/embeddings', {
        model: 'text-embedding-3-small',
        input: ['a', 'b'],
        dimensions: 4,
      }),
    );
    expect(floats).toMatchObject({
      object: 'list',
      model: 'text-embedding-3-small',
      usage: { prompt_tokens: 2, total_tokens: 2 },
    });
    expect(floats.data.map((d) => d.index)).toEqual([0, 1]);
    expect(floats.data[0]?.embedding).toHaveLength(4);
    // With encoding_format base64 each embedding is a string (the SDK decodes it into numbers).
    const b64 = await readJsonAs<{ data: Array<{ embedding: string }> }>(
      await post('/v1/embeddings', {
        model: 'text-embedding-3-small',
        input: ['a', 'b'],
        dimensions: 4,
        encoding_format: 'base64',
      }),
    );
    const bytes = Buffer.from(b64.data[0]?.embedding ?? '', 'base64');
    const decoded = Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4));
    expect(decoded).toEqual(floats.data[0]?.embedding);
  });

  it('lists models', async () => {
    const json = await readJsonAs<{ object: string; data: OpenAI.Model[] }>(await fetch(`${fake.url}/v1/models`));
    expect(json.object).toBe('list');
    expect(json.data[0]).toEqual({
      id: 'gpt-4o',
      object: 'model',
      created: expect.any(Number),
      owned_by: 'system',
    });
    const one = await (await fetch(`${fake.url}/v1/models/gpt-4o-mini`)).json();
    expect(one).toMatchObject({ id: 'gpt-4o-mini', object: 'model' });
  });

  it('answers unknown routes with a 404 in the OpenAI error shape', async () => {
    const res = await post('/v1/nope', {});
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: {
        message: 'Invalid URL (POST /v1/nope)',
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
  });

  it('rejects a missing model and malformed JSON with 400 like the API', async () => {
    const missing = await post('/v1/chat/completions', { messages: [] });
    expect(missing.status).toBe(400);
    expect((await readJsonAs<OpenAIErrorBody>(missing)).error.message).toBe('you must provide a model parameter');
    const malformed = await fetch(`${fake.url}/v1/chat/completions`, {
      method: 'POST',
      body: '{nope',
    });
    expect(malformed.status).toBe(400);
    expect((await readJsonAs<OpenAIErrorBody>(malformed)).error.type).toBe('invalid_request_error');
  });
});

describe('acceptKeys', () => {
  it('answers 401 unless the bearer key is accepted, without echoing the key', async () => {
    const strict = await startFakeUpstream({ acceptKeys: ['sk-good'] });
    try {
      const call = (key?: string): Promise<Response> =>
        fetch(`${strict.url}/v1/chat/completions`, {
          method: 'POST',
          headers: key ? { authorization: `Bearer ${key}` } : {},
          body: JSON.stringify(chatBody),
        });
      const missing = await call();
      expect(missing.status).toBe(401);
      expect((await readJsonAs<OpenAIErrorBody>(missing)).error.code).toBeNull();
      const wrong = await call('sk-bad-secret');
      expect(wrong.status).toBe(401);
      const text = await wrong.text();
      expect(parseJsonAs<OpenAIErrorBody>(text).error.code).toBe('invalid_api_key');
      expect(text).not.toContain('sk-bad-secret');
      expect((await call('sk-good')).status).toBe(200);
    } finally {
      await strict.close();
    }
  });
});
