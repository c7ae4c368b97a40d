import { NO_DEADLINE, type Deadline } from '../engine/deadline';

// PEM private-key blocks: `-----BEGIN (RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY( BLOCK)?-----`
// up to the matching END line. A block whose END is missing (a truncated paste) runs over the lines that
// still look like a key body: base64 lines, `Header: value` lines and blank lines.

/** Farthest (characters) an END line is looked for after its BEGIN line. */
export const MAX_PRIVATE_KEY_BLOCK = 65_536;

const BEGIN = /-----BEGIN (?:(?:RSA|EC|DSA|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY(?: BLOCK)?-----/g;
const END = /-----END (?:(?:RSA|EC|DSA|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY(?: BLOCK)?-----/y;
const BODY_LINE = /^[A-Za-z0-9+/=]+$/;
const HEADER_LINE = /^[A-Za-z][A-Za-z0-9-]{0,40}:[ \t]?[^\n]{0,200}$/;
/** Line separators inside a block: real newlines, or `\n` escapes when the key sits in a code string. */
const LINE_BREAK = /\r?\n|\\r\\n|\\n/g;

/** A private-key block in a text: [start, end), and whether its END line was found. */
export interface PrivateKeyBlock {
  readonly start: number;
  readonly end: number;
  readonly terminated: boolean;
}

/** End of the key body that starts at `from` when no END line follows: after its last body line. */
export function privateKeyBodyEnd(text: string, from: number, deadline: Deadline = NO_DEADLINE): number {
  let lastBodyEnd = from;
  let lineStart = from;
  LINE_BREAK.lastIndex = from;
  for (;;) {
    const breakMatch = LINE_BREAK.exec(text);
    const lineEnd = breakMatch === null ? text.length : breakMatch.index;
    const line = text.slice(lineStart, lineEnd).trim();
    deadline.spend(lineEnd - lineStart + 1);
    if (line.length > 0) {
      if (!BODY_LINE.test(line) && !HEADER_LINE.test(line)) break;
      lastBodyEnd = lineStart + text.slice(lineStart, lineEnd).trimEnd().length;
    }
    if (breakMatch === null) break;
    lineStart = breakMatch.index + breakMatch[0].length;
  }
  return lastBodyEnd;
}

/** The private-key blocks in `text`, in order, not overlapping. */
export function findPrivateKeyBlocks(text: string, deadline: Deadline = NO_DEADLINE): PrivateKeyBlock[] {
  const blocks: PrivateKeyBlock[] = [];
  if (!text.includes('-----BEGIN ')) return blocks;
  BEGIN.lastIndex = 0;
  let nextEnd = -2;
  for (let begin = BEGIN.exec(text); begin !== null; begin = BEGIN.exec(text)) {
    const start = begin.index;
    const afterBegin = start + begin[0].length;
    const nextBegin = text.indexOf('-----BEGIN ', afterBegin);
    const limit = Math.min(text.length, afterBegin + MAX_PRIVATE_KEY_BLOCK, nextBegin < 0 ? text.length : nextBegin);
    let end = -1;
    // The next END candidate is remembered, so many BEGIN lines without an END cost one search, not one each.
    if (nextEnd !== -1 && nextEnd < afterBegin) nextEnd = text.indexOf('-----END ', afterBegin);
    for (let at = nextEnd; at >= 0 && at < limit; at = text.indexOf('-----END ', at + 1)) {
      END.lastIndex = at;
      const match = END.exec(text);
      if (match !== null) {
        end = at + match[0].length;
        break;
      }
    }
    const terminated = end >= 0;
    if (!terminated) end = Math.max(afterBegin, privateKeyBodyEnd(text, afterBegin, deadline));
    blocks.push({ start, end, terminated });
    deadline.spend(afterBegin - start);
    BEGIN.lastIndex = end;
  }
  return blocks;
}

/** The value a private-key placeholder hashes: the block without whitespace or `\n` escapes. */
export function privateKeyCanonical(block: string): string {
  return block.replace(/\s+|\\[rn]/g, '');
}
