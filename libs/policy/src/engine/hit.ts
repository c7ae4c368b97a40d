import type { Finding } from '../finding';

/** One replacement in the scanned text: [start, end) of the ORIGINAL text, the placeholder and what it hides. */
export interface Hit {
  readonly start: number;
  readonly end: number;
  readonly placeholder: string;
  /** Overlap rank of the finding whose placeholder is used (lower wins). */
  readonly rank: number;
  /** The findings behind this replacement: one, or several when an encoded token held more than one value. */
  readonly findings: readonly Finding[];
}

/** `text` with every hit replaced by its placeholder; hits sorted by start, not overlapping. */
export function applyHits(text: string, hits: readonly Hit[]): string {
  if (hits.length === 0) return text;
  let out = '';
  let from = 0;
  for (const hit of hits) {
    out += text.slice(from, hit.start) + hit.placeholder;
    from = hit.end;
  }
  return out + text.slice(from);
}
