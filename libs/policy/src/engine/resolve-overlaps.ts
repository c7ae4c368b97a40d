import type { Candidate } from '../detectors/candidate';

/**
 * Keeps the candidates that win their overlaps: lower rank first (secrets > credit_card > ssn > email >
 * phone), then the earlier, then the longer one. Returns non-overlapping candidates sorted by start.
 * O(n log n): each rank's candidates are merged into the accepted list with one sweep.
 */
export function resolveOverlaps(candidates: readonly Candidate[]): Candidate[] {
  if (candidates.length <= 1) return [...candidates];
  const sorted = [...candidates].sort((a, b) => a.rank - b.rank || a.start - b.start || b.end - b.start - (a.end - a.start));
  let accepted: Candidate[] = [];
  let i = 0;
  while (i < sorted.length) {
    const rank = (sorted[i] as Candidate).rank;
    const chosen: Candidate[] = [];
    let p = 0;
    let lastEnd = -1;
    for (; i < sorted.length && (sorted[i] as Candidate).rank === rank; i++) {
      const candidate = sorted[i] as Candidate;
      while (p < accepted.length && (accepted[p] as Candidate).end <= candidate.start) p++;
      if (p < accepted.length && (accepted[p] as Candidate).start < candidate.end) continue;
      if (candidate.start < lastEnd) continue;
      chosen.push(candidate);
      lastEnd = candidate.end;
    }
    accepted = mergeByStart(accepted, chosen);
  }
  return accepted;
}

function mergeByStart(a: readonly Candidate[], b: readonly Candidate[]): Candidate[] {
  if (b.length === 0) return a as Candidate[];
  if (a.length === 0) return b as Candidate[];
  const merged: Candidate[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && (a[i] as Candidate).start <= (b[j] as Candidate).start)) merged.push(a[i++] as Candidate);
    else merged.push(b[j++] as Candidate);
  }
  return merged;
}
