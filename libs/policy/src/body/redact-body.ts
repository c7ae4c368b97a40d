import { isPolicyEvaluationError } from '../policy-evaluation-error';
import type { Redactor } from '../redactor';
import { redactJson } from '../json/redact-json';
import { redactPlainText } from '../json/redact-plain-text';
import type { JsonRedaction, JsonScanOptions } from '../json/scan-options';

/** How a body's text is read: as JSON, or as plain text (a `text/plain` body holding JSON is read as JSON). */
export type TextBodyKind = 'json' | 'text';

/**
 * Redacts (or, with mode `scan`, only scans) a decoded body: JSON token by token; plain text as text, except that a
 * `text/plain` body holding a JSON document is read as JSON (structure, duplicate keys, split values), since a
 * provider may parse it anyway.
 */
export function redactBody(redactor: Redactor, kind: TextBodyKind, text: string, options: JsonScanOptions): JsonRedaction {
  if (kind === 'json') return redactJson(redactor, text, options);
  const first = text.trimStart()[0];
  if (first === '{' || first === '[') {
    try {
      return redactJson(redactor, text, options);
    } catch (error) {
      if (!isPolicyEvaluationError(error) || error.reason !== 'unparseable') throw error;
    }
  }
  return redactPlainText(redactor, text, options);
}
