import { DETECTOR_IDS, isDetectorId, type DetectorId } from './detector-ids';
import { registerEngine } from './engine/engine-registry';
import { applyHits } from './engine/hit';
import { RedactionEngine } from './engine/redaction-engine';
import type { Finding } from './finding';
import { assertSalt } from './placeholder';

/** Default for RedactorOptions.maxDecodeDepth. */
export const DEFAULT_MAX_DECODE_DEPTH = 2;
/** Default for RedactorOptions.maxDecodeBytes. */
export const DEFAULT_MAX_DECODE_BYTES = 65_536;
/** Highest accepted maxDecodeDepth (each level can re-scan the whole text once). */
export const MAX_DECODE_DEPTH_LIMIT = 4;

/** How a redactor is built; validated once by createRedactor. */
export interface RedactorOptions {
  /** Per-org secret salt (>= 16 bytes) for placeholders. */
  salt: Uint8Array;
  /** Detectors to run (default: all). */
  detectors?: readonly DetectorId[];
  /** Max nesting of decode passes (percent-decoding, base64) per value; default 2, at most 4. */
  maxDecodeDepth?: number;
  /** Largest encoded candidate that is decoded and scanned, bytes; default 65536. */
  maxDecodeBytes?: number;
}

/** A redacted text and what was found. `text` === the input (same string) when nothing was found. */
export interface TextRedaction {
  text: string;
  findings: Finding[];
}

/** Detection and redaction of one org's text, with its salt. */
export interface Redactor {
  /** The text with every detected value replaced by its placeholder, and the findings. */
  redactText(text: string): TextRedaction;
  /** Same detection as redactText but without building output (for block mode). */
  scanText(text: string): Finding[];
}

function validate(options: RedactorOptions): { detectors: DetectorId[]; maxDecodeDepth: number; maxDecodeBytes: number } {
  assertSalt(options.salt);
  const requested = options.detectors ?? DETECTOR_IDS;
  for (const detector of requested) {
    if (!isDetectorId(detector)) throw new RangeError(`unknown detector: ${String(detector)}`);
  }
  const maxDecodeDepth = options.maxDecodeDepth ?? DEFAULT_MAX_DECODE_DEPTH;
  if (!Number.isInteger(maxDecodeDepth) || maxDecodeDepth < 0 || maxDecodeDepth > MAX_DECODE_DEPTH_LIMIT) {
    throw new RangeError(`maxDecodeDepth must be an integer from 0 to ${MAX_DECODE_DEPTH_LIMIT}`);
  }
  const maxDecodeBytes = options.maxDecodeBytes ?? DEFAULT_MAX_DECODE_BYTES;
  if (!Number.isInteger(maxDecodeBytes) || maxDecodeBytes < 0) {
    throw new RangeError('maxDecodeBytes must be a non-negative integer');
  }
  // Keep the canonical order whatever order the caller listed them in.
  return { detectors: DETECTOR_IDS.filter((d) => requested.includes(d)), maxDecodeDepth, maxDecodeBytes };
}

/**
 * Builds a redactor: pure, synchronous and deterministic for a given salt. Throws a RangeError on bad
 * options (salt shorter than 16 bytes, unknown detector, out-of-range limits). The salt is copied.
 */
export function createRedactor(options: RedactorOptions): Redactor {
  const settings = validate(options);
  const engine = new RedactionEngine({ salt: Uint8Array.from(options.salt), ...settings });
  const redactor: Redactor = Object.freeze({
    redactText(text: string): TextRedaction {
      const hits = engine.hits(text);
      if (hits.length === 0) return { text, findings: [] };
      return { text: applyHits(text, hits), findings: hits.flatMap((hit) => hit.findings) };
    },
    scanText(text: string): Finding[] {
      return engine.hits(text).flatMap((hit) => hit.findings);
    },
  });
  registerEngine(redactor, engine);
  return redactor;
}
