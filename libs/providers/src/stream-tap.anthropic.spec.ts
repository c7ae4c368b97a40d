import { ManualClock } from '@navplane/core';
import { anthropicAdapter } from './anthropic/anthropic.adapter';
import { createStreamTap, type StreamTapResult } from './stream-tap';

// A real-looking Anthropic Messages stream with prompt caching.
const START_USAGE = {
  input_tokens: 25,
  cache_creation_input_tokens: 2048,
  cache_read_input_tokens: 10240,
  cache_creation: { ephemeral_5m_input_tokens: 2048, ephemeral_1h_input_tokens: 0 },
  output_tokens: 1,
  service_tier: 'standard',
};

type Event = [string, object];

function messageStart(usage: object = START_USAGE): Event {
  return [
    'message_start',
    {
      type: 'message_start',
      message: {
        id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5-20250929',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage,
      },
    },
  ];
}

const BODY: Event[] = [
  ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
  ['ping', { type: 'ping' }],
  ...['Hello', ' w\u00f6rld', ' \u{1F30D}'].map(
    (text): Event => ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }],
  ),
  ['content_block_stop', { type: 'content_block_stop', index: 0 }],
];

function messageDelta(usage: object): Event {
  return ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage }];
}

const STOP: Event = ['message_stop', { type: 'message_stop' }];

function encode(events: Event[], eol = '\n'): Buffer {
  return Buffer.from(events.map(([name, data]) => `event: ${name}${eol}data: ${JSON.stringify(data)}${eol}${eol}`).join(''));
}

const T0 = 1_700_000_000_000;
const clock = new ManualClock(T0);

function run(input: Buffer, cuts: number[] = []): { forwarded: Buffer; result: StreamTapResult } {
  const tap = createStreamTap({ adapter: anthropicAdapter, clock });
  const out: Buffer[] = [];
  let start = 0;
  for (const cut of [...cuts, input.length]) {
    const chunk = input.subarray(start, cut);
    const forwarded = tap.push(chunk);
    expect(forwarded).toHaveLength(1);
    expect(forwarded[0]).toBe(chunk);
    out.push(...forwarded);
    start = cut;
  }
  out.push(...tap.end());
  return { forwarded: Buffer.concat(out), result: tap.result() };
}

const everyByte = (n: number) => Array.from({ length: n - 1 }, (_, i) => i + 1);
const everyNth = (k: number) => (n: number) => Array.from({ length: Math.floor((n - 1) / k) }, (_, i) => (i + 1) * k);

const FULL_USAGE = {
  inputTokens: 25 + 2048 + 10240,
  outputTokens: 15,
  cacheReadTokens: 10240,
  cacheWriteTokens: 2048,
  totalTokens: 12328,
};

describe('stream tap: Anthropic messages', () => {
  describe.each([
    ['one chunk', () => []],
    ['one byte at a time', everyByte],
    ['every 7 bytes', everyNth(7)],
    ['every 64 bytes', everyNth(64)],
  ] as const)('%s', (_name, cuts) => {
    it.each(['\n', '\r\n', '\r'])('merges message_start and message_delta usage, cache tokens included (eol %j)', (eol) => {
      const input = encode([messageStart(), ...BODY, messageDelta({ output_tokens: 15 }), STOP], eol);
      const { forwarded, result } = run(input, cuts(input.length));
      expect(forwarded.equals(input)).toBe(true);
      expect(result).toEqual({
        usage: FULL_USAGE,
        model: 'claude-sonnet-4-5-20250929',
        complete: true,
        firstChunkAt: T0,
        malformedEvents: 0,
      });
    });
  });

  it('newer API versions: message_delta may repeat input/cache fields; later non-null values win per field', () => {
    const input = encode([
      messageStart({
        input_tokens: 10,
        cache_creation_input_tokens: null,
        cache_read_input_tokens: 0,
        output_tokens: 1,
      }),
      ...BODY,
      messageDelta({
        input_tokens: 12,
        cache_creation_input_tokens: 100,
        cache_read_input_tokens: null,
        output_tokens: 40,
      }),
      STOP,
    ]);
    expect(run(input).result.usage).toEqual({
      inputTokens: 112,
      outputTokens: 40,
      cacheReadTokens: 0,
      cacheWriteTokens: 100,
      totalTokens: 152,
    });
  });

  it('keeps the 1-hour share of cache writes for pricing', () => {
    const usage = {
      ...START_USAGE,
      cache_creation: { ephemeral_5m_input_tokens: 48, ephemeral_1h_input_tokens: 2000 },
    };
    const input = encode([messageStart(usage), messageDelta({ output_tokens: 15 }), STOP]);
    expect(run(input).result.usage).toEqual({ ...FULL_USAGE, cacheWrite1hTokens: 2000 });
  });

  it('a stream cut after message_start still reports its input tokens', () => {
    const input = encode([messageStart(), ...BODY.slice(0, 3)]);
    const partial = input.subarray(0, input.length - 10); // the last event is cut mid-way
    expect(run(partial).result).toEqual({
      usage: {
        inputTokens: 12313,
        outputTokens: 1,
        cacheReadTokens: 10240,
        cacheWriteTokens: 2048,
        totalTokens: 12314,
      },
      model: 'claude-sonnet-4-5-20250929',
      complete: false,
      firstChunkAt: T0,
      malformedEvents: 0,
    });
  });

  it('records an error event (e.g. overloaded) and stays incomplete', () => {
    const input = encode([messageStart(), ['error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }]]);
    expect(run(input).result).toMatchObject({ complete: false, streamError: 'overloaded_error' });
  });

  it('counts malformed events, never throws, and still merges usage', () => {
    const input = Buffer.concat([
      encode([messageStart()]),
      Buffer.from('event: content_block_delta\ndata: {"type":"content_block_delta","delta":\n\n'),
      Buffer.from('event: message_delta\ndata: {not json}\n\n'),
      encode([messageDelta({ output_tokens: 15 }), STOP]),
    ]);
    expect(run(input).result).toMatchObject({ usage: FULL_USAGE, complete: true, malformedEvents: 2 });
  });

  it('reads events without an event: line by their payload type', () => {
    const input = Buffer.from(
      [messageStart(), messageDelta({ output_tokens: 15 }), STOP].map(([, data]) => `data: ${JSON.stringify(data)}\n\n`).join(''),
    );
    expect(run(input).result).toMatchObject({ usage: FULL_USAGE, complete: true });
  });

  it('ignores the strip option (Anthropic streams always carry usage)', () => {
    const input = encode([messageStart(), messageDelta({ output_tokens: 15 }), STOP]);
    const tap = createStreamTap({ adapter: anthropicAdapter, stripUsageChunk: true });
    expect(tap.push(input)).toEqual([input]);
    expect(tap.result().usage).toEqual(FULL_USAGE);
  });
});
