import type { DetectorId } from './detector-ids';

/** How a finding was reached: straight from the text, or only after folding, decoding or joining. */
export type FindingVia = 'plain' | 'normalized' | 'url_encoded' | 'base64' | 'split';

/** One detected value. Never contains the value itself. */
export interface Finding {
  detector: DetectorId;
  /**
   * Finer kind: 'email', 'phone', 'ssn', 'credit_card', or for secrets: 'openai_key', 'anthropic_key',
   * 'navplane_key', 'aws_access_key', 'github_token', 'bearer_token', 'private_key'.
   */
  kind: string;
  /** 8 lowercase hex chars: the placeholder hash (HMAC of the normalised value). */
  hash: string;
  /**
   * How it was found: 'plain' | 'normalized' (needed NFKC/zero-width/homoglyph/escape folding) |
   * 'url_encoded' | 'base64' | 'split' (across JSON string fields).
   */
  via: FindingVia;
}

/** A finding inside a JSON document (or a plain-text body), with the field it sits in. */
export interface FieldFinding extends Finding {
  /**
   * JSON path like `messages[1].content[0].text`, `tools[0].function.arguments`, `metadata.<key>`; `$` for a
   * plain-text body or a top-level JSON string. An object key that itself contained a finding appears
   * redacted (as its placeholder), in bracket form: `metadata["[EMAIL:1a2b3c4d]"]`.
   */
  field: string;
}
