import { expect } from '@jest/globals';
import type { ProviderId } from '../provider-adapter';
import { BUILT_IN_ADAPTERS } from '../registry/built-in-providers';
import type { AssembledResponse, AssembledTextFilter, ResponseAssemblerOptions } from './assembler.types';
import { createResponseAssembler } from './response-assembler';
import { named, sse, type Ev } from './sse-events.fixture';

/** The built-in adapter of a provider id. */
const adapterOf = (id: ProviderId) => BUILT_IN_ADAPTERS.find((adapter) => adapter.id === id)!;

// A small corpus of every stream format, with multi-byte text in deltas, tool arguments and input.

interface Stream {
  readonly provider: ProviderId;
  readonly events: readonly Ev[];
}

const chat = (choices: object[], extra: object = {}): Ev => [
  undefined,
  { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices, ...extra },
];
const choice = (index: number, delta: object, finish: string | null = null): object => ({
  index,
  delta,
  finish_reason: finish,
});

const OPENAI_CHAT: Ev[] = [
  chat([choice(0, { role: 'assistant', content: '' }), choice(1, { role: 'assistant', content: null })]),
  chat([choice(0, { content: 'h\u00e9llo \u{1F44B}' })]),
  chat([choice(1, { refusal: 'sorry, ' })]),
  chat([choice(0, { content: ' \u4e16\u754c' })]),
  chat([choice(1, { refusal: 'no can do' })]),
  chat([choice(0, { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } }] })]),
  chat([choice(0, { tool_calls: [{ index: 0, function: { arguments: '{"city":"z\u00fc' } }] })]),
  chat([choice(0, { tool_calls: [{ index: 0, function: { arguments: 'rich"}' } }] })]),
  chat([choice(0, {}, 'tool_calls'), choice(1, {}, 'stop')]),
  chat([], { usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } }),
  [undefined, '[DONE]'],
];

const legacy = (text: string, finish: string | null = null): Ev => [
  undefined,
  {
    id: 'cmpl-1',
    object: 'text_completion',
    created: 1,
    model: 'gpt-3.5-turbo-instruct',
    choices: [{ index: 0, text, finish_reason: finish }],
  },
];
const OPENAI_LEGACY: Ev[] = [legacy('once upon'), legacy(' a t\u00efme', 'stop'), [undefined, '[DONE]']];

const RESPONSE = {
  id: 'resp_1',
  object: 'response',
  created_at: 1,
  model: 'gpt-4.1',
  instructions: 'be brief',
  metadata: { topic: 'weather' },
  text: { format: { type: 'text' } },
  tool_choice: 'auto',
};
const ANNOTATION = { type: 'url_citation', title: 'weather', url: 'https://x' };
const RESPONSE_OUTPUT = [
  {
    id: 'msg_1',
    type: 'message',
    status: 'completed',
    role: 'assistant',
    content: [
      {
        type: 'output_text',
        text: 'it is s\u00fcnny',
        annotations: [ANNOTATION],
      },
    ],
  },
  {
    id: 'fc_1',
    type: 'function_call',
    call_id: 'call_1',
    name: 'get',
    arguments: '{"q":"z\u00fcrich"}',
    status: 'completed',
  },
];
const at = (output_index: number, fields: object = {}): object => ({ output_index, content_index: 0, ...fields });
const OPENAI_RESPONSES_PARTIAL: Ev[] = [
  named('response.created', { response: { ...RESPONSE, status: 'in_progress', output: [] } }),
  named('response.output_item.added', {
    output_index: 0,
    item: { id: 'msg_1', type: 'message', role: 'assistant', content: [] },
  }),
  named('response.output_text.delta', at(0, { item_id: 'msg_1', delta: 'it is ' })),
  named('response.output_text.delta', at(0, { item_id: 'msg_1', delta: 's\u00fcnny' })),
  named('response.output_text.annotation.added', at(0, { annotation: ANNOTATION })),
  named('response.refusal.delta', { output_index: 0, content_index: 1, delta: 'but no' }),
  named('response.output_item.added', {
    output_index: 1,
    item: { id: 'fc_1', type: 'function_call', call_id: 'call_1', name: 'get', arguments: '' },
  }),
  named('response.function_call_arguments.delta', { output_index: 1, item_id: 'fc_1', delta: '{"q":"z\u00fc' }),
  named('response.function_call_arguments.delta', { output_index: 1, item_id: 'fc_1', delta: 'rich"}' }),
  named('response.output_item.added', { output_index: 2, item: { id: 'rs_1', type: 'reasoning', summary: [] } }),
  named('response.reasoning_summary_text.delta', { output_index: 2, summary_index: 0, delta: 'thinking' }),
  named('response.web_search_call.searching', { output_index: 3, item_id: 'ws_1' }),
];
const OPENAI_RESPONSES: Ev[] = [
  ...OPENAI_RESPONSES_PARTIAL,
  named('response.completed', { response: { ...RESPONSE, status: 'completed', output: RESPONSE_OUTPUT } }),
];

const ANTHROPIC: Ev[] = [
  named('message_start', {
    message: {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-6',
      content: [],
      usage: { input_tokens: 5, output_tokens: 1 },
    },
  }),
  named('content_block_start', { index: 0, content_block: { type: 'thinking', thinking: '' } }),
  named('content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: 'hmm, l\u00e9t me see' } }),
  named('content_block_stop', { index: 0 }),
  named('content_block_start', { index: 1, content_block: { type: 'text', text: '' } }),
  named('content_block_delta', {
    index: 1,
    delta: { type: 'citations_delta', citation: { type: 'char_location', cited_text: 'src' } },
  }),
  named('content_block_delta', { index: 1, delta: { type: 'text_delta', text: 'caf\u00e9 \u{1F600}' } }),
  named('content_block_delta', { index: 1, delta: { type: 'text_delta', text: ' ok' } }),
  named('content_block_stop', { index: 1 }),
  named('content_block_start', {
    index: 2,
    content_block: { type: 'tool_use', id: 'toolu_1', name: 'get', input: {} },
  }),
  named('content_block_delta', { index: 2, delta: { type: 'input_json_delta', partial_json: '{"city": "z' } }),
  named('content_block_delta', { index: 2, delta: { type: 'input_json_delta', partial_json: '\u00fcrich", "n": 2}' } }),
  named('content_block_stop', { index: 2 }),
  named('message_delta', {
    delta: { stop_reason: 'stop_sequence', stop_sequence: 'end' },
    usage: { output_tokens: 9 },
  }),
  named('message_stop', {}),
];
const ANTHROPIC_ERROR: Ev[] = [
  ...ANTHROPIC.slice(0, 7),
  named('error', { error: { type: 'overloaded_error', message: 'overloaded, try later' } }),
];

const STREAMS: ReadonlyArray<[string, Stream]> = [
  ['OpenAI chat', { provider: 'openai', events: OPENAI_CHAT }],
  ['OpenAI chat cut short', { provider: 'openai', events: OPENAI_CHAT.slice(0, 7) }],
  ['OpenAI legacy completions', { provider: 'openai', events: OPENAI_LEGACY }],
  ['OpenAI Responses', { provider: 'openai', events: OPENAI_RESPONSES }],
  ['OpenAI Responses cut short', { provider: 'openai', events: OPENAI_RESPONSES_PARTIAL }],
  ['Anthropic', { provider: 'anthropic', events: ANTHROPIC }],
  ['Anthropic with an error', { provider: 'anthropic', events: ANTHROPIC_ERROR }],
];

function assembleChunks(
  provider: ProviderId,
  chunks: readonly Buffer[],
  options: Partial<ResponseAssemblerOptions> = {},
): AssembledResponse {
  const assembler = createResponseAssembler({ adapter: adapterOf(provider), ...options });
  for (const chunk of chunks) assembler.push(chunk);
  return assembler.end();
}

function assemble(stream: Stream, options: Partial<ResponseAssemblerOptions> = {}): AssembledResponse {
  return assembleChunks(stream.provider, [sse(stream.events)], options);
}

/** Strings that are ids, models and enums: the only ones allowed to bypass the filter. */
const IDENTIFIER_KEYS = new Set([
  'id',
  'object',
  'type',
  'status',
  'role',
  'model',
  'name',
  'call_id',
  'finish_reason',
  'stop_reason',
  'system_fingerprint',
  'tool_choice',
]);

/** Every string in `value` with the key it sits under (array elements inherit their array's key). */
function strings(value: unknown, key = ''): Array<[string, string]> {
  if (typeof value === 'string') return [[key, value]];
  if (Array.isArray(value)) return value.flatMap((v) => strings(v, key));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([k, v]) => strings(v, k));
  return [];
}

interface TrackedFilter extends AssembledTextFilter {
  ends: number;
  pushesAfterEnd: number;
}

/** A filter factory that records its instances. */
function tracking(make: () => AssembledTextFilter): { create: () => AssembledTextFilter; made: TrackedFilter[] } {
  const made: TrackedFilter[] = [];
  const create = (): AssembledTextFilter => {
    const inner = make();
    const filter: TrackedFilter = {
      ends: 0,
      pushesAfterEnd: 0,
      push(piece) {
        if (filter.ends > 0) filter.pushesAfterEnd++;
        return inner.push(piece);
      },
      end() {
        filter.ends++;
        return inner.end();
      },
    };
    made.push(filter);
    return filter;
  };
  return { create, made };
}

const upperCase = (): AssembledTextFilter => ({ push: (p) => p.toUpperCase(), end: () => '' });

/** Returns nothing until the end, then everything. */
const holdAll = (): AssembledTextFilter => {
  let held = '';
  return {
    push: (p) => {
      held += p;
      return '';
    },
    end: () => held,
  };
};

/** Holds back the last 3 chars, like a redactor waiting to see whether a secret continues. */
const holdTail = (): AssembledTextFilter => {
  let held = '';
  return {
    push: (p) => {
      held += p;
      const out = held.slice(0, Math.max(0, held.length - 3));
      held = held.slice(out.length);
      return out;
    },
    end: () => held,
  };
};

describe('createResponseAssembler', () => {
  describe.each(STREAMS)('%s', (_name, stream) => {
    const bytes = sse(stream.events);
    const whole = assemble(stream);

    it('gives the same result for every split of the bytes, multi-byte characters included', () => {
      expect(whole.malformedEvents).toBe(0);
      for (let at = 1; at < bytes.length; at++) {
        expect(assembleChunks(stream.provider, [bytes.subarray(0, at), bytes.subarray(at)])).toEqual(whole);
      }
      const oneByteEach = [...bytes].map((byte) => Buffer.from([byte]));
      expect(assembleChunks(stream.provider, oneByteEach)).toEqual(whole);
    });

    it('reads CRLF line endings and comment lines the same way', () => {
      const crlf = Buffer.concat([Buffer.from(': keep-alive\r\n\r\n'), sse(stream.events, '\r\n')]);
      expect(assembleChunks(stream.provider, [crlf])).toEqual(whole);
    });

    it('puts only filtered text in the body and ends every filter once', () => {
      const { create, made } = tracking(upperCase);
      const result = assemble(stream, { createTextFilter: create });
      const content = strings(result.body).filter(([key]) => !IDENTIFIER_KEYS.has(key));
      expect(content.length).toBeGreaterThan(0);
      for (const [key, text] of content) expect({ key, text }).toEqual({ key, text: text.toUpperCase() });
      expect(made.length).toBeGreaterThan(0);
      expect(made.map((f) => [f.ends, f.pushesAfterEnd])).toEqual(made.map(() => [1, 0]));
      expect(result.complete).toBe(whole.complete);
    });

    it.each([
      ['holds everything back until end()', holdAll],
      ['holds back a tail', holdTail],
    ])('yields the complete text with a filter that %s', (_filter, make) => {
      expect(assemble(stream, { createTextFilter: make })).toEqual(whole);
    });
  });

  it('never stores a secret split across deltas when the filter redacts it', () => {
    const key = 'sk-' + 'proj-' + 'A'.repeat(40);
    const redactor = (): AssembledTextFilter => {
      let held = '';
      return {
        push: (p) => {
          held += p;
          return '';
        },
        end: () => held.replace(/sk-[A-Za-z0-9-]{20,}/g, '[REDACTED]'),
      };
    };
    const anthropic: Ev[] = [
      ...ANTHROPIC.slice(0, 5),
      named('content_block_delta', { index: 1, delta: { type: 'text_delta', text: `key ${key.slice(0, 10)}` } }),
      named('content_block_delta', { index: 1, delta: { type: 'text_delta', text: `${key.slice(10)} end` } }),
      named('content_block_stop', { index: 1 }),
      named('content_block_start', {
        index: 2,
        content_block: { type: 'tool_use', id: 'toolu_1', name: 'get', input: {} },
      }),
      named('content_block_delta', {
        index: 2,
        delta: { type: 'input_json_delta', partial_json: `{"k": "${key.slice(0, 7)}` },
      }),
      named('content_block_delta', {
        index: 2,
        delta: { type: 'input_json_delta', partial_json: `${key.slice(7)}"}` },
      }),
      named('message_stop', {}),
    ];
    const chatStream: Ev[] = [
      chat([choice(0, { content: key.slice(0, 5) })]),
      chat([choice(0, { content: key.slice(5) })]),
      chat([choice(0, { tool_calls: [{ index: 0, id: 'c', function: { name: 'f', arguments: `"${key.slice(0, 12)}` } }] })]),
      chat([choice(0, { tool_calls: [{ index: 0, function: { arguments: `${key.slice(12)}"` } }] })]),
      [undefined, '[DONE]'],
    ];
    for (const stream of [
      { provider: 'anthropic' as const, events: anthropic },
      { provider: 'openai' as const, events: chatStream },
    ]) {
      const stored = JSON.stringify(assemble(stream, { createTextFilter: redactor }).body);
      expect(stored).not.toContain(key.slice(0, 12));
      expect(stored).toContain('[REDACTED]');
    }
    const content = assemble({ provider: 'anthropic', events: anthropic }, { createTextFilter: redactor }).body['content'];
    expect(content).toContainEqual({ type: 'tool_use', id: 'toolu_1', name: 'get', input: { k: '[REDACTED]' } });
  });

  describe('bounds', () => {
    const long: Ev[] = [
      ...Array.from({ length: 100 }, (_, n) => chat([choice(0, { content: `${n % 10}abcdefgh\u{1F600}` })])),
      chat([choice(0, {}, 'stop')]),
      [undefined, '[DONE]'],
    ];
    const fullText = Array.from({ length: 100 }, (_, n) => `${n % 10}abcdefgh\u{1F600}`).join('');

    it.each([0, 1, 100, 257, 1000])('cuts text at maxChars = %i without splitting a character', (maxChars) => {
      const result = assemble({ provider: 'openai', events: long }, { maxChars });
      expect(result.truncated).toBe(true);
      expect(result.complete).toBe(true);
      const text = JSON.stringify(result.body);
      expect(text.length).toBeLessThanOrEqual(maxChars + 200);
      const content = (result.body['choices'] as Array<{ message: { content: string } }> | undefined)?.[0]?.message.content;
      if (maxChars >= 100) expect(content).toEqual(expect.any(String)); // room for some text: it must be kept
      const kept = content ?? '';
      expect(fullText.startsWith(kept)).toBe(true);
      expect(kept.length).toBeLessThanOrEqual(maxChars);
      expect(kept).not.toMatch(/[\uD800-\uDBFF]$/);
    });

    it('is not truncated when the text fits', () => {
      const result = assemble({ provider: 'openai', events: long }, { maxChars: fullText.length + 200 });
      expect(result.truncated).toBe(false);
      expect(result.body['choices']).toEqual([{ index: 0, message: { role: 'assistant', content: fullText }, finish_reason: 'stop' }]);
    });

    it.each<[string, Stream]>([
      [
        'thousands of choices',
        {
          provider: 'openai',
          events: Array.from({ length: 3000 }, (_, n) => chat([choice(n, { role: 'assistant', content: 'x' })])),
        },
      ],
      [
        'thousands of tool calls',
        {
          provider: 'openai',
          events: Array.from({ length: 3000 }, (_, n) =>
            chat([
              choice(0, {
                tool_calls: [{ index: n, id: `call_${n}`, type: 'function', function: { name: 'f', arguments: '{}' } }],
              }),
            ]),
          ),
        },
      ],
      [
        'thousands of content blocks',
        {
          provider: 'anthropic',
          events: Array.from({ length: 3000 }, (_, n) =>
            named('content_block_start', { index: n, content_block: { type: 'text', text: 'x' } }),
          ),
        },
      ],
      [
        'thousands of output items',
        {
          provider: 'openai',
          events: Array.from({ length: 3000 }, (_, n) =>
            named('response.output_item.added', {
              output_index: n,
              item: { type: 'web_search_call', id: `ws_${n}`, status: 'completed' },
            }),
          ),
        },
      ],
    ])('stays near maxChars with %s', (_name, stream) => {
      const result = assemble(stream, { maxChars: 4000 });
      expect(result.truncated).toBe(true);
      expect(JSON.stringify(result.body).length).toBeLessThanOrEqual(2 * 4000);
    });

    it('gives the output of a final Responses object the budget before echoed request fields', () => {
      const big = { ...RESPONSE, instructions: 'i'.repeat(5000), status: 'completed', output: RESPONSE_OUTPUT };
      const result = assemble({ provider: 'openai', events: [named('response.completed', { response: big })] }, { maxChars: 1000 });
      expect(result.truncated).toBe(true);
      expect(result.body['output']).toEqual(RESPONSE_OUTPUT);
      expect((result.body['instructions'] as string).length).toBeLessThan(1000);
    });

    it('skips an oversized event, counts it, and reads the events after it', () => {
      const events: Ev[] = [
        chat([choice(0, { role: 'assistant', content: 'before ' })]),
        chat([choice(0, { content: 'y'.repeat(2000) })]),
        chat([choice(0, { content: 'after' })]),
        chat([choice(0, {}, 'stop')]),
        [undefined, '[DONE]'],
      ];
      const result = assemble({ provider: 'openai', events }, { maxEventBytes: 1024 });
      expect(result).toEqual({
        body: expect.objectContaining({
          choices: [{ index: 0, message: { role: 'assistant', content: 'before after' }, finish_reason: 'stop' }],
        }),
        truncated: true,
        complete: true,
        malformedEvents: 1,
      });
    });
  });

  describe('malformed and mixed streams', () => {
    it('counts events that are not JSON objects and keeps going', () => {
      const events: Ev[] = [
        ...OPENAI_CHAT.slice(0, 1),
        [undefined, '{"id": "chatcmpl-1", "choices": [{"delta": {"content": "tru'],
        [undefined, '[1, 2]'],
        [undefined, '"text"'],
        [undefined, 'null'],
        ...OPENAI_CHAT.slice(1),
      ];
      const result = assemble({ provider: 'openai', events });
      expect(result.malformedEvents).toBe(4);
      expect(result.body).toEqual(assemble({ provider: 'openai', events: OPENAI_CHAT }).body);
      expect(result.complete).toBe(true);
    });

    it.each<[string, Stream, number]>([
      ['Anthropic events to an OpenAI assembler', { provider: 'openai', events: ANTHROPIC }, ANTHROPIC.length],
      ['OpenAI chunks to an Anthropic assembler', { provider: 'anthropic', events: OPENAI_CHAT }, OPENAI_CHAT.length],
      ['Responses events to an Anthropic assembler', { provider: 'anthropic', events: OPENAI_RESPONSES }, OPENAI_RESPONSES.length],
    ])('ignores %s, counting each as malformed', (_name, stream, count) => {
      const result = assemble(stream);
      expect(result.malformedEvents).toBe(count);
      expect(result.complete).toBe(false);
      expect(result.truncated).toBe(true);
    });

    it('assembles an OpenAI chat stream with other formats mixed in', () => {
      const events = [
        ...OPENAI_CHAT.slice(0, 3),
        ...ANTHROPIC.slice(1, 2),
        ...OPENAI_RESPONSES.slice(2, 3),
        ...OPENAI_LEGACY.slice(0, 1),
        ...OPENAI_CHAT.slice(3),
      ];
      const result = assemble({ provider: 'openai', events });
      expect(result.malformedEvents).toBe(3);
      expect(result.body).toEqual(assemble({ provider: 'openai', events: OPENAI_CHAT }).body);
    });

    it('assembles an Anthropic stream with OpenAI chunks mixed in', () => {
      const events: Ev[] = [...ANTHROPIC.slice(0, 4), ...OPENAI_CHAT.slice(1, 2), [undefined, '[DONE]'], ...ANTHROPIC.slice(4)];
      const result = assemble({ provider: 'anthropic', events });
      expect(result.malformedEvents).toBe(2);
      expect(result.body).toEqual(assemble({ provider: 'anthropic', events: ANTHROPIC }).body);
    });
  });

  describe('lifecycle', () => {
    it.each<[ProviderId, Record<string, unknown>]>([
      ['openai', {}],
      ['anthropic', { type: 'message', role: 'assistant', content: [], stop_reason: null, stop_sequence: null }],
    ])('returns an empty %s body for an empty stream', (provider, body) => {
      expect(assembleChunks(provider, [])).toEqual({ body, truncated: true, complete: false, malformedEvents: 0 });
    });

    it('returns the same result from a second end() and ignores chunks after it', () => {
      const assembler = createResponseAssembler({ adapter: adapterOf('openai') });
      assembler.push(sse(OPENAI_CHAT.slice(0, 3)));
      const first = assembler.end();
      assembler.push(sse(OPENAI_CHAT.slice(3)));
      expect(assembler.end()).toBe(first);
      expect(first.complete).toBe(false);
    });

    it('does not dispatch an event left without its blank line', () => {
      const bytes = sse(OPENAI_CHAT);
      const result = assembleChunks('openai', [bytes.subarray(0, bytes.length - 1)]);
      expect(result.complete).toBe(false);
      expect(result.truncated).toBe(true);
    });
  });
});
