import { Deadline } from '../engine/deadline';
import { engineOf } from '../engine/engine-registry';
import { applyHits } from '../engine/hit';
import type { FieldFinding } from '../finding';
import type { Redactor } from '../redactor';
import { guarded } from './evaluation-guards';
import type { JsonRedaction, JsonScanOptions } from './scan-options';

/**
 * Evaluates a plain-text body (field `$`): findings, and in 'redact' mode the rewritten text when
 * something was found. Same detection as redactText and as a JSON string value without a key. Throws
 * PolicyEvaluationError('timeout') when the deadline has passed, before or during the scan.
 */
export function redactPlainText(redactor: Redactor, text: string, options: JsonScanOptions): JsonRedaction {
  const engine = engineOf(redactor);
  const deadline = new Deadline(options.deadline);
  deadline.check();
  const hits = guarded(() => engine.hits(text, { deadline }));
  const findings = hits.flatMap((hit) => hit.findings.map((f): FieldFinding => ({ ...f, field: '$' })));
  if (options.mode === 'redact' && hits.length > 0) return { text: applyHits(text, hits), findings };
  return { findings };
}
