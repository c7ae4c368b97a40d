import type { AssembledResponse, ResponseAssemblerOptions } from '../assemble/assembler.types';
import { createResponseAssembler } from '../assemble/response-assembler';
import { openaiAdapter } from './openai.adapter';

// Responses API streams as OpenAI sends them: named events, each with `type` and `sequence_number`,
// the terminal `response.completed` / `incomplete` / `failed` carrying the whole response; no [DONE].

function sse(events: ReadonlyArray<readonly [string, object]>): Buffer {
  const text = events
    .map(([type, fields], n) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: n, ...fields })}\n\n`)
    .join('');
  return Buffer.from(text, 'utf8');
}

function assemble(events: ReadonlyArray<readonly [string, object]>, options: Partial<ResponseAssemblerOptions> = {}): AssembledResponse {
  const assembler = createResponseAssembler({ adapter: openaiAdapter, ...options });
  assembler.push(sse(events));
  return assembler.end();
}

const ID = 'resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b';
const MSG = 'msg_67ccd2bf17f0819081ff3bb2cf6508e60bb6a6b452d3795b';
const FC = 'fc_67ccd3f57c4481908c40d08e86b1f7c70bb6a6b452d3795b';
const USAGE = {
  input_tokens: 36,
  input_tokens_details: { cached_tokens: 0 },
  output_tokens: 87,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: 123,
};

function response(status: string, output: object[], extra: object = {}): object {
  return {
    id: ID,
    object: 'response',
    created_at: 1741476542,
    status,
    error: null,
    incomplete_details: null,
    instructions: 'You are a helpful assistant.',
    model: 'gpt-4.1-2025-04-14',
    output,
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    usage: status === 'in_progress' ? null : USAGE,
    metadata: {},
    ...extra,
  };
}

const TEXT = ['In a', ' shimmering', ' forest, a unicorn named L\u00fana'];
const at = { item_id: MSG, output_index: 0, content_index: 0 };
const message = (status: string, text: string | undefined): object => ({
  id: MSG,
  type: 'message',
  status,
  role: 'assistant',
  content: text === undefined ? [] : [{ type: 'output_text', text, annotations: [] }],
});

/** A text answer; `cut` drops the events from that index on. */
function textStream(): Array<readonly [string, object]> {
  return [
    ['response.created', { response: response('in_progress', []) }],
    ['response.in_progress', { response: response('in_progress', []) }],
    ['response.output_item.added', { output_index: 0, item: message('in_progress', undefined) }],
    ['response.content_part.added', { ...at, part: { type: 'output_text', text: '', annotations: [] } }],
    ...TEXT.map((delta) => ['response.output_text.delta', { ...at, delta }] as const),
    ['response.output_text.done', { ...at, text: TEXT.join('') }],
    ['response.content_part.done', { ...at, part: { type: 'output_text', text: TEXT.join(''), annotations: [] } }],
    ['response.output_item.done', { output_index: 0, item: message('completed', TEXT.join('')) }],
    ['response.completed', { response: response('completed', [message('completed', TEXT.join(''))]) }],
  ];
}

const call = (status: string, args: string): object => ({
  type: 'function_call',
  id: FC,
  call_id: 'call_unLAR8MvFNptuiZK6K6HCy5k',
  name: 'get_current_weather',
  arguments: args,
  status,
});
const ARGS = ['{"location":', '"Boston', ', MA"}'];

function callStream(): Array<readonly [string, object]> {
  return [
    ['response.created', { response: response('in_progress', []) }],
    ['response.output_item.added', { output_index: 0, item: call('in_progress', '') }],
    ...ARGS.map((delta) => ['response.function_call_arguments.delta', { item_id: FC, output_index: 0, delta }] as const),
    ['response.function_call_arguments.done', { item_id: FC, output_index: 0, arguments: ARGS.join('') }],
    ['response.output_item.done', { output_index: 0, item: call('completed', ARGS.join('')) }],
    ['response.completed', { response: response('completed', [call('completed', ARGS.join(''))]) }],
  ];
}

describe('createResponseAssembler: OpenAI Responses API streams', () => {
  it.each([
    ['a text answer', textStream(), message('completed', TEXT.join(''))],
    ['a function call', callStream(), call('completed', ARGS.join(''))],
  ])('takes the terminal response object of %s', (_name, events, item) => {
    expect(assemble(events)).toEqual({
      body: response('completed', [item]),
      truncated: false,
      complete: true,
      malformedEvents: 0,
    });
  });

  it.each([
    [
      'a text answer cut before response.completed',
      textStream().slice(0, -1),
      [
        {
          type: 'message',
          id: MSG,
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text: TEXT.join(''), annotations: [] }],
        },
      ],
    ],
    [
      'a text answer cut mid-text',
      textStream().slice(0, 5),
      [
        {
          type: 'message',
          id: MSG,
          status: 'in_progress',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'In a', annotations: [] }],
        },
      ],
    ],
    [
      'a function call cut mid-arguments',
      callStream().slice(0, 4),
      [
        {
          type: 'function_call',
          id: FC,
          call_id: 'call_unLAR8MvFNptuiZK6K6HCy5k',
          name: 'get_current_weather',
          arguments: '{"location":"Boston',
          status: 'in_progress',
        },
      ],
    ],
  ])('assembles %s from the deltas', (_name, events, output) => {
    expect(assemble(events)).toEqual({
      body: {
        object: 'response',
        id: ID,
        created_at: 1741476542,
        model: 'gpt-4.1-2025-04-14',
        status: 'in_progress',
        output,
      },
      truncated: true,
      complete: false,
      malformedEvents: 0,
    });
  });

  it('assembles refusals, annotations and reasoning summaries from the deltas', () => {
    const annotation = { type: 'url_citation', start_index: 0, end_index: 4, url: 'https://example.com', title: 'Ex' };
    const result = assemble([
      ['response.output_item.added', { output_index: 0, item: { id: 'rs_1', type: 'reasoning', summary: [] } }],
      ['response.reasoning_summary_part.added', { item_id: 'rs_1', output_index: 0, summary_index: 0 }],
      ['response.reasoning_summary_text.delta', { item_id: 'rs_1', output_index: 0, summary_index: 0, delta: '**Plan' }],
      ['response.reasoning_summary_text.delta', { item_id: 'rs_1', output_index: 0, summary_index: 0, delta: 'ning**' }],
      ['response.output_item.added', { output_index: 1, item: message('in_progress', undefined) }],
      ['response.output_text.delta', { item_id: MSG, output_index: 1, content_index: 0, delta: 'Text' }],
      ['response.output_text.annotation.added', { item_id: MSG, output_index: 1, content_index: 0, annotation_index: 0, annotation }],
      ['response.refusal.delta', { item_id: MSG, output_index: 1, content_index: 1, delta: "I can't" }],
      ['response.refusal.delta', { item_id: MSG, output_index: 1, content_index: 1, delta: ' do that.' }],
    ]);
    expect(result.body['output']).toEqual([
      { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: '**Planning**' }] },
      {
        type: 'message',
        id: MSG,
        status: 'in_progress',
        role: 'assistant',
        content: [
          { type: 'output_text', text: 'Text', annotations: [annotation] },
          { type: 'refusal', refusal: "I can't do that." },
        ],
      },
    ]);
    expect(result.malformedEvents).toBe(0);
  });

  it.each(['response.incomplete', 'response.failed'])('ends at %s', (terminal) => {
    const failed = {
      error: { code: 'server_error', message: 'The model failed.' },
      incomplete_details: terminal === 'response.incomplete' ? { reason: 'max_output_tokens' } : null,
    };
    const status = terminal === 'response.failed' ? 'failed' : 'incomplete';
    const events = [...textStream().slice(0, -1), [terminal, { response: response(status, [], failed) }] as const];
    expect(assemble(events)).toEqual({
      body: response(status, [], failed),
      truncated: false,
      complete: true,
      malformedEvents: 0,
    });
  });

  it('records an error event', () => {
    const result = assemble([
      ...textStream().slice(0, 5),
      ['error', { code: 'server_error', message: 'Something went wrong.', param: null }],
    ]);
    expect(result.body['error']).toEqual({ code: 'server_error', message: 'Something went wrong.' });
    expect(result.complete).toBe(false);
  });

  it('keeps the assembled deltas when the terminal event is too large to parse', () => {
    const huge = response('completed', [message('completed', TEXT.join(''))], { instructions: 'x'.repeat(4000) });
    const events = [...textStream().slice(2, -1), ['response.completed', { response: huge }] as const];
    const result = assemble(events, { maxEventBytes: 2048 });
    expect(result.complete).toBe(true);
    expect(result.truncated).toBe(true);
    expect(result.malformedEvents).toBe(1);
    expect(result.body['output']).toEqual([message('completed', TEXT.join(''))]);
  });

  it('counts deltas addressed to the wrong kind of item as malformed', () => {
    const result = assemble([
      ...callStream().slice(0, 3),
      ['response.output_text.delta', { item_id: FC, output_index: 0, content_index: 0, delta: 'x' }],
      ['response.function_call_arguments.delta', { output_index: 0 }],
    ]);
    expect(result.malformedEvents).toBe(2);
    expect(result.body['output']).toEqual([
      {
        type: 'function_call',
        id: FC,
        call_id: 'call_unLAR8MvFNptuiZK6K6HCy5k',
        name: 'get_current_weather',
        arguments: '{"location":',
        status: 'in_progress',
      },
    ]);
  });
});
