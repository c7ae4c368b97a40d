import { PolicyEvaluationError } from '../policy-evaluation-error';

/** Throws PolicyEvaluationError('timeout') when `deadline` (performance.now() clock) has passed. */
export function checkDeadline(deadline: number | undefined): void {
  if (deadline !== undefined && performance.now() > deadline) {
    throw new PolicyEvaluationError('timeout', 'policy evaluation passed its deadline');
  }
}

/** Runs `work`, turning unexpected failures into PolicyEvaluationError('detector_error'). */
export function guarded<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof PolicyEvaluationError) throw error;
    throw new PolicyEvaluationError('detector_error', 'a detector failed', { cause: error });
  }
}
