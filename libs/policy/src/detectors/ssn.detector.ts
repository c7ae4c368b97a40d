import { candidateRank, isTokenStart, PLAIN_CONTEXT, type Candidate, type DetectorContext } from './candidate';

// US Social Security numbers: AAA-GG-SSSS. Dashed numbers are always candidates; space-separated or
// unseparated nine-digit numbers only when a context word (SSN, SS#, social security) is within
// CONTEXT_WINDOW characters before or after, because bare nine-digit numbers are mostly something else. A
// label (the JSON member key the text is the value of) counts as written right before the text.

const RANK = candidateRank('ssn', 'ssn');
/** How far (characters) a context word may be from a space-separated or unseparated number. */
export const SSN_CONTEXT_WINDOW = 48;

const SSN = /(\d{3})([- ]?)(\d{2})\2(\d{4})(?![\p{L}\p{N}_]|[.\-/]\d)/gu;
/** Characters that, right before a number, make it part of something else (an id, a decimal, a path). */
const BLOCKS_START = /[\p{L}\p{N}_.\-/]/u;
const CONTEXT = /\bss(?:n|#|\s?no\b|\s?number\b)|social[\s-]*security/i;

/** False for numbers never issued: area 000, 666 or 900-999; group 00; serial 0000. */
export function isValidSsn(area: string, group: string, serial: string): boolean {
  return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
}

/** True when `words` hold an SSN context word (`SSN`, `SS#`, `SS no`, `social security`). */
export function hasSsnContextWord(words: string): boolean {
  return CONTEXT.test(words);
}

function hasContext(text: string, start: number, end: number, label: string): boolean {
  const lead = label !== '' && start < SSN_CONTEXT_WINDOW ? `${label}: ` : '';
  const before = (lead + text.slice(Math.max(0, start - SSN_CONTEXT_WINDOW), start)).slice(-SSN_CONTEXT_WINDOW);
  const after = text.slice(end, end + SSN_CONTEXT_WINDOW / 2);
  return CONTEXT.test(before) || CONTEXT.test(after);
}

/** True when the character before `index` makes a number there part of something else. */
function blockedStart(text: string, index: number, context: DetectorContext): boolean {
  if (index === 0 || isTokenStart(context, index)) return false;
  const low = text.charCodeAt(index - 1);
  const high = index >= 2 ? text.charCodeAt(index - 2) : 0;
  const previous =
    low >= 0xdc00 && low <= 0xdfff && high >= 0xd800 && high <= 0xdbff ? text.slice(index - 2, index) : text.charAt(index - 1);
  return BLOCKS_START.test(previous);
}

/** Characters one regular-expression pass reads before the deadline hears of it. */
const WINDOW = 65_536;
/** Read past a window so a match starting in it is seen whole with its look-ahead (11 + 2 characters). */
const OVERLAP = 32;

/** Appends SSN candidates found in `text` (a normalised view). */
export function scanSsns(text: string, out: Candidate[], context: DetectorContext = PLAIN_CONTEXT): void {
  // The text is read in windows so one long stretch (a megabyte of digits) is not one uninterruptible pass.
  let next = 0;
  for (let from = 0; from < text.length; from += WINDOW) {
    context.deadline.spend(WINDOW);
    const to = Math.min(text.length, from + WINDOW + OVERLAP);
    const window = from === 0 && to === text.length ? text : text.slice(from, to);
    SSN.lastIndex = Math.max(0, next - from);
    for (let match = SSN.exec(window); match !== null && match.index < WINDOW; match = SSN.exec(window)) {
      const [whole, area, separator, group, serial] = match;
      if (area === undefined || group === undefined || serial === undefined) continue; // the groups take part in every match
      const start = from + match.index;
      const end = start + whole.length;
      next = end;
      if (blockedStart(text, start, context)) {
        next = start + 1; // as a look-behind would: try the next position
        SSN.lastIndex = match.index + 1;
        continue;
      }
      if (!isValidSsn(area, group, serial)) continue;
      if (separator !== '-' && !hasContext(text, start, end, context.label)) continue;
      out.push({ start, end, detector: 'ssn', kind: 'ssn', canonical: area + group + serial, rank: RANK });
    }
  }
}
