import { itemAt } from '@navplane/core';
import { candidateRank, isDigitCode, isTokenStart, isWordCode, PLAIN_CONTEXT, type Candidate, type DetectorContext } from './candidate';

// Phone numbers are read as runs of digit groups joined by single separators (space, '-', '.') with optional
// parentheses and a leading '+', then validated as a whole. Consuming a whole run first is what keeps bare
// digit runs, dates, times, versions, decimals and IP addresses out: they are runs of the wrong shape.

const RANK = candidateRank('phone', 'phone');
/** Most groups one phone number spans (`+44 (0) 20 7946 0958` has 5; `+33 1 23 45 67 89` has 6). */
const MAX_GROUPS_PER_NUMBER = 7;
const MAX_GROUP_DIGITS = 15;

interface Group {
  readonly start: number;
  readonly end: number;
  readonly digits: number;
  readonly paren: boolean;
  readonly firstDigit: string;
  /** Separator before this group: ' ', '-', '.', '' (after ')' or before '('), or undefined for the first. */
  readonly sep: string | undefined;
}

/** Characters that, right before a run, make it part of something else (an id, a decimal, a path, a date). */
function blocksStart(text: string, index: number): boolean {
  if (index < 0) return false;
  const code = text.charCodeAt(index);
  return isWordCode(code, text, index) || code === 0x2e || code === 0x2d || code === 0x2b || code === 0x2f || code === 0x40;
}

/** Characters that, right after a run, make it part of something else. */
function blocksEnd(text: string, index: number): boolean {
  if (index >= text.length) return false;
  const code = text.charCodeAt(index);
  if (isWordCode(code, text, index) || code === 0x40) return true;
  // '555-123-4567-89', '1.2.3.4/5': the run continues with punctuation and more digits.
  return (code === 0x2e || code === 0x2d || code === 0x2f || code === 0x3a) && isDigitCode(text.charCodeAt(index + 1));
}

/** Reads the run of groups starting at `start`; returns the groups and the index after the run. */
function readRun(text: string, start: number, context: DetectorContext): { groups: Group[]; end: number; plus: boolean; broken: boolean } {
  const groups: Group[] = [];
  const plus = text.charCodeAt(start) === 0x2b;
  let j = plus ? start + 1 : start;
  let sep: string | undefined;
  for (;;) {
    const groupStart = j;
    const paren = text.charCodeAt(j) === 0x28;
    if (paren) j++;
    const digitsStart = j;
    while (isDigitCode(text.charCodeAt(j))) j++;
    const digits = j - digitsStart;
    if (digits === 0) {
      j = groupStart;
      break;
    }
    if (paren) {
      if (text.charCodeAt(j) !== 0x29) return { groups, end: j, plus, broken: true };
      j++;
    }
    groups.push({ start: groupStart, end: j, digits, paren, sep, firstDigit: text.charAt(digitsStart) });
    context.deadline.spend(j - groupStart + 1);
    const code = text.charCodeAt(j);
    const next = text.charCodeAt(j + 1);
    if ((code === 0x20 || code === 0x2d || code === 0x2e) && (isDigitCode(next) || next === 0x28)) {
      sep = text[j];
      j++;
    } else if (code === 0x28 || (paren && isDigitCode(code))) {
      sep = '';
    } else {
      break;
    }
  }
  return { groups, end: j, plus, broken: false };
}

function isSeparator(sep: string | undefined): boolean {
  return sep === ' ' || sep === '-' || sep === '.';
}

/** NANP: (555) 123-4567, 555-123-4567, 555.123.4567, 555 123 4567, 1-555-123-4567, 1 (555) 123-4567. */
function isNanp(span: readonly Group[]): boolean {
  let k = 0;
  if (span.length === 4) {
    const [country, next] = span;
    if (country?.digits !== 1 || country.firstDigit !== '1' || country.paren || !isSeparator(next?.sep)) return false;
    k = 1;
  } else if (span.length !== 3) {
    return false;
  }
  const [area, exchange, line] = [span[k], span[k + 1], span[k + 2]];
  if (area === undefined || exchange === undefined || line === undefined) return false;
  if (area.digits !== 3 || exchange.digits !== 3 || line.digits !== 4 || exchange.paren || line.paren) return false;
  if (area.paren) return (exchange.sep === '' || exchange.sep === ' ' || exchange.sep === '-') && isSeparator(line.sep);
  return isSeparator(exchange.sep) && exchange.sep === line.sep;
}

/** National numbers with a trunk 0: 020 7946 0958, 01 23 45 67 89, 030-1234567, (030) 1234 567. */
function isTrunkNational(span: readonly Group[], digits: number): boolean {
  const [first] = span;
  if (first === undefined || first.firstDigit !== '0' || digits < 10 || digits > 11 || span.length < 2) return false;
  if (span.some((g, k) => (g.paren && k > 0) || g.digits < 2 || g.digits > 8)) return false;
  const seps = span.slice(first.paren ? 2 : 1).map((g) => g.sep);
  if (first.paren && !(span[1]?.sep === ' ' || span[1]?.sep === '')) return false;
  return seps.every((sep) => isSeparator(sep) && sep === seps[0]);
}

/** True when groups [a..b] of a run form a phone number. */
function isPhone(groups: readonly Group[], a: number, b: number, plus: boolean): boolean {
  const span = groups.slice(a, b + 1);
  let digits = 0;
  for (const group of span) {
    if (group.digits > MAX_GROUP_DIGITS) return false;
    digits += group.digits;
  }
  const [first] = span;
  if (first === undefined) return false;
  if (plus && a === 0) {
    // E.164: up to 15 digits; the country code is 1-3 digits and not in parentheses.
    if (digits < 8 || digits > 15) return false;
    if (span.length === 1) return digits >= 10;
    return !first.paren && first.digits <= 3;
  }
  return isNanp(span) || isTrunkNational(span, digits);
}

/** End of the stretch of digits, separators and parentheses from `start`, and its digit count (a cheap upper bound). */
function phoneRunExtent(text: string, start: number): { end: number; digits: number } {
  let j = start;
  let count = 0;
  for (;;) {
    const code = text.charCodeAt(j);
    if (isDigitCode(code)) count++;
    else if (!(code === 0x20 || code === 0x2d || code === 0x2e || code === 0x28 || code === 0x29)) return { end: j, digits: count };
    j++;
  }
}

/** A whole text that is one bare number of 10-15 digits (optionally after `+`), with surrounding spaces. */
const BARE_NUMBER = /^\s*(\+?\d{10,15})\s*$/;

/**
 * Appends phone candidates found in `text` (a normalised view). In a phone field (context.phoneField) a text
 * that is only a bare 10-15 digit number is a phone too: under a key naming a phone the shape is not ambiguous.
 */
export function scanPhones(text: string, out: Candidate[], context: DetectorContext = PLAIN_CONTEXT): void {
  if (context.phoneField) {
    const [whole, number] = BARE_NUMBER.exec(text) ?? [];
    if (whole !== undefined && number !== undefined) {
      const start = whole.indexOf(number);
      out.push({ start, end: start + number.length, detector: 'phone', kind: 'phone', canonical: number.replace(/\D/g, ''), rank: RANK });
      return;
    }
  }
  const digits = /\d+/g;
  let stretchEnd = 0;
  for (let match = digits.exec(text); match !== null; match = digits.exec(text)) {
    // Every valid shape has at least 8 digits: skip shorter stretches without building groups (each
    // stretch is measured once, so a long one is not re-measured from every digit inside it).
    if (match.index >= stretchEnd) {
      const extent = phoneRunExtent(text, match.index);
      context.deadline.spend(extent.end - match.index + 1);
      stretchEnd = extent.end;
      if (extent.digits < 8) {
        digits.lastIndex = extent.end;
        continue;
      }
    }
    // A run starts at its first digit, or at the '+' or '(' right before it.
    const before = text.charCodeAt(match.index - 1);
    const start = before === 0x2b || before === 0x28 ? match.index - 1 : match.index;
    const { groups, end, plus, broken } = readRun(text, start, context);
    digits.lastIndex = Math.max(end, match.index + 1);
    // Every valid shape has at least 8 digits, and a lone group needs its '+'.
    if (groups.length === 0 || (groups.length === 1 && !plus) || groups.reduce((n, g) => n + g.digits, 0) < 8) continue;
    // A blocked edge only rules out numbers that touch it: `abc123 555-123-4567` still holds one.
    const edges = { start: isTokenStart(context, start) || !blocksStart(text, start - 1), end: !broken && !blocksEnd(text, end) };
    emitNumbers(text, groups, plus, start, edges, out, context);
  }
}

/** Chooses, left to right, the longest valid numbers among sub-runs cut at space separators. */
function emitNumbers(
  text: string,
  groups: readonly Group[],
  plus: boolean,
  runStart: number,
  edges: { readonly start: boolean; readonly end: boolean },
  out: Candidate[],
  context: DetectorContext,
): void {
  const canStart = (k: number): boolean => (k === 0 ? edges.start : groups[k]?.sep === ' ');
  const canEnd = (k: number): boolean => (k === groups.length - 1 ? edges.end : groups[k + 1]?.sep === ' ');
  /** digitsBefore[k]: the digits of groups [0, k). */
  const digitsBefore = [0];
  let sum = 0;
  for (const group of groups) digitsBefore.push((sum += group.digits));
  let a = 0;
  while (a < groups.length) {
    context.deadline.spend(MAX_GROUPS_PER_NUMBER);
    let best = -1;
    if (canStart(a)) {
      for (let b = Math.min(groups.length - 1, a + MAX_GROUPS_PER_NUMBER - 1); b >= a; b--) {
        if (itemAt(digitsBefore, b + 1) - itemAt(digitsBefore, a) < 8) break; // too short from here down
        if (canEnd(b) && isPhone(groups, a, b, plus)) {
          best = b;
          break;
        }
      }
    }
    if (best < 0) {
      a++;
      continue;
    }
    const start = a === 0 ? runStart : itemAt(groups, a).start;
    const end = itemAt(groups, best).end;
    out.push({ start, end, detector: 'phone', kind: 'phone', canonical: text.slice(start, end).replace(/\D/g, ''), rank: RANK });
    a = best + 1;
  }
}
