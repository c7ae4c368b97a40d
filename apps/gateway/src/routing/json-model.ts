/**
 * The bytes of a JSON object body with its top-level `model` member's value replaced by `model`, every other byte as
 * the client sent it (numbers, key order, spacing, other members). Undefined when `bytes` is not a JSON object or has
 * no top-level `model` member. Every top-level `model` member is replaced (JSON.parse keeps the last of duplicates).
 */
export function replaceJsonModel(bytes: Buffer, model: string): Buffer | undefined {
  const text = bytes.toString('utf8');
  const spans: Array<[number, number]> = [];
  let index = skipSpace(text, 0);
  if (text[index] !== '{') return undefined;
  index += 1;
  for (;;) {
    index = skipSpace(text, index);
    if (text[index] === '}') break;
    if (text[index] !== '"') return undefined;
    const keyEnd = stringEnd(text, index);
    if (keyEnd < 0) return undefined;
    let key: unknown;
    try {
      key = JSON.parse(text.slice(index, keyEnd));
    } catch {
      return undefined;
    }
    index = skipSpace(text, keyEnd);
    if (text[index] !== ':') return undefined;
    const valueStart = skipSpace(text, index + 1);
    const valueEnd = valueEndAt(text, valueStart);
    if (valueEnd < 0) return undefined;
    if (key === 'model') spans.push([valueStart, valueEnd]);
    index = skipSpace(text, valueEnd);
    if (text[index] === ',') index += 1;
    else if (text[index] === '}') break;
    else return undefined;
  }
  if (spans.length === 0) return undefined;
  const replacement = JSON.stringify(model);
  let out = '';
  let from = 0;
  for (const [start, end] of spans) {
    out += text.slice(from, start) + replacement;
    from = end;
  }
  return Buffer.from(out + text.slice(from), 'utf8');
}

function skipSpace(text: string, index: number): number {
  while (index < text.length) {
    const c = text.charCodeAt(index);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    index += 1;
  }
  return index;
}

/** The index after the string starting at `index` (a `"`), or -1. */
function stringEnd(text: string, index: number): number {
  for (let i = index + 1; i < text.length; i += 1) {
    const c = text[i];
    if (c === '\\') i += 1;
    else if (c === '"') return i + 1;
  }
  return -1;
}

/** The index after the JSON value starting at `index`, or -1 (strings, arrays and objects skipped whole). */
function valueEndAt(text: string, index: number): number {
  const first = text[index];
  if (first === '"') return stringEnd(text, index);
  if (first === '{' || first === '[') {
    let depth = 0;
    for (let i = index; i < text.length; i += 1) {
      const c = text[i];
      if (c === '"') {
        i = stringEnd(text, i) - 1;
        if (i < 0) return -1;
      } else if (c === '{' || c === '[') depth += 1;
      else if (c === '}' || c === ']') {
        depth -= 1;
        if (depth === 0) return i + 1;
      }
    }
    return -1;
  }
  let i = index;
  while (i < text.length && !',}] \n\r\t'.includes(text[i] as string)) i += 1;
  return i === index ? -1 : i;
}
