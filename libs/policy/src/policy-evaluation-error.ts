/** Why a policy evaluation could not finish (the gateway fails closed on it in block and redact_upstream modes). */
export type PolicyEvaluationFailure = 'unparseable' | 'too_large' | 'timeout' | 'detector_error';

/** Thrown when a body cannot be evaluated: invalid JSON, past the deadline, or a detector failure. */
export class PolicyEvaluationError extends Error {
  override readonly name = 'PolicyEvaluationError';
  readonly reason: PolicyEvaluationFailure;

  constructor(reason: PolicyEvaluationFailure, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
  }
}

/** True when `value` is a PolicyEvaluationError (also across duplicated module instances). */
export function isPolicyEvaluationError(value: unknown): value is PolicyEvaluationError {
  return (
    value instanceof PolicyEvaluationError ||
    (typeof value === 'object' &&
      value !== null &&
      (value as { name?: unknown }).name === 'PolicyEvaluationError' &&
      typeof (value as { reason?: unknown }).reason === 'string')
  );
}
