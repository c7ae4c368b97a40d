import { formatSseEvent } from './sse-format';
import { parseSse, SseParser } from './sse-reader';

describe('formatSseEvent', () => {
  it('frames event, id and data lines and ends with a blank line', () => {
    expect(formatSseEvent({ data: { a: 1 } })).toBe('data: {"a":1}\n\n');
    expect(formatSseEvent({ event: 'ping', id: '7', data: '{}' })).toBe('event: ping\nid: 7\ndata: {}\n\n');
    expect(formatSseEvent({ data: 'x\ny' })).toBe('data: x\ndata: y\n\n');
    expect(formatSseEvent({ raw: 'data: half' })).toBe('data: half');
  });
});

describe('SseParser', () => {
  it('joins events split across chunks at any byte, with LF or CRLF line ends, skipping comments', () => {
    const text = ': comment\r\nevent: a\r\ndata: 1\r\ndata: 2\r\n\r\ndata:no-space\n\n';
    for (let cut = 0; cut <= text.length; cut += 1) {
      const parser = new SseParser();
      const events = [...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut))];
      expect(events).toEqual([{ event: 'a', data: '1\n2' }, { data: 'no-space' }]);
    }
  });

  it('parses a whole body', () => {
    expect(parseSse('data: [DONE]\n\n')).toEqual([{ data: '[DONE]' }]);
  });
});
