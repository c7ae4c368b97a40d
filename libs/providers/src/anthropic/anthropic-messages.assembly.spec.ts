import type { AssembledResponse } from '../assemble/assembler.types';
import { createResponseAssembler } from '../assemble/response-assembler';
import { anthropicAdapter } from './anthropic.adapter';

// Anthropic Messages streams as the API sends them: every event named, its data repeating the type.

type Event = readonly [string, object];

function sse(events: readonly Event[]): Buffer {
  const text = events.map(([type, fields]) => `event: ${type}\ndata: ${JSON.stringify({ type, ...fields })}\n\n`);
  return Buffer.from(text.join(''), 'utf8');
}

function assemble(events: readonly Event[]): AssembledResponse {
  const assembler = createResponseAssembler({ adapter: anthropicAdapter });
  assembler.push(sse(events));
  return assembler.end();
}

const ID = 'msg_01XFDUDYJgAACzvnptvVoYEL';
const MODEL = 'claude-sonnet-4-6';

function start(usage: object): Event {
  return [
    'message_start',
    {
      message: {
        id: ID,
        type: 'message',
        role: 'assistant',
        model: MODEL,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage,
      },
    },
  ];
}

const textDelta = (index: number, text: string): Event => ['content_block_delta', { index, delta: { type: 'text_delta', text } }];
const jsonDelta = (index: number, partial_json: string): Event => [
  'content_block_delta',
  { index, delta: { type: 'input_json_delta', partial_json } },
];
const stop = (index: number): Event => ['content_block_stop', { index }];
const messageDelta = (stop_reason: string, usage: object, stop_sequence: string | null = null): Event => [
  'message_delta',
  { delta: { stop_reason, stop_sequence }, usage },
];
const MESSAGE_STOP: Event = ['message_stop', {}];

/** Text, then a tool call whose input arrives split mid-token, with cache reads and writes. */
function toolStream(): Event[] {
  return [
    start({ input_tokens: 472, cache_creation_input_tokens: 2048, cache_read_input_tokens: 1024, output_tokens: 2 }),
    ['content_block_start', { index: 0, content_block: { type: 'text', text: '' } }],
    ['ping', {}],
    textDelta(0, 'Okay, let me check the weather in Z\u00fcrich '),
    textDelta(0, '\u2600\uFE0F'),
    stop(0),
    [
      'content_block_start',
      {
        index: 1,
        content_block: { type: 'tool_use', id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', input: {} },
      },
    ],
    jsonDelta(1, ''),
    jsonDelta(1, '{"location": "Z\u00fc'),
    jsonDelta(1, 'rich", "unit": "cel'),
    jsonDelta(1, 'sius", "days": 3}'),
    stop(1),
    messageDelta('tool_use', { output_tokens: 89 }),
    MESSAGE_STOP,
  ];
}

const TOOL_CONTENT = [
  { type: 'text', text: 'Okay, let me check the weather in Z\u00fcrich \u2600\uFE0F' },
  {
    type: 'tool_use',
    id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
    name: 'get_weather',
    input: { location: 'Z\u00fcrich', unit: 'celsius', days: 3 },
  },
];

describe('createResponseAssembler: Anthropic Messages streams', () => {
  it.each<[string, Event[], Record<string, unknown>, boolean]>([
    [
      'text and a tool_use with split input_json_delta, cache tokens merged',
      toolStream(),
      {
        type: 'message',
        id: ID,
        model: MODEL,
        role: 'assistant',
        content: TOOL_CONTENT,
        stop_reason: 'tool_use',
        stop_sequence: null,
        usage: {
          input_tokens: 472,
          output_tokens: 89,
          cache_creation_input_tokens: 2048,
          cache_read_input_tokens: 1024,
        },
      },
      true,
    ],
    [
      'thinking (signature left out), then text ended by a stop sequence',
      [
        start({ input_tokens: 10, output_tokens: 1 }),
        ['content_block_start', { index: 0, content_block: { type: 'thinking', thinking: '' } }],
        ['content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: 'Let me solve ' } }],
        ['content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: 'this step by step.' } }],
        ['content_block_delta', { index: 0, delta: { type: 'signature_delta', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA' } }],
        stop(0),
        ['content_block_start', { index: 1, content_block: { type: 'text', text: '' } }],
        textDelta(1, 'The answer is 42.'),
        stop(1),
        // Newer API versions repeat input and cache counts in message_delta: later values win.
        messageDelta('stop_sequence', { input_tokens: 12, output_tokens: 30, cache_read_input_tokens: 0 }, '\n\nHuman:'),
        MESSAGE_STOP,
      ],
      {
        type: 'message',
        id: ID,
        model: MODEL,
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'Let me solve this step by step.' },
          { type: 'text', text: 'The answer is 42.' },
        ],
        stop_reason: 'stop_sequence',
        stop_sequence: '\n\nHuman:',
        usage: { input_tokens: 12, output_tokens: 30, cache_read_input_tokens: 0 },
      },
      true,
    ],
    [
      'an error event after partial text',
      [
        start({ input_tokens: 10, output_tokens: 1 }),
        ['content_block_start', { index: 0, content_block: { type: 'text', text: '' } }],
        textDelta(0, 'Partial'),
        ['error', { error: { type: 'overloaded_error', message: 'Overloaded' } }],
      ],
      {
        type: 'message',
        id: ID,
        model: MODEL,
        role: 'assistant',
        content: [{ type: 'text', text: 'Partial' }],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 10, output_tokens: 1 },
        error: { type: 'overloaded_error', message: 'Overloaded' },
      },
      false,
    ],
  ])('%s', (_name, events, body, complete) => {
    expect(assemble(events)).toEqual({ body, truncated: !complete, complete, malformedEvents: 0 });
  });

  it('keeps the raw (filtered) partial input of a tool_use cut mid-JSON', () => {
    const result = assemble(toolStream().slice(0, 10));
    expect(result.complete).toBe(false);
    expect(result.truncated).toBe(true);
    expect(result.body['content']).toEqual([
      TOOL_CONTENT[0],
      {
        type: 'tool_use',
        id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
        name: 'get_weather',
        input: '{"location": "Z\u00fcrich", "unit": "cel',
      },
    ]);
  });

  it('uses the start input of a tool_use that got no delta, and copies other block types sanitized', () => {
    const result = assemble([
      start({ input_tokens: 5, output_tokens: 1 }),
      [
        'content_block_start',
        {
          index: 0,
          content_block: { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'q' } },
        },
      ],
      stop(0),
      ['content_block_start', { index: 1, content_block: { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3' } }],
      stop(1),
      ['content_block_start', { index: 2, content_block: { type: 'text', text: '' } }],
      ['content_block_delta', { index: 2, delta: { type: 'citations_delta', citation: { type: 'char_location', cited_text: 'c' } } }],
      textDelta(2, 'cited'),
      stop(2),
      messageDelta('end_turn', { output_tokens: 9 }),
      MESSAGE_STOP,
    ]);
    expect(result.body['content']).toEqual([
      { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'q' } },
      { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3' },
      { type: 'text', text: 'cited', citations: [{ type: 'char_location', cited_text: 'c' }] },
    ]);
    expect(result.malformedEvents).toBe(0);
  });

  it('counts events of the wrong shape and keeps assembling', () => {
    const result = assemble([
      start({ input_tokens: 5, output_tokens: 1 }),
      ['content_block_start', { index: 0, content_block: { type: 'text', text: '' } }],
      textDelta(0, 'a'),
      ['content_block_delta', { index: -1, delta: { type: 'text_delta', text: 'x' } }],
      ['content_block_delta', { index: 0, delta: { type: 'text_delta', text: 7 } }],
      ['content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: '{}' } }],
      ['content_block_start', { index: 0, content_block: { type: 'text', text: '' } }],
      ['message_start', {}],
      ['surprise', {}],
      textDelta(0, 'b'),
      stop(0),
      MESSAGE_STOP,
    ]);
    expect(result.malformedEvents).toBe(6);
    expect(result.body['content']).toEqual([{ type: 'text', text: 'ab' }]);
    expect(result.complete).toBe(true);
  });
});
