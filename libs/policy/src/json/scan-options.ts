import type { FieldFinding } from '../finding';

/** How a body is evaluated. */
export interface JsonScanOptions {
  /** 'scan' = find only (block), 'redact' = also return rewritten text. */
  mode: 'scan' | 'redact';
  /** performance.now() deadline; past it the walk throws PolicyEvaluationError('timeout'). Optional. */
  deadline?: number;
}

/** The outcome of evaluating a body. */
export interface JsonRedaction {
  /** Rewritten document (mode 'redact' and something found), else undefined (forward the original bytes). */
  text?: string;
  findings: FieldFinding[];
}
