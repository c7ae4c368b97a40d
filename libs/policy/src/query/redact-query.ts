import { Deadline } from '../engine/deadline';
import { engineOf } from '../engine/engine-registry';
import { applyHits } from '../engine/hit';
import type { FieldFinding } from '../finding';
import { guarded } from '../json/evaluation-guards';
import { memberSegment } from '../json/json-path';
import type { JsonScanOptions } from '../json/scan-options';
import { PolicyEvaluationError } from '../policy-evaluation-error';
import type { Redactor } from '../redactor';

/** The outcome of evaluating a query string. */
export interface QueryRedaction {
  /** The query to forward (mode 'redact' and something found), else undefined: forward the original. */
  query?: string;
  /** What was found, in fields `query.<name>` (the name as its placeholder when it held a value itself). */
  findings: FieldFinding[];
}

/** A query component decoded as servers read it (`+` is a space, then percent-decoding as UTF-8). */
function decodeComponent(raw: string): string {
  if (!raw.includes('+') && !raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw.replaceAll('+', ' '));
  } catch (error) {
    throw new PolicyEvaluationError('unparseable', 'the query string is not valid percent-encoded UTF-8', { cause: error });
  }
}

/**
 * Evaluates a raw query string (without `?`) like body text: every parameter name and value, decoded (`+` and
 * percent-escapes) and scanned with the same detectors, normalisation and decoding as a JSON string. In 'redact' mode
 * a name or value with a finding is re-encoded (`encodeURIComponent`) with its placeholders in place; every other
 * byte of the query, separators and untouched parameters included, stays as sent. A component that is not valid
 * percent-encoded UTF-8 cannot be read as the provider would read it: PolicyEvaluationError('unparseable'), like a
 * body that is not valid UTF-8. Throws 'timeout' past the deadline and 'detector_error' when a detector fails.
 */
export function redactQuery(redactor: Redactor, rawQuery: string, options: JsonScanOptions): QueryRedaction {
  const findings: FieldFinding[] = [];
  if (rawQuery === '') return { findings };
  const engine = engineOf(redactor);
  const deadline = new Deadline(options.deadline);
  deadline.check();
  const redact = options.mode === 'redact';
  let rewritten = false;
  const pairs = rawQuery.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? undefined : pair.slice(eq + 1);
    const name = decodeComponent(rawName);
    const value = rawValue === undefined ? undefined : decodeComponent(rawValue);

    const nameHits = name === '' ? [] : guarded(() => engine.hits(name, { deadline }));
    const shownName = nameHits.length === 0 ? name : applyHits(name, nameHits);
    const field = `query${memberSegment(shownName)}`;
    for (const hit of nameHits) for (const finding of hit.findings) findings.push({ ...finding, field });
    const valueHits = value === undefined || value === '' ? [] : guarded(() => engine.hits(value, { deadline }));
    for (const hit of valueHits) for (const finding of hit.findings) findings.push({ ...finding, field });

    if (!redact || (nameHits.length === 0 && valueHits.length === 0)) return pair;
    rewritten = true;
    const outName = nameHits.length === 0 ? rawName : encodeURIComponent(shownName);
    if (rawValue === undefined || value === undefined) return outName;
    return `${outName}=${valueHits.length === 0 ? rawValue : encodeURIComponent(applyHits(value, valueHits))}`;
  });
  return rewritten ? { query: pairs.join('&'), findings } : { findings };
}
