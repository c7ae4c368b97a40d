import type { ProviderId } from '../provider-adapter';
import { BUILT_IN_ADAPTERS } from '../registry/built-in-providers';
import type { AssembledResponse, AssembledTextFilter } from './assembler.types';
import { createResponseAssembler } from './response-assembler';
import { named, sse, type Ev } from './sse-events.fixture';

/** The built-in adapter of a provider id. */
const adapterOf = (id: ProviderId) => BUILT_IN_ADAPTERS.find((adapter) => adapter.id === id)!;

// Only ids and enums at known structural positions bypass the text filter. Sentinel strings are
// planted at content positions — values and object keys, under keys named like identifiers (`id`,
// `name`, `code`, `type`…) too — and must come out filtered; the known positions must not.

type Path = ReadonlyArray<string | number>;

/** Makes the content planted in a fixture and records every sentinel it contains. */
interface Planter {
  /** A sentinel string. */
  text(tag: string): string;
  /**
   * An object whose keys and strings are sentinels (among keys named like identifiers); it has
   * none of the `reserved` keys at top level (the fixture sets those itself).
   */
  tree(tag: string, reserved?: readonly string[]): Record<string, unknown>;
}

interface Fixture {
  readonly provider: ProviderId;
  readonly events: readonly Ev[];
  /** Values that stay verbatim whatever the filter does: the known structural positions. */
  readonly verbatim: ReadonlyArray<readonly [Path, unknown]>;
}

/** Sets `key` as an own property, `__proto__` included. */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** `{[k1]: v1, …}` with own properties only (`__proto__` as a plain key). */
function obj(...members: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of members) put(out, key, value);
  return out;
}

function halves(text: string): [string, string] {
  const middle = Math.floor(text.length / 2);
  return [text.slice(0, middle), text.slice(middle)];
}

function responseObject(p: Planter, status: 'completed' | 'incomplete'): Record<string, unknown> {
  return obj(
    ['id', 'resp_1'],
    ['object', 'response'],
    ['created_at', 1741476542],
    ['status', status],
    ['model', 'gpt-4.1'],
    ['error', null],
    ['incomplete_details', status === 'incomplete' ? { reason: 'max_output_tokens' } : null],
    ['instructions', p.text('instructions')],
    ['user', p.text('user')],
    ['metadata', p.tree('metadata')],
    ['prompt', { id: 'pmpt_1', version: p.text('prompt-version'), variables: p.tree('variables') }],
    [
      'tools',
      [
        {
          type: 'function',
          name: p.text('tool-name'),
          description: p.text('tool-description'),
          parameters: { type: 'object', properties: p.tree('tool-parameters') },
        },
      ],
    ],
    ['tool_choice', { type: 'function', name: p.text('tool-choice-name') }],
    [
      'text',
      {
        format: { type: 'json_schema', name: p.text('format-name'), schema: p.tree('schema') },
        verbosity: 'medium',
      },
    ],
    [
      'output',
      [
        {
          type: 'message',
          id: 'msg_1',
          status: 'completed',
          role: 'assistant',
          content: [
            {
              type: 'output_text',
              text: p.text('output-text'),
              annotations: [{ ...p.tree('annotation', ['type', 'url']), type: 'url_citation', url: p.text('url') }],
            },
            { type: 'refusal', refusal: p.text('refusal') },
            p.tree('unknown-part'),
          ],
        },
        {
          type: 'function_call',
          id: 'fc_1',
          call_id: 'call_1',
          name: 'lookup',
          status: 'completed',
          arguments: JSON.stringify(p.tree('arguments')),
        },
        {
          type: 'code_interpreter_call',
          id: 'ci_1',
          status: 'completed',
          code: p.text('code'),
          container_id: p.text('container'),
          outputs: [p.tree('code-outputs')],
        },
        {
          type: 'web_search_call',
          id: 'ws_1',
          status: 'completed',
          action: { type: 'search', query: p.text('query'), sources: [p.tree('sources')] },
        },
        {
          type: 'reasoning',
          id: 'rs_1',
          summary: [{ type: 'summary_text', text: p.text('summary') }],
          encrypted_content: p.text('encrypted'),
        },
        {
          type: 'mcp_call',
          id: 'mcp_1',
          server_label: p.text('server-label'),
          name: p.text('mcp-name'),
          arguments: p.text('mcp-arguments'),
          output: p.text('mcp-output'),
        },
        p.tree('unknown-item'),
      ],
    ],
    ['usage', { input_tokens: 3, output_tokens: 4, total_tokens: 7, output_tokens_details: { reasoning_tokens: 1 } }],
    [p.text('unknown-key'), p.tree('unknown-member')],
  );
}

const RESPONSE_VERBATIM: ReadonlyArray<readonly [Path, unknown]> = [
  [['id'], 'resp_1'],
  [['object'], 'response'],
  [['model'], 'gpt-4.1'],
  [['prompt', 'id'], 'pmpt_1'],
  [['tools', 0, 'type'], 'function'],
  [['tool_choice', 'type'], 'function'],
  [['text', 'format', 'type'], 'json_schema'],
  [['text', 'verbosity'], 'medium'],
  [['output', 0, 'type'], 'message'],
  [['output', 0, 'id'], 'msg_1'],
  [['output', 0, 'status'], 'completed'],
  [['output', 0, 'role'], 'assistant'],
  [['output', 0, 'content', 0, 'type'], 'output_text'],
  [['output', 0, 'content', 0, 'annotations', 0, 'type'], 'url_citation'],
  [['output', 0, 'content', 1, 'type'], 'refusal'],
  [['output', 1, 'type'], 'function_call'],
  [['output', 1, 'id'], 'fc_1'],
  [['output', 1, 'call_id'], 'call_1'],
  [['output', 1, 'name'], 'lookup'],
  [['output', 1, 'status'], 'completed'],
  [['output', 2, 'type'], 'code_interpreter_call'],
  [['output', 2, 'id'], 'ci_1'],
  [['output', 3, 'type'], 'web_search_call'],
  [['output', 3, 'action', 'type'], 'search'],
  [['output', 4, 'type'], 'reasoning'],
  [['output', 4, 'summary', 0, 'type'], 'summary_text'],
  [['output', 5, 'type'], 'mcp_call'],
  [['output', 5, 'id'], 'mcp_1'],
  [['usage', 'total_tokens'], 7],
];

const FIXTURES: ReadonlyArray<readonly [string, (p: Planter) => Fixture]> = [
  [
    'Responses response.completed',
    (p) => ({
      provider: 'openai',
      events: [
        named('response.created', { response: { id: 'resp_1', model: 'gpt-4.1' } }),
        named('response.completed', { response: responseObject(p, 'completed') }),
      ],
      verbatim: [...RESPONSE_VERBATIM, [['status'], 'completed']],
    }),
  ],
  [
    'Responses response.incomplete',
    (p) => ({
      provider: 'openai',
      events: [named('response.incomplete', { response: responseObject(p, 'incomplete') })],
      verbatim: [...RESPONSE_VERBATIM, [['status'], 'incomplete'], [['incomplete_details', 'reason'], 'max_output_tokens']],
    }),
  ],
  [
    'Responses cut short (assembled from deltas and items)',
    (p) => ({
      provider: 'openai',
      events: [
        named('response.created', { response: { id: 'resp_1', model: 'gpt-4.1' } }),
        named('response.output_item.added', {
          output_index: 0,
          item: { type: 'message', id: 'msg_1', role: 'assistant', status: 'in_progress', content: [] },
        }),
        named('response.output_text.delta', { output_index: 0, content_index: 0, delta: p.text('delta') }),
        named('response.output_text.annotation.added', {
          output_index: 0,
          content_index: 0,
          annotation: { ...p.tree('annotation', ['type', 'url']), type: 'url_citation', url: p.text('url') },
        }),
        named('response.output_item.added', {
          output_index: 1,
          item: { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'lookup', arguments: '' },
        }),
        ...halves(JSON.stringify(p.tree('arguments'))).map((delta) =>
          named('response.function_call_arguments.delta', { output_index: 1, item_id: 'fc_1', delta }),
        ),
        named('response.output_item.added', {
          output_index: 2,
          item: { type: 'code_interpreter_call', id: 'ci_1', status: 'in_progress', code: p.text('code') },
        }),
        named('response.output_item.added', {
          output_index: 3,
          item: {
            type: 'web_search_call',
            id: 'ws_1',
            status: 'completed',
            action: { type: 'search', query: p.text('query') },
          },
        }),
        named('response.output_item.added', { output_index: 4, item: { type: 'reasoning', id: 'rs_1', summary: [] } }),
        named('response.reasoning_summary_text.delta', {
          output_index: 4,
          summary_index: 0,
          delta: p.text('summary'),
        }),
        named('response.output_item.added', {
          output_index: 5,
          item: p.tree('unknown-item'),
        }),
      ],
      verbatim: [
        [['id'], 'resp_1'],
        [['model'], 'gpt-4.1'],
        [['status'], 'in_progress'],
        [['output', 0, 'type'], 'message'],
        [['output', 0, 'id'], 'msg_1'],
        [['output', 0, 'role'], 'assistant'],
        [['output', 0, 'content', 0, 'annotations', 0, 'type'], 'url_citation'],
        [['output', 1, 'id'], 'fc_1'],
        [['output', 1, 'call_id'], 'call_1'],
        [['output', 1, 'name'], 'lookup'],
        [['output', 2, 'type'], 'code_interpreter_call'],
        [['output', 2, 'id'], 'ci_1'],
        [['output', 2, 'status'], 'in_progress'],
        [['output', 3, 'action', 'type'], 'search'],
        [['output', 4, 'type'], 'reasoning'],
      ],
    }),
  ],
  [
    'Anthropic server_tool_use, mcp_tool_use, results and unknown blocks',
    (p) => ({
      provider: 'anthropic',
      events: [
        named('message_start', {
          message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x', content: [], usage: {} },
        }),
        named('content_block_start', {
          index: 0,
          content_block: {
            type: 'server_tool_use',
            id: 'srvtoolu_1',
            name: 'web_search',
            input: p.tree('server-input'),
          },
        }),
        named('content_block_stop', { index: 0 }),
        named('content_block_start', {
          index: 1,
          content_block: { type: 'mcp_tool_use', id: 'mcptoolu_1', name: 'lookup', input: p.tree('mcp-input') },
        }),
        named('content_block_stop', { index: 1 }),
        named('content_block_start', {
          index: 2,
          content_block: { type: 'tool_use', id: 'toolu_1', name: 'get', input: {} },
        }),
        ...halves(JSON.stringify(p.tree('delta-input'))).map((partial_json) =>
          named('content_block_delta', { index: 2, delta: { type: 'input_json_delta', partial_json } }),
        ),
        named('content_block_stop', { index: 2 }),
        named('content_block_start', {
          index: 3,
          content_block: {
            ...p.tree('mcp-result', ['type', 'tool_use_id', 'content']),
            type: 'mcp_tool_result',
            tool_use_id: 'mcptoolu_1',
            content: [{ type: 'text', text: p.text('mcp-result-text') }],
          },
        }),
        named('content_block_stop', { index: 3 }),
        named('content_block_start', {
          index: 4,
          content_block: p.tree('unknown-block'),
        }),
        named('content_block_stop', { index: 4 }),
        named('content_block_start', { index: 5, content_block: { type: 'text', text: '' } }),
        named('content_block_delta', {
          index: 5,
          delta: {
            type: 'citations_delta',
            citation: {
              ...p.tree('citation', ['type', 'cited_text']),
              type: 'web_search_result_location',
              cited_text: p.text('cited'),
            },
          },
        }),
        named('content_block_delta', { index: 5, delta: { type: 'text_delta', text: p.text('text') } }),
        named('content_block_stop', { index: 5 }),
        named('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: p.text('stop-sequence') } }),
        named('message_stop', {}),
      ],
      verbatim: [
        [['id'], 'msg_1'],
        [['model'], 'claude-x'],
        [['role'], 'assistant'],
        [['stop_reason'], 'end_turn'],
        [['content', 0, 'type'], 'server_tool_use'],
        [['content', 0, 'id'], 'srvtoolu_1'],
        [['content', 0, 'name'], 'web_search'],
        [['content', 1, 'type'], 'mcp_tool_use'],
        [['content', 1, 'id'], 'mcptoolu_1'],
        [['content', 1, 'name'], 'lookup'],
        [['content', 2, 'type'], 'tool_use'],
        [['content', 2, 'name'], 'get'],
        [['content', 3, 'type'], 'mcp_tool_result'],
        [['content', 3, 'tool_use_id'], 'mcptoolu_1'],
        [['content', 5, 'type'], 'text'],
        [['content', 5, 'citations', 0, 'type'], 'web_search_result_location'],
      ],
    }),
  ],
  [
    'OpenAI chat tool calls and a mid-stream error',
    (p) => {
      const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o' };
      const chunk = (index: number, delta: object, finish: string | null = null): Ev => [
        undefined,
        { ...base, system_fingerprint: 'fp_1', choices: [{ index, delta, finish_reason: finish }] },
      ];
      const args = halves(JSON.stringify(p.tree('tool-arguments')));
      return {
        provider: 'openai',
        events: [
          chunk(0, { role: 'assistant', content: p.text('content') }),
          chunk(0, { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'lookup' } }] }),
          ...args.map((part) => chunk(0, { tool_calls: [{ index: 0, function: { arguments: part } }] })),
          chunk(1, { role: 'assistant', function_call: { name: 'legacy', arguments: p.text('function-arguments') } }),
          chunk(0, {}, 'tool_calls'),
          chunk(1, {}, 'function_call'),
          [
            undefined,
            {
              error: {
                type: 'server_error',
                code: 'server_error',
                param: p.text('param'),
                message: p.text('message'),
              },
            },
          ],
          [undefined, '[DONE]'],
        ],
        verbatim: [
          [['id'], 'chatcmpl-1'],
          [['model'], 'gpt-4o'],
          [['system_fingerprint'], 'fp_1'],
          [['choices', 0, 'finish_reason'], 'tool_calls'],
          [['choices', 0, 'message', 'role'], 'assistant'],
          [['choices', 0, 'message', 'tool_calls', 0, 'id'], 'call_1'],
          [['choices', 0, 'message', 'tool_calls', 0, 'type'], 'function'],
          [['choices', 0, 'message', 'tool_calls', 0, 'function', 'name'], 'lookup'],
          [['choices', 1, 'message', 'function_call', 'name'], 'legacy'],
          [['error', 'type'], 'server_error'],
          [['error', 'code'], 'server_error'],
        ],
      };
    },
  ],
];

/** The keys content objects hide sentinels under: identifier-like names and prototype names too. */
const KEY_NAMES = [
  'id',
  'name',
  'code',
  'param',
  'type',
  'status',
  'role',
  'model',
  'object',
  'call_id',
  'finish_reason',
  'stop_reason',
  'tool_choice',
  '__proto__',
  'constructor',
];

/** Sentinels are lowercase and delimited, so no one is inside another and an uppercased one differs. */
function sentinel(tag: string, n: number): string {
  return `zq-${tag}-${n}-qz`;
}

/** Every string and key in `value`. */
function texts(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(texts);
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, member]) => [key, ...texts(member)]);
  }
  return [];
}

/** The fixed planter: each tree holds sentinels under every identifier-like key, nested. */
function fixedPlanter(): Planter & { readonly planted: string[] } {
  const planted: string[] = [];
  const text = (tag: string): string => {
    const value = sentinel(tag, planted.length);
    planted.push(value);
    return value;
  };
  return {
    planted,
    text,
    tree: (tag, reserved = []) =>
      obj(...KEY_NAMES.filter((key) => !reserved.includes(key)).map((key): [string, unknown] => [key, text(`${tag}-${key}`)]), [
        text(`${tag}-key`),
        obj(['id', text(`${tag}-nested-id`)], [text(`${tag}-nested-key`), [text(`${tag}-el`), 7]]),
      ]),
  };
}

/** A deterministic pseudo-random source (mulberry32). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A planter whose trees are random nestings of objects, arrays, numbers and sentinels. */
function randomPlanter(seed: number): Planter & { readonly planted: string[] } {
  const rand = random(seed);
  const planted: string[] = [];
  let count = 0;
  const make = (tag: string): string => sentinel(tag, count++);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const value = (tag: string, depth: number): unknown => {
    const r = rand();
    if (depth >= 4 || r < 0.35) return make(tag);
    if (r < 0.45) return Math.floor(rand() * 1000);
    if (r < 0.6) return Array.from({ length: 1 + Math.floor(rand() * 3) }, () => value(tag, depth + 1));
    return object(tag, depth + 1);
  };
  const object = (tag: string, depth: number, reserved: readonly string[] = []): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    const size = 1 + Math.floor(rand() * 4);
    for (let n = 0; n < size; n++) {
      const name = rand() < 0.5 ? make(tag) : pick(KEY_NAMES);
      put(out, reserved.includes(name) ? make(tag) : name, value(tag, depth));
    }
    return out;
  };
  const record = <T>(planted_: T): T => {
    planted.push(...texts(planted_).filter((text) => text.startsWith('zq-')));
    return planted_;
  };
  return {
    planted,
    text: (tag) => record(make(tag)),
    tree: (tag, reserved) => record(object(tag, 0, reserved)),
  };
}

function assemble(fixture: Fixture, filter?: () => AssembledTextFilter): AssembledResponse {
  const assembler = createResponseAssembler({
    adapter: adapterOf(fixture.provider),
    maxChars: 1 << 20,
    ...(filter ? { createTextFilter: filter } : {}),
  });
  assembler.push(sse(fixture.events));
  return assembler.end();
}

function valueAt(value: unknown, path: Path): unknown {
  let node = value;
  for (const step of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, step)) return undefined;
    node = (node as Record<string | number, unknown>)[step];
  }
  return node;
}

const upperCase = (): AssembledTextFilter => ({ push: (piece) => piece.toUpperCase(), end: () => '' });
const xEverything = (): AssembledTextFilter => ({ push: (piece) => 'X'.repeat(piece.length), end: () => '' });
const identity = (): AssembledTextFilter => ({ push: (piece) => piece, end: () => '' });

describe('createResponseAssembler: content positions', () => {
  describe.each(FIXTURES)('%s', (_name, build) => {
    it('passes every planted content string and key through the filter', () => {
      const planter = fixedPlanter();
      const fixture = build(planter);
      const result = assemble(fixture, upperCase);
      expect(result.malformedEvents).toBe(0);
      const stored = JSON.stringify(result.body);
      expect(planter.planted.length).toBeGreaterThan(10);
      const unfiltered = planter.planted.filter((text) => stored.includes(text));
      const missing = planter.planted.filter((text) => !stored.includes(text.toUpperCase()));
      expect({ unfiltered, missing }).toEqual({ unfiltered: [], missing: [] });
    });

    it('keeps ids and enums at their known positions verbatim', () => {
      const fixture = build(fixedPlanter());
      const body = assemble(fixture, xEverything).body;
      const found = fixture.verbatim.map(([path]) => [path, valueAt(body, path)]);
      expect(found).toEqual(fixture.verbatim);
    });

    it('makes a filter per string and key, and ends each once', () => {
      const ends: number[] = [];
      const counting = (): AssembledTextFilter => {
        const slot = ends.push(0) - 1;
        return {
          push: (piece) => piece,
          end: () => {
            ends[slot]! += 1;
            return '';
          },
        };
      };
      assemble(build(fixedPlanter()), counting);
      expect(ends.length).toBeGreaterThan(0);
      expect(ends.filter((count) => count !== 1)).toEqual([]);
    });
  });

  it('gives keys a filter made equal a #n suffix instead of overwriting one with another', () => {
    const fixture: Fixture = {
      provider: 'anthropic',
      events: [
        named('content_block_start', {
          index: 0,
          content_block: { type: 'server_tool_use', id: 's', name: 'n', input: { A: 1, a: 2, 'a#2': 3, 'A#2': 4 } },
        }),
        named('message_stop', {}),
      ],
      verbatim: [],
    };
    const lowerCase = (): AssembledTextFilter => ({ push: (piece) => piece.toLowerCase(), end: () => '' });
    const content = assemble(fixture, lowerCase).body['content'] as Array<Record<string, unknown>>;
    expect(content[0]?.['input']).toEqual({ a: 1, 'a#2': 2, 'a#2#2': 3, 'a#2#3': 4 });
  });

  it.each(Array.from({ length: 40 }, (_, seed) => seed))(
    'stores no planted sentinel with an X-everything filter (random content, seed %i)',
    (seed) => {
      for (const [name, build] of FIXTURES) {
        const raw = randomPlanter(seed);
        const fixture = build(raw);
        // Without a real filter every sentinel is stored: they sit where the body keeps content.
        const kept = JSON.stringify(assemble(fixture, identity).body);
        expect({ name, missing: raw.planted.filter((text) => !kept.includes(text)) }).toEqual({ name, missing: [] });
        const stored = JSON.stringify(assemble(fixture, xEverything).body);
        expect({ name, leaked: raw.planted.filter((text) => stored.includes(text)) }).toEqual({ name, leaked: [] });
      }
    },
  );
});
