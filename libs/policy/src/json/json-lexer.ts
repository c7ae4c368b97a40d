import { NO_DEADLINE, type Deadline } from '../engine/deadline';

// The strict (RFC 8259) pieces of JSON the walk needs: whitespace, strings with their decoded values,
// numbers and literals. Positions are UTF-16 indexes into the document text.

/** A string token: [start, end) covers the quotes; `value` is the decoded string. */
export interface JsonStringToken {
  readonly start: number;
  readonly end: number;
  readonly value: string;
}

/** Invalid JSON at `position` (the caller turns it into PolicyEvaluationError('unparseable')). */
export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
  constructor(
    readonly position: number,
    what: string,
  ) {
    super(`invalid JSON at ${position}: ${what}`);
  }
}

// eslint-disable-next-line no-control-regex -- JSON strings may not hold raw control characters
const PLAIN_RUN = /[^"\\\u0000-\u001f]*/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/** Index of the first non-whitespace character at or after `i` (JSON whitespace: space, tab, LF, CR). */
export function skipWhitespace(text: string, i: number): number {
  for (;;) {
    const code = text.charCodeAt(i);
    if (code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09) return i;
    i++;
  }
}

/** Reads the string token whose opening quote is at `start` (reporting its length to `deadline`). */
export function readString(text: string, start: number, deadline: Deadline = NO_DEADLINE): JsonStringToken {
  let i = start + 1;
  let value = '';
  let segmentStart = i;
  for (;;) {
    PLAIN_RUN.lastIndex = i;
    PLAIN_RUN.test(text);
    deadline.spend(PLAIN_RUN.lastIndex - i + 6);
    i = PLAIN_RUN.lastIndex;
    const code = text.charCodeAt(i);
    if (code === 0x22) {
      const tail = text.slice(segmentStart, i);
      return { start, end: i + 1, value: value.length === 0 ? tail : value + tail };
    }
    if (code !== 0x5c) {
      throw new JsonSyntaxError(i, Number.isNaN(code) ? 'unterminated string' : 'control character in string');
    }
    value += text.slice(segmentStart, i);
    const kind = text[i + 1];
    if (kind === 'u') {
      const hex = text.slice(i + 2, i + 6);
      if (!/^[0-9A-Fa-f]{4}$/.test(hex)) throw new JsonSyntaxError(i, 'bad \\u escape');
      value += String.fromCharCode(Number.parseInt(hex, 16));
      i += 6;
    } else {
      const simple = kind === undefined ? undefined : SIMPLE_ESCAPES[kind];
      if (simple === undefined) throw new JsonSyntaxError(i, 'bad escape');
      value += simple;
      i += 2;
    }
    segmentStart = i;
  }
}

/** Index after the number starting at `i`. */
export function readNumber(text: string, i: number): number {
  NUMBER.lastIndex = i;
  if (!NUMBER.test(text)) throw new JsonSyntaxError(i, 'bad number');
  return NUMBER.lastIndex;
}

/** Index after the literal (`true`, `false`, `null`) starting at `i`. */
export function readLiteral(text: string, i: number): number {
  for (const literal of ['true', 'false', 'null']) {
    if (text.startsWith(literal, i)) return i + literal.length;
  }
  throw new JsonSyntaxError(i, 'unexpected character');
}
