import {
  isDoneMarker,
  isObjectShaped,
  keyBytes,
  lastObjectValue,
  lastValueIsObject,
  matchingCloseIndex,
  removeNullMember,
  startsWithKey,
} from './json-bytes';

const USAGE = keyBytes('usage');
const b = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('byte-level JSON looks', () => {
  it.each([
    ['{"a":1,"usage":{"x":1}}', true],
    ['{"a":1, "usage" : {"x":1}}', true],
    ['{"usage"\n:\n{"x":1},"b":2}', true],
    ['{"a":1,"usage":null}', false],
    ['{"a":"usage","b":1}', false],
    ['{"content":"say \\"usage\\":{ now"}', false],
    ['{"a":1}', false],
  ])('lastValueIsObject(%s) = %s', (text, expected) => {
    expect(lastValueIsObject(b(text), USAGE)).toBe(expected);
  });

  it.each([
    ['{"error":{"message":"x"}}', true],
    [' { "error" : {}}', true],
    ['{"id":1,"error":{}}', false],
    ['[{"error":1}]', false],
  ])('startsWithKey(%s, error) = %s', (text, expected) => {
    expect(startsWithKey(b(text), keyBytes('error'))).toBe(expected);
  });

  it('lastObjectValue finds the last complete object value of a key', () => {
    expect(lastObjectValue(b('{"usage":{"a":1},"x":[{"usage":{"b":"}"}}],"usage":"s"}'), USAGE)).toEqual({ b: '}' });
    expect(lastObjectValue(b('..."usage":{"a":1'), USAGE)).toBeUndefined();
  });

  it.each([
    ['{"a":1,"usage":null}', '{"a":1}'],
    ['{"a":1 , "usage" : null }', '{"a":1  }'],
    ['{"usage":null,"a":1}', '{"a":1}'],
    ['{"usage":null}', '{}'],
    ['data: {"id":"x","choices":[],"usage":null}\n\n', 'data: {"id":"x","choices":[]}\n\n'],
  ])('removeNullMember(%s) = %s', (text, expected) => {
    expect(removeNullMember(b(text), USAGE).toString()).toBe(expected);
  });

  it.each(['{"a":1}', '{"usage":{"a":1}}', '{"usage":null,"usage":{"a":1}}', '{"content":"\\"usage\\":null"}', '["usage",null]'])(
    'removeNullMember leaves %s alone',
    (text) => {
      const input = b(text);
      expect(removeNullMember(input, USAGE)).toBe(input);
    },
  );

  it.each([
    ['[DONE]', true],
    [' [DONE] ', true],
    ['[DONE]x', false],
    ['{}', false],
  ])('isDoneMarker(%s) = %s', (text, expected) => {
    expect(isDoneMarker(b(text))).toBe(expected);
  });

  it.each([
    ['{"a":1}', true],
    [' {"a":1} ', true],
    ['{"a":', false],
    ['not json', false],
    ['', false],
  ])('isObjectShaped(%s) = %s', (text, expected) => {
    expect(isObjectShaped(b(text))).toBe(expected);
  });

  it('finds the matching brace, ignoring braces inside strings', () => {
    const text = b('xx{"a":"}{\\"","b":[{}]}yy');
    expect(matchingCloseIndex(text, 2)).toBe(text.length - 2);
  });
});
