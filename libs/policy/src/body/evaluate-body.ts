import type { FieldFinding } from '../finding';
import { redactPlainText } from '../json/redact-plain-text';
import type { JsonScanOptions } from '../json/scan-options';
import type { Redactor } from '../redactor';
import { decodeContent, isIdentityEncoding, type DecodeFailure } from './decode-content';
import { redactBody, type TextBodyKind } from './redact-body';

/**
 * Characters dropped from the end of a body prefix before it is redacted: a prefix cut at a size bound may end
 * inside a value the detectors cannot recognise any more, and it is dropped rather than stored raw.
 */
export const PREFIX_HOLDBACK_CHARS = 256;

/** A body to evaluate, as received. */
export interface BodyInput {
  /** The bytes as received (still compressed when `contentEncoding` says so). */
  readonly bytes: Uint8Array;
  /** The `Content-Encoding` header: identity (or none), gzip, x-gzip, deflate, br. */
  readonly contentEncoding?: string | undefined;
  /** How the text is read (from the Content-Type). */
  readonly kind: TextBodyKind;
  /**
   * False when only a prefix of the body was kept (over the size bound, or an upload cut short). Default true.
   * A prefix cannot be parsed: it is read as UTF-8 up to its last whole character (identity encoding only), its
   * last PREFIX_HOLDBACK_CHARS (256) characters are dropped, JSON escapes are undone (kind `json`), and the rest
   * is redacted as plain text.
   */
  readonly complete?: boolean;
}

/** How a body is evaluated. */
export interface BodyEvaluationOptions extends JsonScanOptions {
  /** Most bytes the decoded body may have (NAVPLANE_POLICY_MAX_BODY_BYTES); more is `too_large`. */
  readonly maxBytes: number;
}

/**
 * The outcome of evaluating a body: the text evaluated (with every detected value replaced by its placeholder when
 * `rewritten`) and the findings; or why the bytes could not be read as text. Evaluation failures (`timeout`,
 * `unparseable` JSON, `detector_error`) are thrown as PolicyEvaluationError instead.
 */
export type BodyEvaluation =
  | { ok: true; text: string; rewritten: boolean; findings: FieldFinding[] }
  | { ok: false; reason: DecodeFailure };

/** A body's text ready for the detectors, or why it cannot be read. */
export type DecodedBody = { ok: true; text: string; prefix: boolean } | { ok: false; reason: DecodeFailure };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Reverses the JSON string escapes a detector would otherwise miss in a JSON prefix that cannot be parsed. */
function unescapeJsonText(text: string): string {
  return text.replace(/\\u([0-9a-fA-F]{4})|\\\//g, (_match, hex: string | undefined) =>
    hex === undefined ? '/' : String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

const isContinuationByte = (byte: number | undefined): boolean => byte !== undefined && (byte & 0xc0) === 0x80;

/** The length of `bytes` without a trailing, incomplete UTF-8 sequence (cut at the size bound). */
function completeUtf8Length(bytes: Uint8Array): number {
  let start = bytes.length - 1;
  // Walk back over continuation bytes (10xxxxxx) to the lead byte of the last sequence.
  while (start > 0 && start > bytes.length - 4 && isContinuationByte(bytes[start])) start -= 1;
  const lead = bytes[start];
  if (lead === undefined) return 0; // no bytes at all
  const needed = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return start + needed > bytes.length ? start : bytes.length;
}

/**
 * The text of `input` (see BodyInput): a whole body is decompressed (at most `maxBytes` out) and decoded as strict
 * UTF-8; a prefix is decoded as described on BodyInput.complete.
 */
export function decodeBody(input: BodyInput, maxBytes: number): DecodedBody {
  if (input.complete !== false) {
    const decoded = decodeContent(input.bytes, input.contentEncoding, maxBytes);
    return decoded.ok ? { ok: true, text: decoded.text, prefix: false } : decoded;
  }
  if (!isIdentityEncoding(input.contentEncoding)) return { ok: false, reason: 'unsupported_content_encoding' };
  let prefix: string;
  try {
    prefix = strictUtf8.decode(input.bytes.subarray(0, completeUtf8Length(input.bytes)));
  } catch {
    return { ok: false, reason: 'unparseable' };
  }
  const kept = prefix.slice(0, Math.max(0, prefix.length - PREFIX_HOLDBACK_CHARS));
  return { ok: true, text: input.kind === 'json' ? unescapeJsonText(kept) : kept, prefix: true };
}

/** Redacts (mode `redact`) or scans (mode `scan`) the text decodeBody returned for a body of `kind`. */
export function evaluateDecoded(
  redactor: Redactor,
  kind: TextBodyKind,
  text: string,
  prefix: boolean,
  options: JsonScanOptions,
): BodyEvaluation {
  const result = prefix ? redactPlainText(redactor, text, options) : redactBody(redactor, kind, text, options);
  return result.text === undefined
    ? { ok: true, text, rewritten: false, findings: result.findings }
    : { ok: true, text: result.text, rewritten: true, findings: result.findings };
}

/**
 * Decodes and evaluates a body on the calling thread: decodeBody, then redactBody (JSON token by token, plain text
 * as text) or, for a prefix, redactPlainText. Returns `{ ok: false }` when the bytes cannot be read as text;
 * throws PolicyEvaluationError (`timeout` past `options.deadline`, `unparseable` JSON, `detector_error`).
 * RedactionPool.evaluate gives the same answer off the event loop.
 */
export function evaluateBody(redactor: Redactor, input: BodyInput, options: BodyEvaluationOptions): BodyEvaluation {
  const decoded = decodeBody(input, options.maxBytes);
  if (!decoded.ok) return decoded;
  return evaluateDecoded(redactor, input.kind, decoded.text, decoded.prefix, options);
}
