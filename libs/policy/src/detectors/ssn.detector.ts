import { candidateRank, type Candidate } from './candidate';

// US Social Security numbers: AAA-GG-SSSS. Dashed numbers are always candidates; space-separated or
// unseparated nine-digit numbers only when a context word (SSN, SS#, social security) is within
// CONTEXT_WINDOW characters before or after, because bare nine-digit numbers are mostly something else.

const RANK = candidateRank('ssn', 'ssn');
/** How far (characters) a context word may be from a space-separated or unseparated number. */
export const SSN_CONTEXT_WINDOW = 48;

const SSN = /(?<![\p{L}\p{N}_.\-/])(\d{3})([- ]?)(\d{2})\2(\d{4})(?![\p{L}\p{N}_]|[.\-/]\d)/gu;
const CONTEXT = /\bss(?:n|#|\s?no\b|\s?number\b)|social[\s-]*security/i;

/** False for numbers never issued: area 000, 666 or 900-999; group 00; serial 0000. */
export function isValidSsn(area: string, group: string, serial: string): boolean {
  return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
}

function hasContext(text: string, start: number, end: number): boolean {
  const before = text.slice(Math.max(0, start - SSN_CONTEXT_WINDOW), start);
  const after = text.slice(end, end + SSN_CONTEXT_WINDOW / 2);
  return CONTEXT.test(before) || CONTEXT.test(after);
}

/** Appends SSN candidates found in `text` (a normalised view). */
export function scanSsns(text: string, out: Candidate[]): void {
  SSN.lastIndex = 0;
  for (let match = SSN.exec(text); match !== null; match = SSN.exec(text)) {
    const [whole, area, separator, group, serial] = match as unknown as [string, string, string, string, string];
    const start = match.index;
    const end = start + whole.length;
    if (!isValidSsn(area, group, serial)) continue;
    if (separator !== '-' && !hasContext(text, start, end)) continue;
    out.push({ start, end, detector: 'ssn', kind: 'ssn', canonical: area + group + serial, rank: RANK });
  }
}
