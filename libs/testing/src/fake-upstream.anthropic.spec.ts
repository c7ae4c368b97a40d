import type Anthropic from '@anthropic-ai/sdk';
import { expect } from '@jest/globals';
import { anthropicMessage, anthropicMessageStream } from './anthropic.fixtures';
import { startFakeUpstream } from './fake-upstream.server';
import type { FakeUpstream } from './fake-upstream.types';
import { parseJsonAs, readJsonAs } from './json-body';
import { formatSseEvents } from './sse-format';
import { parseSse } from './sse-reader';

/** An Anthropic stream event on the wire: the SDK's union, plus the `ping` it drops before callers see it. */
type StreamEvent = Anthropic.RawMessageStreamEvent | { type: 'ping' };

let fake: FakeUpstream;
beforeAll(async () => {
  fake = await startFakeUpstream();
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

const headers = {
  'content-type': 'application/json',
  'x-api-key': 'sk-ant-test',
  'anthropic-version': '2023-06-01',
};

function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${fake.url}${path}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
}

const messageBody = {
  model: 'claude-sonnet-4-6',
  max_tokens: 256,
  system: 'Be kind',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello Claude' }] }],
};

describe('built-in Anthropic routes', () => {
  it('answers messages as JSON with request-id and usage including cache tokens', async () => {
    const res = await post('/v1/messages', messageBody);
    expect(res.status).toBe(200);
    expect(res.headers.get('request-id')).toMatch(/^req_011C[0-9A-Za-z]{20}$/);
    expect(res.headers.get('x-request-id')).toBeNull();
    expect(await res.json()).toEqual({
      id: expect.stringMatching(/^msg_01/),
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-6',
      content: [{ type: 'text', text: 'This is a fake reply to: Hello Claude' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: 5, // 'Be kind\nHello Claude' → ceil(20 / 4)
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: 8,
        service_tier: 'standard',
      },
    });
  });

  it('streams messages with the exact event sequence and event:/data: framing', async () => {
    const res = await post('/v1/messages', { ...messageBody, stream: true });
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const text = await res.text();
    expect(text.startsWith('event: message_start\ndata: {"type":"message_start","message":{')).toBe(true);
    expect(text.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n')).toBe(true);
    expect(text).toContain('event: ping\ndata: {"type":"ping"}\n\n');
    const events = parseSse(text);
    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      ...Array<string>(8).fill('content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const data = events.map((e) => parseJsonAs<StreamEvent>(e.data));
    expect(data.map((d) => d.type)).toEqual(events.map((e) => e.event));
    expect(data[0]).toEqual({
      type: 'message_start',
      message: expect.objectContaining({
        usage: {
          input_tokens: 5,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          output_tokens: 1,
          service_tier: 'standard',
        },
      }),
    });
    expect(data[1]).toEqual({
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'text', text: '' },
    });
    const deltas = data.filter((d) => d.type === 'content_block_delta');
    expect(deltas.every((d) => d.delta.type === 'text_delta' && d.index === 0)).toBe(true);
    expect(deltas.map((d) => (d.delta.type === 'text_delta' ? d.delta.text : '')).join('')).toBe('This is a fake reply to: Hello Claude');
    expect(data.at(-2)).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 8 },
    });
  });

  it('stops at max_tokens with stop_reason max_tokens', async () => {
    expect(await (await post('/v1/messages', { ...messageBody, max_tokens: 2 })).json()).toMatchObject({
      content: [{ text: 'This is' }],
      stop_reason: 'max_tokens',
      usage: { output_tokens: 2 },
    });
  });

  it('counts tokens and lists models in the Anthropic shape', async () => {
    expect(await (await post('/v1/messages/count_tokens', messageBody)).json()).toEqual({ input_tokens: 5 });
    const models = await readJsonAs<{ data: Anthropic.ModelInfo[] }>(await fetch(`${fake.url}/v1/models`, { headers }));
    expect(models).toMatchObject({
      has_more: false,
      first_id: 'claude-sonnet-4-6',
    });
    expect(models.data[0]).toMatchObject({
      type: 'model',
      id: 'claude-sonnet-4-6',
    });
  });

  it('answers errors in the Anthropic shape', async () => {
    const missing = await post('/v1/messages', { messages: [] });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        message: 'model: Field required',
      },
    });
    const unknown = await post('/v1/nothing-here', {});
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      type: 'error',
      error: { type: 'not_found_error', message: 'Not Found' },
    });
  });

  it('checks x-api-key against acceptKeys', async () => {
    const strict = await startFakeUpstream({ acceptKeys: ['sk-ant-good'] });
    try {
      const call = (key: string): Promise<Response> =>
        fetch(`${strict.url}/v1/messages`, {
          method: 'POST',
          headers: { ...headers, 'x-api-key': key },
          body: JSON.stringify(messageBody),
        });
      const denied = await call('sk-ant-wrong');
      expect(denied.status).toBe(401);
      expect(await denied.json()).toEqual({
        type: 'error',
        error: { type: 'authentication_error', message: 'invalid x-api-key' },
      });
      expect((await call('sk-ant-good')).status).toBe(200);
    } finally {
      await strict.close();
    }
  });
});

describe('Anthropic builders', () => {
  it('carry explicit usage (cache tokens included) into the JSON body and the stream', async () => {
    const usage = {
      inputTokens: 50,
      outputTokens: 3,
      cacheCreationInputTokens: 20,
      cacheReadInputTokens: 30,
    };
    fake.enqueue(
      {
        kind: 'json',
        body: anthropicMessage({
          model: 'claude-haiku-4-5',
          chunks: ['A', 'B', 'C'],
          usage,
        }),
      },
      {
        kind: 'sse',
        events: anthropicMessageStream({
          chunks: ['A', 'B', 'C'],
          usage,
          ping: false,
        }),
      },
    );
    const json = await readJsonAs<Anthropic.Message>(await post('/v1/messages', messageBody));
    expect(json.usage).toEqual({
      input_tokens: 50,
      cache_creation_input_tokens: 20,
      cache_read_input_tokens: 30,
      output_tokens: 3,
      service_tier: 'standard',
    });
    expect(json.content).toMatchObject([{ type: 'text', text: 'ABC' }]);
    const text = await (await post('/v1/messages', { ...messageBody, stream: true })).text();
    const data = parseSse(text).map((e) => parseJsonAs<StreamEvent>(e.data));
    expect(data.some((d) => d.type === 'ping')).toBe(false);
    expect(data[0]).toMatchObject({
      type: 'message_start',
      message: {
        usage: {
          input_tokens: 50,
          cache_creation_input_tokens: 20,
          cache_read_input_tokens: 30,
        },
      },
    });
    expect(data.find((d) => d.type === 'message_delta')?.usage).toEqual({
      output_tokens: 3,
    });
  });

  it('answers a tool call: a tool_use block after the text, its input streamed as input_json_delta pieces', async () => {
    const toolUse = { id: 'toolu_01fixed', name: 'Read', input: { file_path: '/repo/README.md', limit: 20 } };
    fake.enqueue(
      { kind: 'json', body: anthropicMessage({ chunks: ['Reading.'], toolUse }) },
      { kind: 'sse', events: anthropicMessageStream({ chunks: ['Reading.'], toolUse }) },
    );
    const json = await readJsonAs<Anthropic.Message>(await post('/v1/messages', messageBody));
    expect(json.stop_reason).toBe('tool_use');
    expect(json.content).toEqual([
      { type: 'text', text: 'Reading.' },
      { type: 'tool_use', ...toolUse },
    ]);
    const text = await (await post('/v1/messages', { ...messageBody, stream: true })).text();
    const data = parseSse(text).map((e) => parseJsonAs<StreamEvent>(e.data));
    expect(data.find((d) => d.type === 'content_block_start' && d.index === 1)).toMatchObject({
      content_block: { type: 'tool_use', id: 'toolu_01fixed', name: 'Read', input: {} },
    });
    const partials = data.flatMap((d) =>
      d.type === 'content_block_delta' && d.delta.type === 'input_json_delta' ? [d.delta.partial_json] : [],
    );
    expect(partials).toHaveLength(2);
    expect(JSON.parse(partials.join(''))).toEqual(toolUse.input);
    expect(data.find((d) => d.type === 'message_delta')).toMatchObject({ delta: { stop_reason: 'tool_use' } });
  });

  it('formats the stream byte for byte as formatSseEvents describes', async () => {
    const events = anthropicMessageStream({ id: 'msg_01fixed', chunks: ['x'] });
    fake.enqueue({ kind: 'sse', events });
    const text = await (await post('/v1/messages', { ...messageBody, stream: true })).text();
    expect(text).toBe(formatSseEvents(events));
  });
});
