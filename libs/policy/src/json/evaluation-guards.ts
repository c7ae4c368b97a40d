import { PolicyEvaluationError } from '../policy-evaluation-error';

/** Runs `work`, turning unexpected failures into PolicyEvaluationError('detector_error'). */
export function guarded<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof PolicyEvaluationError) throw error;
    throw new PolicyEvaluationError('detector_error', 'a detector failed', { cause: error });
  }
}
