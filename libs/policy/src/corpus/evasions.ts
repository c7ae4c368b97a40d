// Encoders that turn a plain value into the evasion forms of the bypass corpus.
import { codePointAt } from '../text/code-point-at';

const ZERO_WIDTH = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad'];

/** Inserts a zero-width or soft-hyphen character after every `every` characters (cycling through kinds). */
export function zeroWidth(value: string, every = 2): string {
  let out = '';
  let k = 0;
  [...value].forEach((char, i) => {
    out += char;
    if ((i + 1) % every === 0 && i < value.length - 1) out += ZERO_WIDTH[k++ % ZERO_WIDTH.length];
  });
  return out;
}

const LOOKALIKES: Readonly<Record<string, string>> = {
  a: 'а',
  c: 'с',
  e: 'е',
  i: 'і',
  j: 'ј',
  o: 'о',
  p: 'р',
  s: 'ѕ',
  x: 'х',
  y: 'у',
  A: 'А',
  B: 'В',
  C: 'С',
  E: 'Е',
  H: 'Н',
  I: 'І',
  K: 'К',
  M: 'М',
  O: 'О',
  P: 'Р',
  T: 'Т',
  X: 'Х',
  Z: 'Ζ',
  N: 'Ν',
};

/** Replaces every Latin letter that has a Cyrillic or Greek lookalike with it. */
export function homoglyphs(value: string): string {
  return [...value].map((char) => LOOKALIKES[char] ?? char).join('');
}

/** Replaces ASCII digits with another script's digits (default Arabic-Indic). */
export function foreignDigits(value: string, zero = 0x0660): string {
  return value.replace(/[0-9]/g, (d) => String.fromCodePoint(zero + Number(d)));
}

/** Replaces ASCII separators with lookalikes: '-' → en dash, ' ' → no-break space. */
export function lookalikeSeparators(value: string): string {
  return value.replace(/-/g, '\u2013').replace(/ /g, '\u00a0');
}

/** Fullwidth forms of printable ASCII (and the ideographic space for ' '). */
export function fullwidth(value: string): string {
  return [...value]
    .map((char) => {
      const code = char.charCodeAt(0);
      if (code === 0x20) return '\u3000';
      return code > 0x20 && code < 0x7f ? String.fromCharCode(code + 0xfee0) : char;
    })
    .join('');
}

/** Percent-encodes every byte of the UTF-8 form. */
export function percentAll(value: string): string {
  return [...Buffer.from(value, 'utf8')].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

/** Standard base64 of the UTF-8 form. */
export function base64(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64');
}

/** URL-safe base64 (no padding) of the UTF-8 form. */
export function base64url(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64url');
}

/** `\uXXXX` escapes for every character (as in a JSON or JS string literal). */
export function unicodeEscapes(value: string): string {
  return [...value].map((char) => `\\u${codePointAt(char, 0).toString(16).padStart(4, '0')}`).join('');
}

/** Splits a value into `count` nearly equal pieces. */
export function splitInto(value: string, count: number): string[] {
  const size = Math.ceil(value.length / count);
  const pieces: string[] = [];
  for (let i = 0; i < value.length; i += size) pieces.push(value.slice(i, i + size));
  return pieces;
}

/** Hidden characters the detector view drops: C0/C1 controls, DEL, NEL, a lone surrogate, U+2800, U+FFFC, Hangul fillers. */
const HIDDEN = ['\u0000', '\u0007', '\u0008', '\u001b', '\u007f', '\u0085', '\u009f', '\ud800', '\u2800', '\ufffc', '\u3164', '\uffa0'];

/** Inserts a hidden control or placeholder character after every `every` characters (cycling through kinds from `first`). */
export function controlChars(value: string, every = 3, first = 0): string {
  let out = '';
  let k = first;
  [...value].forEach((char, i) => {
    out += char;
    if ((i + 1) % every === 0 && i < value.length - 1) out += HIDDEN[k++ % HIDDEN.length];
  });
  return out;
}
