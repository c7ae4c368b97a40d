import type { AssembledResponse } from '../assemble/assembler.types';
import { createResponseAssembler } from '../assemble/response-assembler';
import { openaiAdapter } from './openai.adapter';

/** One SSE event as the providers send it: optional `event:` line, `data:` line, blank line. */
interface SseEvent {
  readonly event?: string;
  readonly data: unknown;
}

function sse(events: readonly SseEvent[]): Buffer {
  const text = events
    .map(
      (e) =>
        `${e.event === undefined ? '' : `event: ${e.event}\n`}data: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}\n\n`,
    )
    .join('');
  return Buffer.from(text, 'utf8');
}

// Compact, real-looking OpenAI chunk streams (unnamed `data:` events, then `data: [DONE]`).
const BASE = {
  id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
  object: 'chat.completion.chunk',
  created: 1741570283,
  model: 'gpt-4o-2024-08-06',
  system_fingerprint: 'fp_eb9dce56a8',
};
const USAGE = { prompt_tokens: 19, completion_tokens: 10, total_tokens: 29 };
const DONE: SseEvent = { data: '[DONE]' };

function chunk(choices: object[], extra: object = {}): SseEvent {
  return { data: { ...BASE, choices, ...extra } };
}

function delta(index: number, fields: object, finish: string | null = null): object {
  return { index, delta: fields, logprobs: null, finish_reason: finish };
}

function assemble(events: readonly SseEvent[]): AssembledResponse {
  const assembler = createResponseAssembler({ adapter: openaiAdapter });
  assembler.push(sse(events));
  return assembler.end();
}

const HEADER = {
  object: 'chat.completion',
  id: BASE.id,
  created: BASE.created,
  model: BASE.model,
  system_fingerprint: BASE.system_fingerprint,
};

describe('createResponseAssembler: OpenAI Chat Completions streams', () => {
  it.each<[string, SseEvent[], Record<string, unknown>]>([
    [
      'two choices interleaved, then the usage chunk',
      [
        chunk([delta(0, { role: 'assistant', content: '' }), delta(1, { role: 'assistant', content: '' })]),
        chunk([delta(1, { content: 'Hi' })]),
        chunk([delta(0, { content: 'H\u00e9llo' })]),
        chunk([delta(0, { content: ' \u{1F44B}' }), delta(1, { content: '!' })]),
        chunk([delta(0, {}, 'stop')]),
        chunk([delta(1, {}, 'length')]),
        chunk([], { usage: USAGE }),
        DONE,
      ],
      {
        ...HEADER,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: 'H\u00e9llo \u{1F44B}' },
            finish_reason: 'stop',
          },
          {
            index: 1,
            message: { role: 'assistant', content: 'Hi!' },
            finish_reason: 'length',
          },
        ],
        usage: USAGE,
      },
    ],
    [
      'two tool calls with arguments split mid-token',
      [
        chunk([delta(0, { role: 'assistant', content: null, refusal: null })]),
        chunk([
          delta(0, {
            tool_calls: [
              {
                index: 0,
                id: 'call_a1',
                type: 'function',
                function: { name: 'get_weather', arguments: '' },
              },
            ],
          }),
        ]),
        chunk([
          delta(0, {
            tool_calls: [{ index: 0, function: { arguments: '{"ci' } }],
          }),
        ]),
        chunk([
          delta(0, {
            tool_calls: [{ index: 0, function: { arguments: 'ty":"Par' } }],
          }),
        ]),
        chunk([
          delta(0, {
            tool_calls: [
              {
                index: 1,
                id: 'call_b2',
                type: 'function',
                function: { name: 'get_time', arguments: '{"tz"' },
              },
            ],
          }),
        ]),
        chunk([
          delta(0, {
            tool_calls: [{ index: 0, function: { arguments: 'is"}' } }],
          }),
        ]),
        chunk([
          delta(0, {
            tool_calls: [{ index: 1, function: { arguments: ':"CET"}' } }],
          }),
        ]),
        chunk([delta(0, {}, 'tool_calls')]),
        DONE,
      ],
      {
        ...HEADER,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: null,
              tool_calls: [
                {
                  id: 'call_a1',
                  type: 'function',
                  function: {
                    name: 'get_weather',
                    arguments: '{"city":"Paris"}',
                  },
                },
                {
                  id: 'call_b2',
                  type: 'function',
                  function: { name: 'get_time', arguments: '{"tz":"CET"}' },
                },
              ],
            },
            finish_reason: 'tool_calls',
          },
        ],
      },
    ],
    [
      'a refusal',
      [
        chunk([delta(0, { role: 'assistant', content: null, refusal: '' })]),
        chunk([delta(0, { refusal: "I'm sorry, " })]),
        chunk([delta(0, { refusal: "I can't help with that." })]),
        chunk([delta(0, {}, 'stop')]),
        DONE,
      ],
      {
        ...HEADER,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: null,
              refusal: "I'm sorry, I can't help with that.",
            },
            finish_reason: 'stop',
          },
        ],
      },
    ],
  ])('%s', (_name, events, body) => {
    expect(assemble(events)).toEqual({
      body,
      truncated: false,
      complete: true,
      malformedEvents: 0,
    });
  });

  it('reads the include_usage form (usage: null on every chunk) like the plain one', () => {
    const withNull = (choices: object[]): SseEvent => chunk(choices, { usage: null });
    const result = assemble([
      withNull([delta(0, { role: 'assistant', content: '', refusal: null })]),
      withNull([delta(0, { content: 'One' })]),
      withNull([delta(0, { content: ' two' })]),
      withNull([delta(0, {}, 'stop')]),
      chunk([], { usage: USAGE }),
      DONE,
    ]);
    expect(result.body).toEqual({
      ...HEADER,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'One two' },
          finish_reason: 'stop',
        },
      ],
      usage: USAGE,
    });
    expect(result.complete).toBe(true);
  });

  it('keeps what arrived before a mid-stream error and records the error', () => {
    const result = assemble([
      chunk([delta(0, { role: 'assistant', content: 'Partial' })]),
      {
        data: {
          error: {
            message: 'The server had an error',
            type: 'server_error',
            param: null,
            code: null,
          },
        },
      },
    ]);
    expect(result).toEqual({
      body: {
        ...HEADER,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: 'Partial' },
            finish_reason: null,
          },
        ],
        error: { type: 'server_error', message: 'The server had an error' },
      },
      truncated: true,
      complete: false,
      malformedEvents: 0,
    });
  });

  it('counts chunks of the wrong shape and keeps the good parts', () => {
    const result = assemble([
      chunk([delta(0, { role: 'assistant', content: 'ok' })]),
      chunk([{ delta: { content: 'no index' } }]),
      chunk([delta(0, { tool_calls: [{ function: { arguments: '{}' } }] })]),
      { data: { ...BASE, choices: 'nope' } },
      chunk([delta(0, {}, 'stop')]),
      DONE,
    ]);
    expect(result.malformedEvents).toBe(3);
    expect(result.body['choices']).toEqual([
      {
        index: 0,
        message: { role: 'assistant', content: 'ok' },
        finish_reason: 'stop',
      },
    ]);
  });
});

describe('createResponseAssembler: OpenAI legacy completions streams', () => {
  const legacy = (text: string, finish: string | null = null): SseEvent => ({
    data: {
      id: 'cmpl-9dA1',
      object: 'text_completion',
      created: 1741570283,
      model: 'gpt-3.5-turbo-instruct',
      choices: [{ text, index: 0, logprobs: null, finish_reason: finish }],
    },
  });

  it('concatenates the text pieces per choice', () => {
    const result = assemble([
      legacy('Once'),
      legacy(' upon'),
      legacy(' a time', 'length'),
      {
        data: {
          id: 'cmpl-9dA1',
          object: 'text_completion',
          created: 1741570283,
          model: 'gpt-3.5-turbo-instruct',
          choices: [],
          usage: USAGE,
        },
      },
      DONE,
    ]);
    expect(result).toEqual({
      body: {
        object: 'text_completion',
        id: 'cmpl-9dA1',
        created: 1741570283,
        model: 'gpt-3.5-turbo-instruct',
        choices: [{ index: 0, text: 'Once upon a time', finish_reason: 'length' }],
        usage: USAGE,
      },
      truncated: false,
      complete: true,
      malformedEvents: 0,
    });
  });

  it('counts chat chunks mixed into a legacy stream as malformed', () => {
    const result = assemble([legacy('a'), chunk([delta(0, { content: 'b' })]), legacy('c', 'stop'), DONE]);
    expect(result.malformedEvents).toBe(1);
    expect(result.body['choices']).toEqual([{ index: 0, text: 'ac', finish_reason: 'stop' }]);
  });
});
