import { itemAt } from '@navplane/core';
import type { Deadline } from '../engine/deadline';
import type { Hit } from '../engine/hit';
import type { RedactionEngine } from '../engine/redaction-engine';
import type { Finding } from '../finding';
import type { JsonStringToken } from './json-lexer';
import type { PathNode } from './json-path';
import type { Replacement } from './string-rewrite';

/** A text-bearing string of an array: a string element, or a `text`/`content` string member of an element object. */
export interface SplitPart {
  readonly token: JsonStringToken;
  /** Where the string sits (its field is only spelt out when a value is found). */
  readonly path: PathNode | undefined;
  /** The hits the string had on its own. */
  readonly hits: readonly Hit[];
  /** Index of the array element the string belongs to. */
  readonly element: number;
  /** The member it is (`text` or `content`) when the element is an object; undefined for a string element. */
  readonly member: 'text' | 'content' | undefined;
}

/** A value found only in the joined text of an array's parts. */
export interface SplitFinding {
  /** The part the value starts in (its field is reported). */
  readonly first: SplitPart;
  /** Where the value starts in the first part's decoded string. */
  readonly offset: number;
  readonly findings: readonly Finding[];
  /** Per part the value touches: the span to replace (the first gets the placeholder, later ones lose their share). */
  readonly pieces: readonly { readonly token: JsonStringToken; readonly replacement: Replacement }[];
}

function partIndexAt(offsets: readonly number[], position: number): number {
  let low = 0;
  let high = offsets.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (itemAt(offsets, mid) <= position) low = mid;
    else high = mid - 1;
  }
  return low;
}

/**
 * A value crossing parts that overlaps a part's own hit must continue that hit across the boundary: the hit
 * in the first part reaches its end, the one in the last part starts at its start. Otherwise the join only
 * glued a complete value to its neighbour (`…ops@example.com.` + `My card…` reads as `example.com.My`).
 */
function crossesCleanly(parts: readonly SplitPart[], offsets: readonly number[], firstIndex: number, lastIndex: number, hit: Hit): boolean {
  const first = itemAt(parts, firstIndex);
  const firstStart = hit.start - itemAt(offsets, firstIndex);
  if (first.hits.some((own) => own.end > firstStart && own.end < first.token.value.length)) return false;
  const last = itemAt(parts, lastIndex);
  const lastEnd = hit.end - itemAt(offsets, lastIndex);
  return !last.hits.some((own) => own.start < lastEnd && own.start > 0);
}

/**
 * Scans the concatenation (no separator) of `parts` and returns the values that only the joined text
 * reveals: values crossing a boundary between parts, and values inside one part that its own scan missed
 * (their context, such as an "SSN" label, sat in an earlier part). Each part's start counts as a token start,
 * so a part ending in a letter does not hide a key that starts the next part (`x` + `AKIA…`).
 */
export function scanSplitParts(engine: RedactionEngine, parts: readonly SplitPart[], deadline?: Deadline): SplitFinding[] {
  const offsets: number[] = [];
  let length = 0;
  for (const part of parts) {
    offsets.push(length);
    length += part.token.value.length;
  }
  const joined = parts.map((part) => part.token.value).join('');
  const found: SplitFinding[] = [];
  const tokenStarts = offsets.slice(1);
  for (const hit of engine.hits(joined, deadline === undefined ? { tokenStarts } : { tokenStarts, deadline })) {
    const firstIndex = partIndexAt(offsets, hit.start);
    const lastIndex = partIndexAt(offsets, hit.end - 1);
    const first = itemAt(parts, firstIndex);
    const base = itemAt(offsets, firstIndex);
    if (firstIndex === lastIndex) {
      if (first.hits.some((own) => own.start < hit.end - base && hit.start - base < own.end)) continue;
    } else if (!crossesCleanly(parts, offsets, firstIndex, lastIndex, hit)) {
      continue;
    }
    const pieces = [];
    for (let k = firstIndex; k <= lastIndex; k++) {
      const part = itemAt(parts, k);
      const partStart = itemAt(offsets, k);
      const start = Math.max(hit.start, partStart) - partStart;
      const end = Math.min(hit.end, partStart + part.token.value.length) - partStart;
      if (end <= start) continue;
      pieces.push({ token: part.token, replacement: { start, end, placeholder: k === firstIndex ? hit.placeholder : '', rank: hit.rank } });
    }
    found.push({ first, offset: hit.start - base, findings: hit.findings, pieces });
  }
  return found;
}
