import { candidateRank, isDigitCode, isTokenStart, PLAIN_CONTEXT, type Candidate, type DetectorContext } from './candidate';

// Payment card numbers: 13-19 digits, optionally grouped by single spaces or dashes (one separator kind per
// number), Luhn-valid and starting with a known issuer prefix. Digit runs are read whole and numbers are
// chosen among their group-aligned sub-runs, so a card inside `order 12345 4111 1111 1111 1111` is found
// while 20+-digit numbers and decimals are not. Letters and punctuation around a run do not matter
// (`cc:4111…`, `card-4111…`, `tok_4111…`): a Luhn- and IIN-valid run of 13-19 digits is a card whatever
// surrounds it, and the Luhn and issuer checks keep random ids out.

const RANK = candidateRank('credit_card', 'credit_card');
const MIN_DIGITS = 13;
const MAX_DIGITS = 19;

/** True when the digit string passes the Luhn checksum. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 0x30;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

function prefixBetween(digits: string, length: number, low: number, high: number): boolean {
  const value = Number(digits.slice(0, length));
  return value >= low && value <= high;
}

/**
 * True when the number starts with a known issuer prefix (IIN): Visa 4; Mastercard 51-55, 2221-2720;
 * Amex 34, 37; Discover 6011, 644-649, 65; UnionPay 62; Diners 300-305, 36, 38, 39; JCB 3528-3589;
 * Mir 2200-2204; Maestro 50, 56-58, 6x; RuPay 60, 65, 81, 82, 508.
 */
export function knownIssuer(digits: string): boolean {
  switch (digits[0]) {
    case '4':
    case '6':
      return true;
    case '5':
      return prefixBetween(digits, 2, 50, 58);
    case '2':
      return prefixBetween(digits, 4, 2200, 2204) || prefixBetween(digits, 4, 2221, 2720);
    case '3':
      return (
        prefixBetween(digits, 3, 300, 305) ||
        ['34', '36', '37', '38', '39'].includes(digits.slice(0, 2)) ||
        prefixBetween(digits, 4, 3528, 3589)
      );
    case '8':
      return digits.startsWith('81') || digits.startsWith('82');
    default:
      return false;
  }
}

interface Group {
  readonly start: number;
  readonly end: number;
  /** Separator before the group ('' for the first). */
  readonly sep: string;
}

/** A decimal or thousands-grouped number (`0.4111…`, `1,4111…`) is not a card: the run continues it. */
function isNumberPunctuation(code: number): boolean {
  return code === 0x2e || code === 0x2c;
}

function blocksStart(text: string, index: number): boolean {
  return index > 0 && isNumberPunctuation(text.charCodeAt(index)) && isDigitCode(text.charCodeAt(index - 1));
}

function blocksEnd(text: string, index: number): boolean {
  return isNumberPunctuation(text.charCodeAt(index)) && isDigitCode(text.charCodeAt(index + 1));
}

/** End of the run of digits joined by single spaces or dashes starting at `start`, and its digit count. */
function digitRunExtent(text: string, start: number): { end: number; digits: number } {
  let j = start;
  let count = 0;
  for (;;) {
    while (isDigitCode(text.charCodeAt(j))) {
      j++;
      count++;
    }
    const code = text.charCodeAt(j);
    if ((code === 0x20 || code === 0x2d) && isDigitCode(text.charCodeAt(j + 1))) j++;
    else return { end: j, digits: count };
  }
}

/** Appends card candidates found in `text` (a normalised view). */
export function scanCreditCards(text: string, out: Candidate[], context: DetectorContext = PLAIN_CONTEXT): void {
  const digits = /\d+/g;
  for (let match = digits.exec(text); match !== null; match = digits.exec(text)) {
    const runStart = match.index;
    // Most digit runs are short (`12`, `2024-05-01`): count first, build groups only for long ones.
    const extent = digitRunExtent(text, runStart);
    if (extent.digits < MIN_DIGITS) {
      context.deadline.spend(extent.end - runStart + 1);
      digits.lastIndex = extent.end;
      continue;
    }
    const groups: Group[] = [];
    let j = runStart;
    let sep = '';
    let total = 0;
    for (;;) {
      const start = j;
      while (isDigitCode(text.charCodeAt(j))) j++;
      total += j - start;
      groups.push({ start, end: j, sep });
      context.deadline.spend(j - start + 1);
      const code = text.charCodeAt(j);
      if ((code === 0x20 || code === 0x2d) && isDigitCode(text.charCodeAt(j + 1))) {
        sep = text.charAt(j);
        j++;
      } else {
        break;
      }
    }
    digits.lastIndex = j;
    if (total < MIN_DIGITS) continue;
    const startOk = isTokenStart(context, runStart) || !blocksStart(text, runStart - 1);
    const endOk = !blocksEnd(text, j);
    emitCards(text, groups, startOk, endOk, out, context);
  }
}

/**
 * Chooses, left to right, the longest valid card among the run's sub-runs. A sub-run may only start or end
 * where the run has a space: a dash binds its neighbours (`123-45-6789 4111 1111 1111 1111` holds an SSN
 * and a card, not a card made of `6789` and three groups of the next number).
 */
function emitCards(
  text: string,
  groups: readonly Group[],
  startOk: boolean,
  endOk: boolean,
  out: Candidate[],
  context: DetectorContext,
): void {
  const canStart = (k: number): boolean => (k === 0 ? startOk : groups[k]?.sep === ' ');
  const canEnd = (k: number): boolean => (k === groups.length - 1 ? endOk : groups[k + 1]?.sep === ' ');
  let a = 0;
  for (let first = groups[a]; first !== undefined; first = groups[a]) {
    context.deadline.spend(MAX_DIGITS);
    let digits = '';
    /** The longest card from group `a`: its last group's index and end, and its digits. */
    let best: { last: number; end: number; digits: string } | undefined;
    for (let b = a, group: Group | undefined = first; group !== undefined && canStart(a); group = groups[++b]) {
      if (b > a + 1 && group.sep !== groups[a + 1]?.sep) break;
      digits += text.slice(group.start, group.end);
      if (digits.length > MAX_DIGITS) break;
      if (canEnd(b) && digits.length >= MIN_DIGITS && knownIssuer(digits) && luhnValid(digits)) best = { last: b, end: group.end, digits };
    }
    if (best === undefined) {
      a++;
      continue;
    }
    out.push({ start: first.start, end: best.end, detector: 'credit_card', kind: 'credit_card', canonical: best.digits, rank: RANK });
    a = best.last + 1;
  }
}
