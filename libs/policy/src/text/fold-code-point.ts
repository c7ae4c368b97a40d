import { HOMOGLYPHS } from './homoglyphs';
import { codePointAt } from './code-point-at';

// Per-code-point folding for non-ASCII characters. The result depends only on the code point, so it is
// cached (the cache is bounded: it can only ever hold one entry per code point that was met).

/** Folds longer than this keep the original character: no detector needs them and they inflate the text. */
const MAX_FOLD_LENGTH = 8;
const CACHE_LIMIT = 65_536;
const cache = new Map<number, string>();

const FORMAT_CHAR = /^\p{Cf}$/u;
const COMBINING_MARKS = /\p{M}/gu;
const DASH = /^\p{Pd}$/u;
const SPACE = /^\p{Zs}$/u;
const DECIMAL_DIGIT = /^\p{Nd}$/u;

/**
 * Invisible or placeholder characters that are not \p{Cf}: the Hangul fillers (default-ignorable code points),
 * the braille pattern blank (renders as a space but is a symbol) and the object replacement character.
 */
const EXTRA_IGNORABLES = new Set([0x115f, 0x1160, 0x3164, 0xffa0, 0x2800, 0xfffc]);

/**
 * True for characters the detector view drops although they are not format characters: control characters
 * (\p{Cc}: U+0000-U+001F, U+007F-U+009F) other than tab, LF and CR, and lone surrogates (a high surrogate
 * not followed by a low one, or a low one alone; paired surrogates are read as one code point).
 */
export function isDroppedControl(cp: number): boolean {
  if (cp < 0x20) return cp !== 0x09 && cp !== 0x0a && cp !== 0x0d;
  return (cp >= 0x7f && cp <= 0x9f) || (cp >= 0xd800 && cp <= 0xdfff);
}

/** Characters NFKD leaves alone that imitate ASCII punctuation used by detectors. */
const PUNCTUATION: ReadonlyMap<number, string> = new Map([
  [0x2212, '-'], // minus sign
  [0x2796, '-'], // heavy minus sign
  [0x02d7, '-'], // modifier letter minus sign
  [0x2043, '-'], // hyphen bullet
  [0x3002, '.'], // ideographic full stop (an IDNA label separator)
  [0x2028, '\n'], // line separator
  [0x2029, '\n'], // paragraph separator
]);

/** The ASCII digit of a decimal digit from any script (Unicode encodes each script's 0-9 contiguously). */
function asciiDigit(cp: number): string {
  let offset = 0;
  while (offset < 10 && DECIMAL_DIGIT.test(String.fromCodePoint(cp - offset - 1))) offset++;
  return String(offset % 10);
}

/** Maps one character of an NFKD decomposition (marks already removed). */
function mapDecomposed(char: string): string {
  const cp = codePointAt(char, 0);
  if (cp < 0x80) return char;
  const punctuation = PUNCTUATION.get(cp);
  if (punctuation !== undefined) return punctuation;
  const latin = HOMOGLYPHS.get(cp);
  if (latin !== undefined) return latin;
  if (FORMAT_CHAR.test(char) || EXTRA_IGNORABLES.has(cp)) return '';
  if (DASH.test(char)) return '-';
  if (SPACE.test(char)) return ' ';
  if (DECIMAL_DIGIT.test(char)) return asciiDigit(cp);
  return char;
}

function computeFold(cp: number): string {
  if (isDroppedControl(cp)) return '';
  const char = String.fromCodePoint(cp);
  if (FORMAT_CHAR.test(char) || EXTRA_IGNORABLES.has(cp)) return '';
  const direct = PUNCTUATION.get(cp);
  if (direct !== undefined) return direct;
  // NFKD then drop combining marks: fullwidth, mathematical and circled forms become ASCII, and accents,
  // strike-through, keycap and variation-selector decorations fall away (é and e + U+0301 agree).
  const decomposed = char.normalize('NFKD').replace(COMBINING_MARKS, '');
  let out = '';
  for (const part of decomposed) out += mapDecomposed(part);
  // Recompose what NFKD split apart (Hangul syllables); nothing a detector reads changes here.
  out = out.normalize('NFKC');
  return out.length > MAX_FOLD_LENGTH ? char : out;
}

/**
 * The folded form of one code point: '' for invisible format characters (zero-width, bidi controls, soft
 * hyphen, BOM, tags, variation selectors, combining marks, Hangul fillers, U+2800, U+FFFC), control
 * characters other than tab/LF/CR and lone surrogates; ASCII for fullwidth and other compatibility forms,
 * Latin letters for Cyrillic/Greek lookalikes, '-' for dashes, ' ' for spaces and ASCII digits for other
 * scripts' decimal digits. Other ASCII code points map to themselves.
 */
export function foldCodePoint(cp: number): string {
  if (cp < 0x80) return isDroppedControl(cp) ? '' : String.fromCharCode(cp);
  let folded = cache.get(cp);
  if (folded === undefined) {
    folded = computeFold(cp);
    if (cache.size < CACHE_LIMIT) cache.set(cp, folded);
  }
  return folded;
}
