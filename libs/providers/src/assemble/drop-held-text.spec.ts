import type { ProviderId } from '../provider-adapter';
import { BUILT_IN_ADAPTERS } from '../registry/built-in-providers';
import type { AssembledResponse, AssembledTextFilter, ResponseAssemblerEndOptions } from './assembler.types';
import { createResponseAssembler } from './response-assembler';
import { named, sse, type Ev } from './sse-events.fixture';

/** The built-in adapter of a provider id. */
const adapterOf = (id: ProviderId) => BUILT_IN_ADAPTERS.find((adapter) => adapter.id === id)!;

// `end({ dropHeldText: true })`: the held-back tail of a field that never completed is discarded
// (its filter still ended once); fields that completed keep theirs; the default flushes as before.

const chat = (index: number, delta: object, finish: string | null = null): Ev => [
  undefined,
  { id: 'c', object: 'chat.completion.chunk', model: 'm', choices: [{ index, delta, finish_reason: finish }] },
];
const blockStart = (index: number, block: object): Ev => named('content_block_start', { index, content_block: block });
const textDelta = (index: number, text: string): Ev => named('content_block_delta', { index, delta: { type: 'text_delta', text } });
const blockStop = (index: number): Ev => named('content_block_stop', { index });

/** Holds back the last 3 chars, like a redactor waiting to see whether a secret continues. */
const holdTail = (): AssembledTextFilter => {
  let held = '';
  return {
    push: (piece) => {
      held += piece;
      const out = held.slice(0, Math.max(0, held.length - 3));
      held = held.slice(out.length);
      return out;
    },
    end: () => held,
  };
};
const identity = (): AssembledTextFilter => ({ push: (piece) => piece, end: () => '' });

function assemble(
  provider: ProviderId,
  events: readonly Ev[],
  options?: ResponseAssemblerEndOptions,
  filter: () => AssembledTextFilter = holdTail,
): AssembledResponse {
  const assembler = createResponseAssembler({ adapter: adapterOf(provider), createTextFilter: filter });
  assembler.push(sse(events));
  return assembler.end(options);
}

interface Case {
  readonly provider: ProviderId;
  readonly events: readonly Ev[];
  /** Parts of the body with the default end() (held text flushed). */
  readonly flushed: Record<string, unknown>;
  /** The same parts with end({ dropHeldText: true }). */
  readonly dropped: Record<string, unknown>;
}

const CUT_STREAMS: ReadonlyArray<readonly [string, Case]> = [
  [
    'a chat stream cut mid-text',
    {
      provider: 'openai',
      events: [chat(0, { role: 'assistant', content: 'hello ' }), chat(0, { content: 'world' })],
      flushed: { choices: [{ index: 0, message: { role: 'assistant', content: 'hello world' }, finish_reason: null }] },
      dropped: { choices: [{ index: 0, message: { role: 'assistant', content: 'hello wo' }, finish_reason: null }] },
    },
  ],
  [
    'a chat stream with one choice finished and one cut mid-tool-call',
    {
      provider: 'openai',
      events: [
        chat(0, { role: 'assistant', content: 'done here' }),
        chat(0, {}, 'stop'),
        chat(1, {
          role: 'assistant',
          tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":"bcdef' } }],
        }),
      ],
      flushed: {
        choices: [
          { index: 0, message: { role: 'assistant', content: 'done here' }, finish_reason: 'stop' },
          {
            index: 1,
            message: {
              role: 'assistant',
              content: null,
              tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":"bcdef' } }],
            },
            finish_reason: null,
          },
        ],
      },
      dropped: {
        choices: [
          { index: 0, message: { role: 'assistant', content: 'done here' }, finish_reason: 'stop' },
          {
            index: 1,
            message: {
              role: 'assistant',
              content: null,
              tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":"bc' } }],
            },
            finish_reason: null,
          },
        ],
      },
    },
  ],
  [
    'an Anthropic stream with one block stopped, one text and one tool_use cut',
    {
      provider: 'anthropic',
      events: [
        blockStart(0, { type: 'text', text: '' }),
        textDelta(0, 'closed block'),
        blockStop(0),
        blockStart(1, { type: 'text', text: '' }),
        textDelta(1, 'open block'),
        blockStart(2, { type: 'tool_use', id: 'toolu_1', name: 'get', input: {} }),
        named('content_block_delta', { index: 2, delta: { type: 'input_json_delta', partial_json: '{"city": "Bern' } }),
      ],
      flushed: {
        content: [
          { type: 'text', text: 'closed block' },
          { type: 'text', text: 'open block' },
          { type: 'tool_use', id: 'toolu_1', name: 'get', input: '{"city": "Bern' },
        ],
      },
      dropped: {
        content: [
          { type: 'text', text: 'closed block' },
          { type: 'text', text: 'open bl' },
          { type: 'tool_use', id: 'toolu_1', name: 'get', input: '{"city": "B' },
        ],
      },
    },
  ],
  [
    'a Responses stream with one part done and a part, a summary and arguments cut',
    {
      provider: 'openai',
      events: [
        named('response.created', { response: { id: 'resp_1', model: 'm' } }),
        named('response.output_item.added', { output_index: 0, item: { type: 'message', id: 'msg_1', content: [] } }),
        named('response.output_text.delta', { output_index: 0, content_index: 0, delta: 'first part' }),
        named('response.output_text.done', { output_index: 0, content_index: 0, text: 'first part' }),
        named('response.output_text.delta', { output_index: 0, content_index: 1, delta: 'second part' }),
        named('response.output_item.added', { output_index: 1, item: { type: 'reasoning', id: 'rs_1', summary: [] } }),
        named('response.reasoning_summary_text.delta', { output_index: 1, summary_index: 0, delta: 'thinking' }),
        named('response.output_item.added', {
          output_index: 2,
          item: { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'f', arguments: '' },
        }),
        named('response.function_call_arguments.delta', { output_index: 2, delta: '{"q":"xyz' }),
      ],
      flushed: {
        status: 'in_progress',
        output: [
          {
            type: 'message',
            id: 'msg_1',
            role: 'assistant',
            content: [
              { type: 'output_text', text: 'first part', annotations: [] },
              { type: 'output_text', text: 'second part', annotations: [] },
            ],
          },
          { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'thinking' }] },
          { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'f', arguments: '{"q":"xyz' },
        ],
      },
      dropped: {
        status: 'in_progress',
        output: [
          {
            type: 'message',
            id: 'msg_1',
            role: 'assistant',
            content: [
              { type: 'output_text', text: 'first part', annotations: [] },
              { type: 'output_text', text: 'second p', annotations: [] },
            ],
          },
          { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'think' }] },
          { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'f', arguments: '{"q":"' },
        ],
      },
    },
  ],
];

const COMPLETE_STREAMS: ReadonlyArray<readonly [string, ProviderId, readonly Ev[]]> = [
  ['chat', 'openai', [chat(0, { role: 'assistant', content: 'all of it' }), chat(0, {}, 'stop'), [undefined, '[DONE]']]],
  [
    'Anthropic',
    'anthropic',
    [blockStart(0, { type: 'text', text: '' }), textDelta(0, 'all of it'), blockStop(0), named('message_stop', {})],
  ],
  [
    'Responses',
    'openai',
    [
      named('response.output_text.delta', { output_index: 0, content_index: 0, delta: 'all of it' }),
      named('response.completed', {
        response: {
          id: 'resp_1',
          status: 'completed',
          output: [{ type: 'message', content: [{ type: 'output_text', text: 'all of it' }] }],
        },
      }),
    ],
  ],
];

describe('ResponseAssembler.end({ dropHeldText })', () => {
  describe.each(CUT_STREAMS)('%s', (_name, { provider, events, flushed, dropped }) => {
    it('flushes what the filters held back by default', () => {
      for (const options of [undefined, {}, { dropHeldText: false }]) {
        const result = assemble(provider, events, options);
        expect(result.body).toMatchObject(flushed);
        expect(result).toMatchObject({ truncated: true, complete: false });
      }
    });

    it('discards only what the filters of unfinished fields held back', () => {
      const result = assemble(provider, events, { dropHeldText: true });
      expect(result.body).toMatchObject(dropped);
      expect(result).toMatchObject({ truncated: true, complete: false, malformedEvents: 0 });
    });

    it('still ends every filter exactly once', () => {
      const ends: number[] = [];
      const counting = (): AssembledTextFilter => {
        const slot = ends.push(0) - 1;
        const inner = holdTail();
        return {
          push: (piece) => inner.push(piece),
          end: () => {
            ends[slot]! += 1;
            return inner.end();
          },
        };
      };
      assemble(provider, events, { dropHeldText: true }, counting);
      expect(ends.length).toBeGreaterThan(0);
      expect(ends.filter((count) => count !== 1)).toEqual([]);
    });
  });

  it.each(COMPLETE_STREAMS)('changes nothing when every field of a %s stream completed', (_name, provider, events) => {
    const flushed = assemble(provider, events);
    expect(flushed).toMatchObject({ truncated: false, complete: true });
    expect(assemble(provider, events, { dropHeldText: true })).toEqual(flushed);
  });

  it('marks a complete stream truncated only when held text of an unfinished field was discarded', () => {
    // message_stop without the block's content_block_stop: the field never completed.
    const events = [blockStart(0, { type: 'text', text: '' }), textDelta(0, 'no stop'), named('message_stop', {})];
    const holding = assemble('anthropic', events, { dropHeldText: true });
    expect(holding).toMatchObject({ truncated: true, complete: true, body: { content: [{ text: 'no s' }] } });
    const nothingHeld = assemble('anthropic', events, { dropHeldText: true }, identity);
    expect(nothingHeld).toMatchObject({ truncated: false, complete: true, body: { content: [{ text: 'no stop' }] } });
  });

  it('returns the first result from a later end(), whatever its options', () => {
    const assembler = createResponseAssembler({ adapter: adapterOf('openai'), createTextFilter: holdTail });
    assembler.push(sse(CUT_STREAMS[0]![1].events));
    const first = assembler.end();
    expect(assembler.end({ dropHeldText: true })).toBe(first);
  });
});
