import { NO_DEADLINE, type Deadline } from '../engine/deadline';
import { composeView, TransformBuilder, type LocalTransform, type TextView } from './text-view';

const PERCENT_ESCAPE = /%[0-9A-Fa-f]{2}/;

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

/** The byte of a `%XX` escape at `i`, or -1. */
function byteAt(text: string, i: number): number {
  if (text.charCodeAt(i) !== 0x25) return -1;
  const high = hexValue(text.charCodeAt(i + 1));
  const low = hexValue(text.charCodeAt(i + 2));
  return high < 0 || low < 0 ? -1 : (high << 4) | low;
}

/** Length of the UTF-8 sequence a lead byte starts and the valid range of its second byte; undefined if invalid. */
function sequenceShape(lead: number): readonly [number, number, number] | undefined {
  if (lead >= 0xc2 && lead <= 0xdf) return [2, 0x80, 0xbf];
  if (lead === 0xe0) return [3, 0xa0, 0xbf];
  if (lead === 0xed) return [3, 0x80, 0x9f];
  if (lead >= 0xe1 && lead <= 0xef) return [3, 0x80, 0xbf];
  if (lead === 0xf0) return [4, 0x90, 0xbf];
  if (lead >= 0xf1 && lead <= 0xf3) return [4, 0x80, 0xbf];
  if (lead === 0xf4) return [4, 0x80, 0x8f];
  return undefined;
}

/** Decodes the UTF-8 sequence of `%XX` escapes starting at `i`: [code point, escapes consumed] or undefined. */
function readEncodedChar(text: string, i: number): readonly [number, number] | undefined {
  const lead = byteAt(text, i);
  if (lead < 0) return undefined;
  if (lead < 0x80) return [lead, 1];
  const shape = sequenceShape(lead);
  if (shape === undefined) return undefined;
  const [length, secondMin, secondMax] = shape;
  let cp = lead & (length === 2 ? 0x1f : length === 3 ? 0x0f : 0x07);
  for (let k = 1; k < length; k++) {
    const next = byteAt(text, i + 3 * k);
    const [min, max] = k === 1 ? [secondMin, secondMax] : [0x80, 0xbf];
    if (next < min || next > max) return undefined;
    cp = (cp << 6) | (next & 0x3f);
  }
  return [cp, length];
}

/**
 * One percent-decoding step: every `%XX` run that is valid UTF-8 becomes its characters (marked as
 * url-decoded); invalid escapes stay as they are. `+` is not decoded (it is significant in phone numbers).
 * Undefined when the text holds no decodable escape.
 */
export function percentDecodeStep(text: string, deadline: Deadline = NO_DEADLINE): LocalTransform | undefined {
  if (!PERCENT_ESCAPE.test(text)) return undefined;
  const out = new TransformBuilder(deadline);
  let changed = false;
  let verbatimFrom = 0;
  let i = text.indexOf('%');
  while (i >= 0 && i < text.length) {
    deadline.spend(3);
    const decoded = readEncodedChar(text, i);
    if (decoded === undefined) {
      i = text.indexOf('%', i + 1);
      continue;
    }
    const [cp, escapes] = decoded;
    out.pushVerbatim(text, verbatimFrom, i);
    out.push(String.fromCodePoint(cp), i, i + 3 * escapes, true);
    changed = true;
    i += 3 * escapes;
    verbatimFrom = i;
    i = text.indexOf('%', i);
  }
  if (!changed) return undefined;
  out.pushVerbatim(text, verbatimFrom, text.length);
  return out.build();
}

/** `view` percent-decoded once (composed back to the original), or undefined when nothing was decodable. */
export function percentDecodeView(view: TextView, deadline: Deadline = NO_DEADLINE): TextView | undefined {
  const step = percentDecodeStep(view.text, deadline);
  return step === undefined ? undefined : composeView(view, step, deadline);
}
