import type { DetectorId } from '../detector-ids';
import { NO_DEADLINE, type Deadline } from '../engine/deadline';
import { codePointAt } from '../text/code-point-at';

/** A detector's match on the normalised view, before overlaps between detectors are resolved. */
export interface Candidate {
  /** [start, end) in the view the detector read. */
  readonly start: number;
  readonly end: number;
  readonly detector: DetectorId;
  readonly kind: string;
  /** The value the placeholder hash is computed from (digits only, lower-cased email, the secret). */
  readonly canonical: string;
  /** Lower wins when candidates overlap (candidateRank). */
  readonly rank: number;
}

/** What a detector knows about the text beyond its characters. */
export interface DetectorContext {
  /** Long loops report their work here (and stop with 'timeout' past the deadline). */
  readonly deadline: Deadline;
  /**
   * Words that precede the text, such as the JSON member key the text is the value of (`ssn`, `customer ssn`):
   * read as context by the SSN detector, as if written right before the text. '' when there are none.
   */
  readonly label: string;
  /** The text is the value of a phone field (a key naming a phone): a bare 10-15 digit number is a phone. */
  readonly phoneField: boolean;
  /**
   * Per code unit of the text, 1 where a value may start whatever precedes it: the starts of the joined
   * parts of a JSON array, so `"x"` + `"AKIA…"` reads as two tokens. Undefined when there are none.
   */
  readonly tokenStarts: Uint8Array | undefined;
}

/** The context of a text scanned on its own: no label, no phone field, no extra token starts, no deadline. */
export const PLAIN_CONTEXT: DetectorContext = Object.freeze({
  deadline: NO_DEADLINE,
  label: '',
  phoneField: false,
  tokenStarts: undefined,
});

/** Reads a view's text and appends its candidates (each detector's own candidates never overlap). */
export type DetectorScan = (text: string, out: Candidate[], context: DetectorContext) => void;

/** True when `context` marks `index` as a place where a value may start whatever precedes it. */
export function isTokenStart(context: DetectorContext, index: number): boolean {
  return context.tokenStarts !== undefined && context.tokenStarts[index] === 1;
}

/** Secret kinds, most specific first: the order breaks ties when two secret patterns cover the same text. */
export const SECRET_KINDS = [
  'private_key',
  'anthropic_key',
  'openai_key',
  'github_token',
  'navplane_key',
  'aws_access_key',
  'bearer_token',
] as const;

/** One of the secret kinds. */
export type SecretKind = (typeof SECRET_KINDS)[number];

/** Detector precedence when matches overlap: secrets > credit_card > ssn > email > phone. */
const DETECTOR_RANK: Readonly<Record<DetectorId, number>> = {
  secrets: 0,
  credit_card: 100,
  ssn: 200,
  email: 300,
  phone: 400,
};

/** The overlap rank of a detector's kind (secrets are ordered among themselves by SECRET_KINDS). */
export function candidateRank(detector: DetectorId, kind: string): number {
  const secretIndex = detector === 'secrets' ? (SECRET_KINDS as readonly string[]).indexOf(kind) : 0;
  return DETECTOR_RANK[detector] + Math.max(secretIndex, 0);
}

/** Character classes shared by the digit-based detectors. */
export function isDigitCode(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** ASCII letter or digit, or any non-ASCII letter/digit (after normalisation most are ASCII). */
export function isWordCode(code: number, text: string, index: number): boolean {
  if ((code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f) {
    return true;
  }
  if (code < 0x80 || Number.isNaN(code)) return false;
  return /[\p{L}\p{N}]/u.test(String.fromCodePoint(codePointAt(text, index)));
}
