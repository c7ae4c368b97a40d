// Cheap byte-level looks into JSON text, so the hot path can decide whether an event is worth a
// JSON.parse without decoding it. They rely on one property of valid JSON: a `"` not preceded by a
// backslash is always a string delimiter, so `"usage"` followed by `:` is a key wherever it occurs
// (a `"usage"` typed inside a string value is escaped as `\"usage\"` and never matches).

const QUOTE = 0x22;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const BACKSLASH = 0x5c;

/** True for the four JSON whitespace bytes. */
function isJsonSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** Index of the first byte at or after `from` that is not JSON whitespace (may be `buf.length`). */
export function skipSpace(buf: Buffer, from: number): number {
  let i = from;
  while (i < buf.length && isJsonSpace(buf[i])) i++;
  return i;
}

/** Index of the last byte at or before `from` that is not JSON whitespace (may be -1). */
function skipSpaceBack(buf: Buffer, from: number): number {
  let i = from;
  while (i >= 0 && isJsonSpace(buf[i])) i--;
  return i;
}

/** A quoted key (`"usage"`) as bytes, made once at module load. */
export function keyBytes(name: string): Buffer {
  return Buffer.from(JSON.stringify(name), 'utf8');
}

/**
 * The offset of the value of the first occurrence of `key` (from `keyBytes`) at or after `from`,
 * i.e. the first non-space byte after its colon, or -1 when the key does not occur.
 */
export function findKeyValue(buf: Buffer, key: Buffer, from = 0): number {
  let at = buf.indexOf(key, from);
  while (at !== -1) {
    const colon = skipSpace(buf, at + key.length);
    if (buf[colon] === COLON && buf[at - 1] !== BACKSLASH) return skipSpace(buf, colon + 1);
    at = buf.indexOf(key, at + 1);
  }
  return -1;
}

/**
 * The value offset of the LAST occurrence of `key` used as a key, or -1. Scans backwards in plain
 * JS: providers put `usage` at the end of an event, so the common case costs a few bytes, and a
 * byte loop beats Buffer#lastIndexOf's fixed cost on event-sized buffers.
 */
export function lastKeyValue(buf: Buffer, key: Buffer): number {
  const at = lastKeyAt(buf, key);
  return at === -1 ? -1 : skipSpace(buf, skipSpace(buf, at + key.length) + 1);
}

/** The offset of the last occurrence of `key` followed by a colon, or -1. */
function lastKeyAt(buf: Buffer, key: Buffer): number {
  const first = key[0];
  const last = key.length - 1;
  for (let at = buf.length - key.length; at >= 0; at--) {
    if (buf[at] !== first || buf[at + last] !== key[last]) continue;
    let k = 1;
    while (k < last && buf[at + k] === key[k]) k++;
    if (k < last) continue;
    if (buf[skipSpace(buf, at + key.length)] === COLON) return at;
  }
  return -1;
}

/**
 * True when the last `key` member has an object value (`"usage":{`). The top-level `usage` of an
 * OpenAI event is its only `usage` key (content and tool arguments are strings, so escaped).
 */
export function lastValueIsObject(buf: Buffer, key: Buffer): boolean {
  const value = lastKeyValue(buf, key);
  return value !== -1 && buf[value] === OPEN_BRACE;
}

/** True when the JSON text is an object whose first member is `key` (`{"error": …`). */
export function startsWithKey(buf: Buffer, key: Buffer): boolean {
  const open = skipSpace(buf, 0);
  if (buf[open] !== OPEN_BRACE) return false;
  return bytesAt(buf, skipSpace(buf, open + 1), key);
}

/** True when `buf` holds `bytes` at `at` (a JS loop: cheaper than a native call for a few bytes). */
function bytesAt(buf: Buffer, at: number, bytes: Buffer): boolean {
  if (at < 0 || buf.length - at < bytes.length) return false;
  for (let k = 0; k < bytes.length; k++) if (buf[at + k] !== bytes[k]) return false;
  return true;
}

/** True when the text looks like one JSON object (`{` … `}` after trimming whitespace). */
export function isObjectShaped(buf: Buffer): boolean {
  const first = skipSpace(buf, 0);
  const last = skipSpaceBack(buf, buf.length - 1);
  return first < last && buf[first] === OPEN_BRACE && buf[last] === CLOSE_BRACE;
}

const DONE = Buffer.from('[DONE]', 'latin1');

/** True when the data is the OpenAI stream terminator `[DONE]` (surrounding whitespace ignored). */
export function isDoneMarker(buf: Buffer): boolean {
  const first = skipSpace(buf, 0);
  const last = skipSpaceBack(buf, buf.length - 1);
  return last - first + 1 === DONE.length && bytesAt(buf, first, DONE);
}

/** The result of `parseJsonBytes` when the bytes are not JSON. */
export const NOT_JSON: unique symbol = Symbol('not-json');

/** JSON.parse of UTF-8 bytes; returns NOT_JSON instead of throwing. */
export function parseJsonBytes(buf: Buffer): unknown {
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    return NOT_JSON;
  }
}

const NULL_LITERAL = Buffer.from('null', 'latin1');

/**
 * Removes the last member `"<key>": null` from JSON text (with its separating comma), or returns the
 * input unchanged when the last `key` member is not null or not in a member position. Used to undo
 * the `"usage":null` that `include_usage` adds to every OpenAI chat chunk.
 */
export function removeNullMember(buf: Buffer, key: Buffer): Buffer {
  const found = lastKeyAt(buf, key);
  if (found === -1) return buf;
  const value = skipSpace(buf, skipSpace(buf, found + key.length) + 1);
  if (!bytesAt(buf, value, NULL_LITERAL)) return buf;
  const valueEnd = value + NULL_LITERAL.length;
  const before = skipSpaceBack(buf, found - 1);
  if (buf[before] === COMMA) {
    // `…,"usage":null` → drop from the comma through `null`.
    return Buffer.concat([buf.subarray(0, before), buf.subarray(valueEnd)]);
  }
  if (buf[before] === OPEN_BRACE) {
    // `{"usage":null,…` → drop the member and the comma after it (if any).
    const after = skipSpace(buf, valueEnd);
    const cut = buf[after] === COMMA ? skipSpace(buf, after + 1) : valueEnd;
    return Buffer.concat([buf.subarray(0, found), buf.subarray(cut)]);
  }
  return buf;
}

/**
 * The end (exclusive) of the JSON object or array starting at `start`, or -1 when it does not close
 * within `buf`. String-aware, so braces inside strings do not count.
 */
export function matchingCloseIndex(buf: Buffer, start: number): number {
  const open = buf[start];
  if (open !== OPEN_BRACE && open !== 0x5b) return -1;
  let depth = 0;
  let inString = false;
  for (let i = start; i < buf.length; i++) {
    const byte = buf[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACE || byte === 0x5b) {
      depth++;
    } else if (byte === CLOSE_BRACE || byte === 0x5d) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/** The end (exclusive) of the JSON string literal starting at `start` (a `"`), or -1. */
export function stringLiteralEnd(buf: Buffer, start: number): number {
  if (buf[start] !== QUOTE) return -1;
  for (let i = start + 1; i < buf.length; i++) {
    const byte = buf[i];
    if (byte === BACKSLASH) i++;
    else if (byte === QUOTE) return i + 1;
  }
  return -1;
}

/** The parsed object value of the last occurrence of `key` whose value is a complete object. */
export function lastObjectValue(buf: Buffer, key: Buffer): unknown {
  let at = buf.lastIndexOf(key);
  while (at !== -1) {
    const value = findKeyValue(buf, key, at);
    if (value !== -1 && buf[value] === 0x7b) {
      const end = matchingCloseIndex(buf, value);
      if (end !== -1) {
        const parsed = parseJsonBytes(buf.subarray(value, end));
        if (parsed !== NOT_JSON) return parsed;
      }
    }
    at = at === 0 ? -1 : buf.lastIndexOf(key, at - 1);
  }
  return undefined;
}
