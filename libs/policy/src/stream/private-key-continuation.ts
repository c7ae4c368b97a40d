// Helpers for private-key blocks that arrive in pieces: is a block still open (more body may follow), and
// where does the rest of an over-long block end when the streaming redactor swallows it.

const END_LINE = /-----END (?:(?:RSA|EC|DSA|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY(?: BLOCK)?-----/;
const BODY_LINE = /^[A-Za-z0-9+/=]+$/;
const HEADER_LINE = /^[A-Za-z][A-Za-z0-9-]{0,40}:[ \t]?[^\n]{0,200}$/;
const HEADER_PREFIX = /^[A-Za-z][A-Za-z0-9-]{0,40}(?::[^\n]{0,200})?$/;
const END_MARKER = '-----END ';

/** True when a completed line can belong to a key body (base64 or `Header: value`, or blank). */
export function isBodyLine(line: string): boolean {
  const trimmed = line.trim();
  return trimmed === '' || BODY_LINE.test(trimmed) || HEADER_LINE.test(trimmed);
}

/** True when an incomplete last line may still turn into a body line or the END line. */
export function mayBecomeBodyLine(partial: string): boolean {
  const trimmed = partial.trim();
  return (
    trimmed === '' ||
    BODY_LINE.test(trimmed) ||
    HEADER_PREFIX.test(trimmed) ||
    END_MARKER.startsWith(trimmed) ||
    trimmed.startsWith(END_MARKER)
  );
}

/** True when the block text (BEGIN … so far) has its END line. */
export function isTerminatedBlock(block: string): boolean {
  return END_LINE.test(block);
}

/**
 * For an unterminated block ending at the end of its last body line: true when `rest` (the text after it
 * up to the end of what has arrived) could still continue the body: only blank completed lines, and a last
 * line that may still become a body line or the END line.
 */
export function blockMayContinue(rest: string): boolean {
  const lines = rest.split('\n');
  const last = lines.pop() ?? ''; // split always gives at least one line
  return lines.every((line) => line.trim() === '') && mayBecomeBodyLine(last);
}

/** Where swallowing the rest of an over-long block stops in `text` (continuing body lines + END line). */
export interface SwallowResult {
  /** Index in `text` where normal text resumes, or undefined when all of it belongs to the block. */
  readonly resumeAt: number | undefined;
  /** The incomplete last line to carry into the next piece (when resumeAt is undefined). */
  readonly carry: string;
}

/** Consumes key body from the start of `text`: through the END line, or up to the first non-body line. */
export function swallowPrivateKeyBody(text: string): SwallowResult {
  let lineStart = 0;
  for (;;) {
    const newline = text.indexOf('\n', lineStart);
    const line = newline < 0 ? text.slice(lineStart) : text.slice(lineStart, newline);
    const end = END_LINE.exec(line);
    if (end !== null) return { resumeAt: lineStart + end.index + end[0].length, carry: '' };
    if (newline < 0) {
      if (!mayBecomeBodyLine(line)) return { resumeAt: lineStart, carry: '' };
      // Only the tail can still complete an END line; a long base64 line need not be kept whole.
      return { resumeAt: undefined, carry: line.length > 256 ? line.slice(-64) : line };
    }
    if (!isBodyLine(line)) return { resumeAt: lineStart, carry: '' };
    lineStart = newline + 1;
  }
}
