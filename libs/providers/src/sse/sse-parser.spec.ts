import { SseParser } from './sse-parser';

interface Seen {
  events: { type: string; data: string }[];
  blocks: number;
  oversized: number;
}

/** Parses `text` fed in pieces cut at `cuts` (byte offsets). */
function parse(input: string | Buffer, cuts: number[] = [], max?: number): Seen {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const seen: Seen = { events: [], blocks: 0, oversized: 0 };
  const parser = new SseParser((event, _end, oversized) => {
    seen.blocks++;
    if (oversized) seen.oversized++;
    else if (event) seen.events.push({ type: event.type, data: event.data.toString('utf8') });
  }, max);
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    parser.push(bytes.subarray(start, cut));
    start = cut;
  }
  return seen;
}

function everyByte(text: string | Buffer): number[] {
  const length = typeof text === 'string' ? Buffer.byteLength(text) : text.length;
  return Array.from({ length: Math.max(0, length - 1) }, (_, i) => i + 1);
}

describe('SseParser (WHATWG framing)', () => {
  it.each([
    ['LF', 'data: a\n\ndata: b\n\n'],
    ['CRLF', 'data: a\r\n\r\ndata: b\r\n\r\n'],
    ['CR', 'data: a\r\rdata: b\r\r'],
    ['mixed terminators', 'data: a\r\n\ndata: b\n\r\n'],
  ])('splits events on blank lines with %s', (_name, text) => {
    expect(parse(text).events).toEqual([
      { type: '', data: 'a' },
      { type: '', data: 'b' },
    ]);
  });

  it('joins multi-line data with \\n and reads the event type', () => {
    const text = 'event: message_start\ndata: {"a":\ndata: 1}\n\n';
    expect(parse(text).events).toEqual([{ type: 'message_start', data: '{"a":\n1}' }]);
  });

  it('strips exactly one space after the colon, accepts no space and bare field names', () => {
    expect(parse('data:x\n\ndata:  y\n\ndata\n\n').events.map((e) => e.data)).toEqual(['x', ' y', '']);
  });

  it('ignores comments, id/retry/unknown fields, and blocks without data', () => {
    const text = ': keep-alive\n\nid: 7\nretry: 1000\nfoo: bar\ndata: z\n\n: only a comment\n\n';
    const seen = parse(text);
    expect(seen.events).toEqual([{ type: '', data: 'z' }]);
    expect(seen.blocks).toBe(3);
  });

  it('resets the event type after each event', () => {
    expect(parse('event: ping\ndata: 1\n\ndata: 2\n\n').events).toEqual([
      { type: 'ping', data: '1' },
      { type: '', data: '2' },
    ]);
  });

  it('does not dispatch an unfinished event', () => {
    expect(parse('data: a\n\ndata: b\n').events).toEqual([{ type: '', data: 'a' }]);
  });

  it('ignores a UTF-8 byte order mark at the start', () => {
    expect(parse('\uFEFFdata: a\n\n').events).toEqual([{ type: '', data: 'a' }]);
  });

  const tricky = 'event: x\r\ndata: h\u00e9llo \u{1F44B} \u4e16\u754c\r\ndata: 2\r\n\r\n: c\r\rdata: [DONE]\n\n';
  it('gives the same events when fed one byte at a time (CRLF split, UTF-8 split)', () => {
    const whole = parse(tricky);
    expect(whole.events).toEqual([
      { type: 'x', data: 'h\u00e9llo \u{1F44B} \u4e16\u754c\n2' },
      { type: '', data: '[DONE]' },
    ]);
    expect(parse(tricky, everyByte(tricky))).toEqual(whole);
  });

  it('skips an event over the size cap, counts it, and keeps parsing', () => {
    const big = `data: ${'x'.repeat(100)}\n\n`;
    const text = `data: small\n\n${big}data: after\n\n`;
    for (const cuts of [[], everyByte(text)]) {
      const seen = parse(text, cuts, 64);
      expect(seen.events.map((e) => e.data)).toEqual(['small', 'after']);
      expect(seen.oversized).toBe(1);
    }
  });

  it('finds the end of an oversized multi-line block whatever the splits, and hands over its tail', () => {
    const text = `event: big\ndata: {"a":"${'x'.repeat(200)}",\ndata: "usage":{"n":1}}\n\ndata: after\n\n`;
    const tails: string[] = [];
    for (const cuts of [[], everyByte(text)]) {
      const seen: string[] = [];
      const parser = new SseParser((event, _end, oversized) => {
        if (oversized && event) tails.push(`${event.type}|${event.data.toString()}`);
        else if (event) seen.push(event.data.toString());
      }, 64);
      let start = 0;
      for (const cut of [...cuts, text.length]) {
        parser.push(Buffer.from(text.slice(start, cut)));
        start = cut;
      }
      expect(seen).toEqual(['after']);
    }
    expect(tails).toHaveLength(2);
    for (const tail of tails) {
      expect(tail.startsWith('big|')).toBe(true);
      expect(tail.endsWith('data: "usage":{"n":1}}\n')).toBe(true);
    }
  });

  it('tolerates empty chunks, also between a CR and its LF', () => {
    const bytes = Buffer.from('data: a\r\n\r\ndata: b\r\n\r\n');
    const seen: string[] = [];
    const parser = new SseParser((event) => event && seen.push(event.data.toString()));
    parser.push(bytes.subarray(0, 8)); // ends with the CR
    parser.push(Buffer.alloc(0));
    parser.push(bytes.subarray(8));
    expect(seen).toEqual(['a', 'b']);
  });
});
