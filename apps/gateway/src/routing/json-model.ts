const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MODEL = Buffer.from('model', 'latin1');

/**
 * The bytes of a JSON object body with its top-level `model` member's value replaced by `model`, every other byte as
 * the client sent it (numbers, key order, spacing, other members). Undefined when `bytes` is not a JSON object or has
 * no top-level `model` member. Every top-level `model` member is replaced (JSON.parse keeps the last of duplicates).
 * Works on the UTF-8 bytes (no byte of a multi-byte character is a JSON delimiter), so the body is neither decoded
 * nor encoded again.
 */
export function replaceJsonModel(bytes: Buffer, model: string): Buffer | undefined {
  const spans: Array<[number, number]> = [];
  let index = skipSpace(bytes, 0);
  if (bytes[index] !== 0x7b /* { */) return undefined;
  index += 1;
  for (;;) {
    index = skipSpace(bytes, index);
    if (bytes[index] === 0x7d /* } */) break;
    if (bytes[index] !== QUOTE) return undefined;
    const keyEnd = stringEnd(bytes, index);
    if (keyEnd < 0) return undefined;
    const isModel = keyIsModel(bytes, index, keyEnd);
    if (isModel === undefined) return undefined;
    index = skipSpace(bytes, keyEnd);
    if (bytes[index] !== 0x3a /* : */) return undefined;
    const valueStart = skipSpace(bytes, index + 1);
    const valueEnd = valueEndAt(bytes, valueStart);
    if (valueEnd < 0) return undefined;
    if (isModel) spans.push([valueStart, valueEnd]);
    index = skipSpace(bytes, valueEnd);
    if (bytes[index] === 0x2c /* , */) index += 1;
    else if (bytes[index] === 0x7d /* } */) break;
    else return undefined;
  }
  if (spans.length === 0) return undefined;
  const replacement = Buffer.from(JSON.stringify(model), 'utf8');
  const parts: Buffer[] = [];
  let from = 0;
  for (const [start, end] of spans) {
    parts.push(bytes.subarray(from, start), replacement);
    from = end;
  }
  parts.push(bytes.subarray(from));
  return Buffer.concat(parts);
}

/** Whether the key string at [start, end) (quotes included) is `model`; undefined when it is not a JSON string. */
function keyIsModel(bytes: Buffer, start: number, end: number): boolean | undefined {
  for (let i = start + 1; i < end - 1; i += 1) {
    if (bytes[i] !== BACKSLASH) continue;
    // An escaped key (`"mod\u0065l"`): decoded as JSON.parse would.
    try {
      return JSON.parse(bytes.toString('utf8', start, end)) === 'model';
    } catch {
      return undefined;
    }
  }
  return end - start === MODEL.length + 2 && bytes.compare(MODEL, 0, MODEL.length, start + 1, end - 1) === 0;
}

function skipSpace(bytes: Buffer, index: number): number {
  while (index < bytes.length) {
    const c = bytes[index];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    index += 1;
  }
  return index;
}

/** The index after the string starting at `index` (a `"`), or -1. */
function stringEnd(bytes: Buffer, index: number): number {
  for (let i = index + 1; i < bytes.length; i += 1) {
    const c = bytes[i];
    if (c === BACKSLASH) i += 1;
    else if (c === QUOTE) return i + 1;
  }
  return -1;
}

/** The index after the JSON value starting at `index`, or -1 (strings, arrays and objects skipped whole). */
function valueEndAt(bytes: Buffer, index: number): number {
  const first = bytes[index];
  if (first === QUOTE) return stringEnd(bytes, index);
  if (first === 0x7b || first === 0x5b) {
    let depth = 0;
    for (let i = index; i < bytes.length; i += 1) {
      const c = bytes[i];
      if (c === QUOTE) {
        i = stringEnd(bytes, i) - 1;
        if (i < 0) return -1;
      } else if (c === 0x7b || c === 0x5b) depth += 1;
      else if (c === 0x7d || c === 0x5d) {
        depth -= 1;
        if (depth === 0) return i + 1;
      }
    }
    return -1;
  }
  let i = index;
  while (i < bytes.length) {
    const c = bytes[i];
    if (c === 0x2c || c === 0x7d || c === 0x5d || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) break;
    i += 1;
  }
  return i === index ? -1 : i;
}
