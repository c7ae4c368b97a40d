import {
  evaluateBody,
  type BodyEvaluation,
  type BodyInput,
  type PoolEvaluationOptions,
  type RedactionPool,
  type Redactor,
} from '@navplane/policy';

/** How a body can be read by the policy layer. */
export type BodyKind = 'json' | 'text' | 'other';

/**
 * The kind of a body from its Content-Type: JSON (`application/json`, `*+json`, or none at all: SDKs always send
 * one, curl users often forget), plain text (`text/plain`), or other. A charset other than UTF-8 is `other`:
 * the policy layer does not guess encodings.
 */
export function bodyKind(contentType: string | undefined): BodyKind {
  if (contentType === undefined || contentType.trim() === '') return 'json';
  const [media = '', ...params] = contentType.split(';');
  for (const param of params) {
    const [name = '', value = ''] = param.split('=');
    if (name.trim().toLowerCase() === 'charset' && !['utf-8', 'utf8', '"utf-8"'].includes(value.trim().toLowerCase())) return 'other';
  }
  const type = media.trim().toLowerCase();
  if (type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'))) return 'json';
  if (type === 'text/plain') return 'text';
  return 'other';
}

/** What the policy layer needs of a redaction pool (createRedactionPool). */
export type BodyEvaluator = Pick<RedactionPool, 'evaluate'>;

/**
 * Decodes and evaluates a body (evaluateBody of @navplane/policy): through `pool` when there is one (large bodies go
 * to its workers, off the event loop; docs/policy.md), else inline. Rejects with PolicyEvaluationError.
 */
export function evaluateBodyWith(
  pool: BodyEvaluator | undefined,
  redactor: Redactor,
  input: BodyInput,
  options: PoolEvaluationOptions,
): Promise<BodyEvaluation> {
  if (pool !== undefined) return pool.evaluate(redactor, input, options);
  // Evaluated at once; the executor turns a throw into the rejection.
  return new Promise((resolve) => resolve(evaluateBody(redactor, input, options)));
}
