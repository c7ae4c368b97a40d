import { NO_DEADLINE, type Deadline } from '../engine/deadline';
import { foldCodePoint, isDroppedControl } from './fold-code-point';
import { composeView, TransformBuilder, type LocalTransform, type TextView } from './text-view';
import { codePointAt } from './code-point-at';

/**
 * Text that may change under normalisation: any non-ASCII character, a control character other than tab,
 * LF and CR, a `\uXXXX` / `\u{X}` / `\xXX` escape, or an HTML character reference. Printable ASCII text
 * without these is its own normal form.
 */
const NEEDS_NORMALISATION = /[^\t\n\r\x20-\x7e]|\\(?:u[0-9A-Fa-f{]|x[0-9A-Fa-f]{2})|&(?:#|[A-Za-z]{3,7};)/;
/** Characters between two deadline reports. */
const CHUNK = 4096;

/** Named character references worth decoding: the ones that spell the punctuation detectors read. */
const NAMED_REFERENCES: ReadonlyMap<string, number> = new Map([
  ['commat', 0x40],
  ['period', 0x2e],
  ['plus', 0x2b],
  ['hyphen', 0x2d],
  ['dash', 0x2d],
  ['lowbar', 0x5f],
  ['nbsp', 0x20],
  ['num', 0x23],
]);

const HEX4 = /^[0-9A-Fa-f]{4}$/;

interface Escape {
  readonly cp: number;
  readonly length: number;
}

function isHex(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}

/** A `\uXXXX` (with surrogate pairs), `\u{X…}` or `\xXX` escape at `i`, or undefined. */
function readBackslashEscape(text: string, i: number): Escape | undefined {
  const kind = text.charCodeAt(i + 1);
  if (kind === 0x78 /* x */) {
    if (isHex(text.charCodeAt(i + 2)) && isHex(text.charCodeAt(i + 3))) {
      return { cp: Number.parseInt(text.slice(i + 2, i + 4), 16), length: 4 };
    }
    return undefined;
  }
  if (kind !== 0x75 /* u */) return undefined;
  if (text.charCodeAt(i + 2) === 0x7b /* { */) {
    const close = text.indexOf('}', i + 3);
    if (close < 0 || close - (i + 3) < 1 || close - (i + 3) > 6) return undefined;
    const digits = text.slice(i + 3, close);
    if (!/^[0-9A-Fa-f]+$/.test(digits)) return undefined;
    const cp = Number.parseInt(digits, 16);
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return undefined;
    return { cp, length: close + 1 - i };
  }
  const hex = text.slice(i + 2, i + 6);
  if (!HEX4.test(hex)) return undefined;
  const unit = Number.parseInt(hex, 16);
  if (unit >= 0xd800 && unit <= 0xdbff) {
    const low = text.slice(i + 8, i + 12);
    if (text.charCodeAt(i + 6) === 0x5c && text.charCodeAt(i + 7) === 0x75 && HEX4.test(low)) {
      const lowUnit = Number.parseInt(low, 16);
      if (lowUnit >= 0xdc00 && lowUnit <= 0xdfff) {
        return { cp: 0x10000 + ((unit - 0xd800) << 10) + (lowUnit - 0xdc00), length: 12 };
      }
    }
    return undefined;
  }
  if (unit >= 0xdc00 && unit <= 0xdfff) return undefined;
  return { cp: unit, length: 6 };
}

/** An HTML character reference (`&#64;`, `&#x40;`, `&commat;`) at `i`, or undefined. */
function readCharacterReference(text: string, i: number): Escape | undefined {
  if (text.charCodeAt(i + 1) === 0x23 /* # */) {
    const match = /^&#(?:[xX]([0-9A-Fa-f]{1,6})|([0-9]{1,7}));?/.exec(text.slice(i, i + 12));
    if (match === null) return undefined;
    const [whole, hex, decimal] = match;
    const cp = hex !== undefined ? Number.parseInt(hex, 16) : decimal !== undefined ? Number.parseInt(decimal, 10) : Number.NaN;
    if (!(cp > 0 && cp <= 0x10ffff) || (cp >= 0xd800 && cp <= 0xdfff)) return undefined;
    return { cp, length: whole.length };
  }
  const match = /^&([A-Za-z]{3,7});/.exec(text.slice(i, i + 10));
  if (match === null) return undefined;
  const [whole, name = ''] = match;
  const cp = NAMED_REFERENCES.get(name.toLowerCase());
  return cp === undefined ? undefined : { cp, length: whole.length };
}

/**
 * One normalisation step over `text`: escapes decoded, control characters dropped, every non-ASCII code
 * point folded (foldCodePoint). Undefined when the text is already normal (nothing would change).
 */
export function normalizeStep(text: string, deadline: Deadline = NO_DEADLINE): LocalTransform | undefined {
  if (!NEEDS_NORMALISATION.test(text)) return undefined;
  const out = new TransformBuilder(deadline);
  let changed = false;
  let verbatimFrom = 0;
  const flushVerbatim = (to: number): void => {
    out.pushVerbatim(text, verbatimFrom, to);
  };
  let i = 0;
  let nextReport = CHUNK;
  while (i < text.length) {
    if (i >= nextReport) {
      deadline.spend(CHUNK);
      nextReport = i + CHUNK;
    }
    const code = text.charCodeAt(i);
    if (code < 0x80) {
      if (isDroppedControl(code)) {
        flushVerbatim(i);
        changed = true;
        i++;
        verbatimFrom = i;
        continue;
      }
      const escape = code === 0x5c ? readBackslashEscape(text, i) : code === 0x26 ? readCharacterReference(text, i) : undefined;
      if (escape === undefined) {
        i++;
        continue;
      }
      flushVerbatim(i);
      out.push(foldCodePoint(escape.cp), i, i + escape.length);
      changed = true;
      i += escape.length;
      verbatimFrom = i;
      continue;
    }
    const cp = codePointAt(text, i);
    const width = cp > 0xffff ? 2 : 1;
    const folded = foldCodePoint(cp);
    if (folded.length === width && (width === 1 ? folded.charCodeAt(0) === code : folded === text.slice(i, i + 2))) {
      i += width;
      continue;
    }
    flushVerbatim(i);
    out.push(folded, i, i + width);
    changed = true;
    i += width;
    verbatimFrom = i;
  }
  if (!changed) return undefined;
  flushVerbatim(text.length);
  return out.build();
}

/** `view` normalised (a new view composed back to the original), or `view` itself when already normal. */
export function normalizeView(view: TextView, deadline: Deadline = NO_DEADLINE): TextView {
  const step = normalizeStep(view.text, deadline);
  return step === undefined ? view : composeView(view, step, deadline);
}
