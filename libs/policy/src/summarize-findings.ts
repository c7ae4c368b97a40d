import { DETECTOR_IDS, type DetectorId } from './detector-ids';
import type { FieldFinding, Finding } from './finding';

/** Decision-record summary of one detector's findings: counts, fields and hashes, never text. */
export interface DetectorSummary {
  detector: DetectorId;
  /** Number of findings (every occurrence counts). */
  count: number;
  /** Distinct fields, sorted (empty for findings without a field). */
  fields: string[];
  /** Distinct placeholder hashes, sorted. */
  hashes: string[];
  /** Distinct kinds, sorted. */
  kinds: string[];
  /** Distinct ways the values were found, sorted. */
  via: string[];
}

const sortedDistinct = (values: Iterable<string>): string[] => [...new Set(values)].sort();

/**
 * Summarises findings per detector for decision records. Deterministic: detectors in DETECTOR_IDS order
 * (only those with findings), every list distinct and sorted.
 */
export function summarizeFindings(findings: readonly (Finding | FieldFinding)[]): DetectorSummary[] {
  const summaries: DetectorSummary[] = [];
  for (const detector of DETECTOR_IDS) {
    const mine = findings.filter((finding) => finding.detector === detector);
    if (mine.length === 0) continue;
    summaries.push({
      detector,
      count: mine.length,
      fields: sortedDistinct(mine.flatMap((finding) => ('field' in finding ? [finding.field] : []))),
      hashes: sortedDistinct(mine.map((finding) => finding.hash)),
      kinds: sortedDistinct(mine.map((finding) => finding.kind)),
      via: sortedDistinct(mine.map((finding) => finding.via)),
    });
  }
  return summaries;
}
