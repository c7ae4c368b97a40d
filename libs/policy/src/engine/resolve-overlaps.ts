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
  for (let first = sorted[0]; first !== undefined; first = sorted[i]) {
    const rank = first.rank;
    const chosen: Candidate[] = [];
    let p = 0;
    let lastEnd = -1;
    for (let candidate: Candidate | undefined = first; candidate?.rank === rank; candidate = sorted[++i]) {
      // The first accepted candidate not ending before this one starts: the only one it can overlap.
      let next = accepted[p];
      while (next !== undefined && next.end <= candidate.start) next = accepted[++p];
      if (next !== undefined && next.start < candidate.end) continue;
      if (candidate.start < lastEnd) continue;
      chosen.push(candidate);
      lastEnd = candidate.end;
    }
    accepted = mergeByStart(accepted, chosen);
  }
  return accepted;
}

function mergeByStart(a: Candidate[], b: Candidate[]): Candidate[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const merged: Candidate[] = [];
  let i = 0;
  let j = 0;
  for (let x = a[0], y = b[0]; x !== undefined || y !== undefined; ) {
    if (x !== undefined && (y === undefined || x.start <= y.start)) {
      merged.push(x);
      x = a[++i];
    } else if (y !== undefined) {
      merged.push(y);
      y = b[++j];
    }
  }
  return merged;
}
