import { ManualClock } from '@navplane/core';
import { createResponseAssembler, createStreamEventAssembler } from './assemble/response-assembler';
import { openaiAdapter } from './openai/openai.adapter';
import { createStreamTap, type StreamTap, type StreamTapResult } from './stream-tap';

// Real-looking OpenAI Chat Completions streams: compact JSON, `"usage":null` on every chunk when
// include_usage is on, then the usage-only chunk (`choices: []`), then `data: [DONE]`.
const BASE = {
  id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
  object: 'chat.completion.chunk',
  created: 1741570283,
  model: 'gpt-4o-2024-08-06',
  service_tier: 'default',
  system_fingerprint: 'fp_eb9dce56a8',
};
const PIECES = ['H\u00e9llo', ' \u{1F44B}', ' \u4e16\u754c', '!'];
const CHAT_USAGE = {
  prompt_tokens: 1200,
  completion_tokens: 4,
  total_tokens: 1204,
  prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 },
  completion_tokens_details: {
    reasoning_tokens: 0,
    audio_tokens: 0,
    accepted_prediction_tokens: 0,
    rejected_prediction_tokens: 0,
  },
};
const EXPECTED_CHAT_USAGE = {
  inputTokens: 1200,
  outputTokens: 4,
  cacheReadTokens: 1024,
  cacheWriteTokens: 0,
  totalTokens: 1204,
};

interface ChatStreamOptions {
  includeUsage: boolean;
  eol?: string;
  /** A `: keep-alive` comment block after the first chunk. */
  comment?: boolean;
  /** Stop before the finish chunk (a cut-off stream). */
  truncate?: boolean;
}

function chatEvents(options: ChatStreamOptions): string[] {
  const chunk = (delta: object, finish: string | null): string =>
    JSON.stringify({
      ...BASE,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(options.includeUsage ? { usage: null } : {}),
    });
  const data = [chunk({ role: 'assistant', content: '', refusal: null }, null), ...PIECES.map((p) => chunk({ content: p }, null))];
  if (options.truncate) return data;
  data.push(chunk({}, 'stop'));
  if (options.includeUsage) data.push(JSON.stringify({ ...BASE, choices: [], usage: CHAT_USAGE }));
  data.push('[DONE]');
  return data;
}

function chatStream(options: ChatStreamOptions): Buffer {
  const eol = options.eol ?? '\n';
  const blocks = chatEvents(options).map((d) => `data: ${d}${eol}${eol}`);
  if (options.comment) blocks.splice(1, 0, `: keep-alive${eol}${eol}`);
  return Buffer.from(blocks.join(''), 'utf8');
}

/** A deterministic PRNG (mulberry32) so "random" splits are reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Split = { name: string; cuts: (length: number) => number[] };
const ONE_CHUNK: Split = { name: 'one chunk', cuts: () => [] };
const randomSplits = (seed: number): Split => ({
  name: `random splits (seed ${seed})`,
  cuts: (n: number) => {
    const random = prng(seed);
    const set = new Set<number>();
    for (let k = 0; k < 40; k++) set.add(1 + Math.floor(random() * (n - 1)));
    return [...set].sort((x, y) => x - y);
  },
});
const SPLITS: Split[] = [
  ONE_CHUNK,
  { name: 'one byte at a time', cuts: (n) => Array.from({ length: n - 1 }, (_, i) => i + 1) },
  ...[1, 2, 3, 42, 1337].map(randomSplits),
];

function chunksOf(bytes: Buffer, cuts: number[]): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(bytes.subarray(start, cut));
    start = cut;
  }
  return out;
}

const T0 = 1_700_000_000_000;
const clock = new ManualClock(T0);

/** Feeds chunks; returns everything forwarded (in order) and the result (its firstChunkAt checked and left out). */
function run(tap: StreamTap, chunks: Buffer[]): { forwarded: Buffer; result: Omit<StreamTapResult, 'firstChunkAt'> } {
  const out: Buffer[] = [];
  for (const chunk of chunks) out.push(...tap.push(chunk));
  out.push(...tap.end());
  const { firstChunkAt, ...result } = tap.result();
  expect(firstChunkAt).toBe(T0);
  return { forwarded: Buffer.concat(out), result };
}

describe('stream tap: OpenAI chat completions', () => {
  describe.each(SPLITS)('$name', ({ cuts }) => {
    it('passes a stream without usage through untouched and reads model and completion', () => {
      const input = chatStream({ includeUsage: false });
      const chunks = chunksOf(input, cuts(input.length));
      const tap = createStreamTap({ clock, adapter: openaiAdapter });
      for (const chunk of chunks) {
        const out = tap.push(chunk);
        expect(out).toHaveLength(1);
        expect(out[0]).toBe(chunk); // the same Buffer, forwarded at once
      }
      expect(tap.end()).toEqual([]);
      expect(tap.result()).toEqual({
        complete: true,
        model: 'gpt-4o-2024-08-06',
        malformedEvents: 0,
        firstChunkAt: T0,
      });
    });

    it('reads usage (cached tokens as cache reads) when the client asked for it', () => {
      const input = chatStream({ includeUsage: true });
      const { forwarded, result } = run(createStreamTap({ clock, adapter: openaiAdapter }), chunksOf(input, cuts(input.length)));
      expect(forwarded.equals(input)).toBe(true);
      expect(result).toEqual({
        usage: EXPECTED_CHAT_USAGE,
        model: 'gpt-4o-2024-08-06',
        complete: true,
        malformedEvents: 0,
      });
    });

    it.each([
      ['LF', { eol: '\n' }],
      ['CRLF', { eol: '\r\n' }],
      ['CR', { eol: '\r' }],
      ['LF with a keep-alive comment', { eol: '\n', comment: true }],
      ['CRLF with a keep-alive comment', { eol: '\r\n', comment: true }],
    ])('with the strip on, the client gets byte for byte the stream it asked for (%s)', (_name, framing) => {
      const injected = chatStream({ includeUsage: true, ...framing });
      const asked = chatStream({ includeUsage: false, ...framing });
      const tap = createStreamTap({ clock, adapter: openaiAdapter, stripUsageChunk: true });
      const { forwarded, result } = run(tap, chunksOf(injected, cuts(injected.length)));
      expect(forwarded.toString('utf8')).toBe(asked.toString('utf8'));
      expect(forwarded.equals(asked)).toBe(true);
      expect(result).toEqual({
        usage: EXPECTED_CHAT_USAGE,
        model: 'gpt-4o-2024-08-06',
        complete: true,
        malformedEvents: 0,
      });
    });
  });

  it('with the strip on, forwards each event as soon as its blank line arrives', () => {
    const [event0, event1] = chatEvents({ includeUsage: true }).map((d) => `data: ${d}\n\n`);
    const [expected0, expected1] = chatEvents({ includeUsage: false }).map((d) => `data: ${d}\n\n`);
    if (event0 === undefined || event1 === undefined) throw new Error('the stream has at least two events');
    const tap = createStreamTap({ clock, adapter: openaiAdapter, stripUsageChunk: true });
    // First chunk: one whole event and half of the next one.
    const half = Math.floor(event1.length / 2);
    const first = tap.push(Buffer.from(event0 + event1.slice(0, half)));
    expect(Buffer.concat(first).toString()).toBe(expected0);
    const second = tap.push(Buffer.from(event1.slice(half)));
    expect(Buffer.concat(second).toString()).toBe(expected1);
  });

  it('with the strip on, forwards unchanged events as views of the received chunk (no copy)', () => {
    const tap = createStreamTap({ clock, adapter: openaiAdapter, stripUsageChunk: true });
    const chunk = Buffer.from(': ping\n\ndata: [DONE]\n\n');
    const out = tap.push(chunk);
    expect(out).toHaveLength(1);
    expect(out[0]?.buffer).toBe(chunk.buffer);
    expect(out[0]?.toString()).toBe(chunk.toString());
  });

  it('counts malformed events without throwing and still reads usage', () => {
    const events = chatEvents({ includeUsage: true });
    events.splice(2, 0, '{"id":"chatcmpl-x","choices":[{"delta":'); // truncated JSON
    events.splice(3, 0, 'not json at all');
    const input = Buffer.from(events.map((d) => `data: ${d}\n\n`).join(''));
    for (const strip of [false, true]) {
      const { forwarded, result } = run(createStreamTap({ clock, adapter: openaiAdapter, stripUsageChunk: strip }), [input]);
      expect(result.malformedEvents).toBe(2);
      expect(result.usage).toEqual(EXPECTED_CHAT_USAGE);
      expect(forwarded.toString()).toContain('data: not json at all\n\n');
    }
  });

  it('counts a malformed usage chunk and keeps forwarding it', () => {
    const input = Buffer.from('data: {"choices":[],"usage":{"prompt_tokens":3,\n\ndata: [DONE]\n\n');
    const { forwarded, result } = run(createStreamTap({ clock, adapter: openaiAdapter, stripUsageChunk: true }), [input]);
    expect(forwarded.equals(input)).toBe(true);
    expect(result).toEqual({ complete: true, malformedEvents: 1 });
  });

  it('skips an event over the size cap (counted), forwards it intact, and keeps going', () => {
    const huge = JSON.stringify({
      ...BASE,
      choices: [{ index: 0, delta: { content: 'x'.repeat(5000) } }],
      usage: null,
    });
    const events = chatEvents({ includeUsage: true });
    events.splice(1, 0, huge);
    const input = Buffer.from(events.map((d) => `data: ${d}\n\n`).join(''));
    for (const split of [ONE_CHUNK, randomSplits(1)]) {
      const tap = createStreamTap({ clock, adapter: openaiAdapter, stripUsageChunk: true, maxEventBytes: 1024 });
      const { forwarded, result } = run(tap, chunksOf(input, split.cuts(input.length)));
      expect(result.malformedEvents).toBe(1);
      expect(result.usage).toEqual(EXPECTED_CHAT_USAGE);
      expect(forwarded.toString()).toContain(`data: ${huge}\n\n`);
      expect(forwarded.toString()).not.toContain('"choices":[]');
    }
  });

  it('reads a usage chunk whose data spans several data: lines', () => {
    const usage = JSON.stringify({ ...BASE, choices: [], usage: CHAT_USAGE }, null, 1);
    const input = Buffer.from(
      `${usage
        .split('\n')
        .map((l) => `data: ${l}`)
        .join('\n')}\n\ndata: [DONE]\n\n`,
    );
    expect(run(createStreamTap({ clock, adapter: openaiAdapter }), [input]).result.usage).toEqual(EXPECTED_CHAT_USAGE);
  });

  it('a stream cut short is incomplete, without usage; the strip flushes the unfinished event as received', () => {
    const input = chatStream({ includeUsage: true, truncate: true });
    const cut = input.subarray(0, input.length - 30);
    const tap = createStreamTap({ clock, adapter: openaiAdapter, stripUsageChunk: true });
    const { forwarded, result } = run(tap, [cut]);
    expect(result).toEqual({ complete: false, model: 'gpt-4o-2024-08-06', malformedEvents: 0 });
    const lastBlock = cut.subarray(cut.lastIndexOf('\n\n') + 2);
    expect(forwarded.subarray(forwarded.length - lastBlock.length).equals(lastBlock)).toBe(true);
  });

  it('records the error of an error chunk', () => {
    const input = Buffer.from('data: {"error":{"message":"boom","type":"server_error","param":null,"code":null}}\n\n');
    expect(run(createStreamTap({ clock, adapter: openaiAdapter }), [input]).result.streamError).toBe('server_error');
  });

  it('stamps the first non-empty chunk with the clock', () => {
    const clock = new ManualClock(1_000);
    const tap = createStreamTap({ adapter: openaiAdapter, clock });
    tap.push(Buffer.alloc(0));
    clock.advance(250);
    tap.push(Buffer.from('data: [DONE]\n\n'));
    clock.advance(250);
    tap.push(Buffer.from('\n'));
    expect(tap.result().firstChunkAt).toBe(1_250);
  });
});

// OpenAI Responses API: named events; usage in the terminal event's `response.usage`.
function responsesStream(terminal: 'response.completed' | 'response.incomplete' | 'response.failed' | null): Buffer {
  const response = (status: string, usage: object | null, extra: object = {}) => ({
    id: 'resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b',
    object: 'response',
    created_at: 1741476542,
    status,
    error: null,
    model: 'gpt-4.1-2025-04-14',
    output: [],
    usage,
    ...extra,
  });
  const events: [string, object][] = [
    ['response.created', { type: 'response.created', sequence_number: 0, response: response('in_progress', null) }],
    ['response.in_progress', { type: 'response.in_progress', sequence_number: 1, response: response('in_progress', null) }],
    [
      'response.output_item.added',
      {
        type: 'response.output_item.added',
        sequence_number: 2,
        output_index: 0,
        item: { id: 'msg_1', type: 'message', status: 'in_progress', content: [], role: 'assistant' },
      },
    ],
    ...['Hi', ' there', ' \u{1F44B}'].map((delta, i): [string, object] => [
      'response.output_text.delta',
      {
        type: 'response.output_text.delta',
        sequence_number: 3 + i,
        item_id: 'msg_1',
        output_index: 0,
        content_index: 0,
        delta,
      },
    ]),
    [
      'response.output_text.done',
      {
        type: 'response.output_text.done',
        sequence_number: 6,
        item_id: 'msg_1',
        output_index: 0,
        content_index: 0,
        text: 'Hi there \u{1F44B}',
      },
    ],
  ];
  if (terminal) {
    const usage = {
      input_tokens: 2000,
      input_tokens_details: { cached_tokens: 1536 },
      output_tokens: 300,
      output_tokens_details: { reasoning_tokens: 128 },
      total_tokens: 2300,
    };
    const status = terminal.slice('response.'.length);
    const extra = terminal === 'response.failed' ? { error: { code: 'server_error', message: 'x' } } : {};
    events.push([terminal, { type: terminal, sequence_number: 7, response: response(status, usage, extra) }]);
  }
  return Buffer.from(events.map(([name, data]) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`).join(''));
}

describe('stream tap: OpenAI Responses API', () => {
  const usage = { inputTokens: 2000, outputTokens: 300, cacheReadTokens: 1536, cacheWriteTokens: 0, totalTokens: 2300 };

  describe.each(SPLITS.slice(0, 3))('$name', ({ cuts }) => {
    it.each(['response.completed', 'response.incomplete'] as const)('reads usage and model from %s', (terminal) => {
      const input = responsesStream(terminal);
      const { forwarded, result } = run(createStreamTap({ clock, adapter: openaiAdapter }), chunksOf(input, cuts(input.length)));
      expect(forwarded.equals(input)).toBe(true);
      expect(result).toEqual({ usage, model: 'gpt-4.1-2025-04-14', complete: true, malformedEvents: 0 });
    });
  });

  it('records response.failed as an error', () => {
    const { result } = run(createStreamTap({ clock, adapter: openaiAdapter }), [responsesStream('response.failed')]);
    expect(result).toMatchObject({ complete: true, streamError: 'server_error', usage });
  });

  it('a cut-off Responses stream is incomplete but knows the model from response.created', () => {
    const { result } = run(createStreamTap({ clock, adapter: openaiAdapter }), [responsesStream(null)]);
    expect(result).toEqual({ complete: false, model: 'gpt-4.1-2025-04-14', malformedEvents: 0 });
  });

  it('still reads usage from a terminal event over the size cap (counted as skipped)', () => {
    const image = 'iVBORw0KGgo'.repeat(200_000); // ~2 MiB of base64 in the final output
    const completed = {
      type: 'response.completed',
      sequence_number: 9,
      response: {
        id: 'resp_1',
        object: 'response',
        status: 'completed',
        model: 'gpt-4.1-2025-04-14',
        output: [{ type: 'image_generation_call', id: 'ig_1', status: 'completed', result: image }],
        tools: [{ type: 'function', name: 'f', parameters: { type: 'object', properties: { usage: { type: 'string' } } } }],
        usage: {
          input_tokens: 2000,
          input_tokens_details: { cached_tokens: 1536 },
          output_tokens: 300,
          total_tokens: 2300,
        },
        user: null,
        metadata: {},
      },
    };
    const input = Buffer.concat([responsesStream(null), Buffer.from(`event: response.completed\ndata: ${JSON.stringify(completed)}\n\n`)]);
    const { forwarded, result } = run(
      createStreamTap({ clock, adapter: openaiAdapter }),
      chunksOf(input, randomSplits(1).cuts(input.length)),
    );
    expect(forwarded.equals(input)).toBe(true);
    expect(result).toEqual({ usage, model: 'gpt-4.1-2025-04-14', complete: true, malformedEvents: 1 });
  });

  it('counts a malformed delta event', () => {
    const input = Buffer.concat([
      Buffer.from('event: response.output_text.delta\ndata: {"delta":"x"\n\n'),
      responsesStream('response.completed'),
    ]);
    expect(run(createStreamTap({ clock, adapter: openaiAdapter }), [input]).result).toMatchObject({
      malformedEvents: 1,
      usage,
    });
  });
});

describe('stream tap: one parse feeds the usage reader and the assembler', () => {
  it.each(SPLITS)('assembles what it forwards while hiding the injected usage chunk ($name)', ({ cuts }) => {
    const injected = chatStream({ includeUsage: true, comment: true });
    const assembler = createStreamEventAssembler({ adapter: openaiAdapter });
    const tap = createStreamTap({ clock, adapter: openaiAdapter, stripUsageChunk: true, assembler });
    const { forwarded, result } = run(tap, chunksOf(injected, cuts(injected.length)));
    expect(forwarded.equals(chatStream({ includeUsage: false, comment: true }))).toBe(true);
    expect(result.usage).toEqual(EXPECTED_CHAT_USAGE);
    // The assembler saw every upstream event, the usage chunk the client never sees included: as if it parsed alone.
    const alone = createResponseAssembler({ adapter: openaiAdapter });
    alone.push(injected);
    const assembled = assembler.end();
    expect(assembled).toEqual(alone.end());
    expect(assembled.body).toMatchObject({ usage: CHAT_USAGE, choices: [{ message: { content: PIECES.join('') } }] });
  });

  it('counts an event over the size cap in the assembly as in the tap, and both keep going', () => {
    const huge = JSON.stringify({ ...BASE, choices: [{ index: 0, delta: { content: 'x'.repeat(5000) } }] });
    const events = chatEvents({ includeUsage: true });
    events.splice(2, 0, huge);
    const input = Buffer.from(events.map((d) => `data: ${d}\n\n`).join(''));
    for (const strip of [false, true]) {
      const assembler = createStreamEventAssembler({ adapter: openaiAdapter });
      const { result } = run(createStreamTap({ clock, adapter: openaiAdapter, stripUsageChunk: strip, maxEventBytes: 1024, assembler }), [
        input,
      ]);
      const assembled = assembler.end();
      expect(result).toMatchObject({ malformedEvents: 1, usage: EXPECTED_CHAT_USAGE });
      expect(assembled).toMatchObject({ malformedEvents: 1, truncated: true, complete: true });
      expect(assembled.body).toMatchObject({ choices: [{ message: { content: PIECES.join('') } }] });
    }
  });
});
