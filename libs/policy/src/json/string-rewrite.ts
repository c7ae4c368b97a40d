import type { Hit } from '../engine/hit';

/** One replacement inside a decoded string value. `placeholder` '' drops the span (later pieces of a split value). */
export interface Replacement {
  readonly start: number;
  readonly end: number;
  readonly placeholder: string;
  readonly rank: number;
}

/** A string's own hits as replacements. */
export function replacementsFromHits(hits: readonly Hit[]): Replacement[] {
  return hits.map(({ start, end, placeholder, rank }) => ({ start, end, placeholder, rank }));
}

/**
 * `value` with the replacements applied. Overlapping replacements (a string's own hit and a piece of a
 * value split across strings) are merged into one covering both, so no raw character survives; the merged
 * span shows the placeholder of the highest-precedence replacement that has one (the later one on ties).
 */
export function rewriteString(value: string, replacements: readonly Replacement[]): string {
  const sorted = [...replacements].sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let from = 0;
  let i = 0;
  for (let first = sorted[0]; first !== undefined; first = sorted[i]) {
    let end = first.end;
    let best: Replacement | undefined = first.placeholder === '' ? undefined : first;
    for (let next = sorted[++i]; next !== undefined && next.start < end; next = sorted[++i]) {
      end = Math.max(end, next.end);
      // Ties go to the later replacement: a split value's placeholder (added after the string's own hits) names the whole value.
      if (next.placeholder !== '' && (best === undefined || next.rank <= best.rank)) best = next;
    }
    out += value.slice(from, first.start) + (best?.placeholder ?? '');
    from = end;
  }
  return out + value.slice(from);
}
