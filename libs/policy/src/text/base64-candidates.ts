// Base64 / base64url candidates: runs of the base64 alphabets (standard and URL-safe) of at least
// MIN_BASE64_LENGTH characters, optionally `=`-padded, that decode to valid, mostly printable UTF-8.

import { isUtf8 } from 'node:buffer';
import { NO_DEADLINE, type Deadline } from '../engine/deadline';

/** Shortest run treated as a base64 candidate (12 characters encode 9 bytes: `jo@ex.co.uk`-sized values). */
export const MIN_BASE64_LENGTH = 12;

const decoder = new TextDecoder('utf-8', { fatal: true });

const OTHER_BASE64 = 1;
const UPPER_OR_DIGIT = 2;
/** ASCII code → 0 (not in either base64 alphabet), OTHER_BASE64 (a-z + / _ -) or UPPER_OR_DIGIT. */
const ALPHABET = new Uint8Array(0x80);
for (let code = 0; code < 0x80; code++) {
  const char = String.fromCharCode(code);
  if (/[A-Z0-9]/.test(char)) ALPHABET[code] = UPPER_OR_DIGIT;
  else if (/[a-z+/_-]/.test(char)) ALPHABET[code] = OTHER_BASE64;
}

/** A base64 candidate: [start, end) in the scanned text. */
export interface Base64Candidate {
  readonly start: number;
  readonly end: number;
}

/**
 * The candidates in `text`. Runs with no upper-case letter and no digit are skipped: they are words and
 * identifiers (`internationalization`, `snake_case_name`), and real base64 of text practically always has both.
 */
export function findBase64Candidates(text: string, deadline: Deadline = NO_DEADLINE): Base64Candidate[] {
  const found: Base64Candidate[] = [];
  let runStart = -1;
  let mixed = false;
  const length = text.length;
  // One cheap pass (a few milliseconds per megabyte): reported as a whole.
  deadline.spend(length);
  for (let i = 0; i <= length; i++) {
    const code = i < length ? text.charCodeAt(i) : 0;
    const kind = code < 0x80 ? (ALPHABET[code] ?? 0) : 0; // the table covers ASCII (and so every code read here)
    if (kind !== 0) {
      if (runStart < 0) {
        runStart = i;
        mixed = false;
      }
      if (kind === UPPER_OR_DIGIT) mixed = true;
      continue;
    }
    if (runStart >= 0 && i - runStart >= MIN_BASE64_LENGTH && mixed) {
      let end = i;
      while (end < length && end - i < 2 && text.charCodeAt(end) === 0x3d) end++;
      found.push({ start: runStart, end });
    }
    runStart = -1;
  }
  return found;
}

/** Share of control characters (other than tab, CR, LF) tolerated in decoded text. */
const MAX_CONTROL_RATIO = 0.05;

/**
 * Decodes a candidate to text when it is well-formed base64 (standard or URL-safe, not mixed) whose bytes
 * are valid UTF-8 and mostly printable; undefined otherwise (binary data, images, hashes, plain words).
 */
export function decodeBase64Text(candidate: string): string | undefined {
  const body = candidate.replace(/=+$/, '');
  if (body.length % 4 === 1) return undefined;
  const standard = /[+/]/.test(body);
  const urlSafe = /[-_]/.test(body);
  if (standard && urlSafe) return undefined;
  if (candidate.length !== body.length && candidate.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(body, urlSafe ? 'base64url' : 'base64');
  // Most candidates are ids and hashes whose bytes are not UTF-8: checked natively first, so the decoder (which
  // throws on them, an exception per candidate) only ever sees valid input.
  if (bytes.length === 0 || !isUtf8(bytes)) return undefined;
  const text = decoder.decode(bytes);
  let controls = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f || code === 0xfffd) {
      controls++;
    }
  }
  return controls > text.length * MAX_CONTROL_RATIO ? undefined : text;
}
