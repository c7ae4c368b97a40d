import { PolicyEvaluationError } from '../policy-evaluation-error';

/**
 * Work units between two looks at the clock. A unit is about one character scanned or one loop step, so at
 * tens of nanoseconds per unit the clock is read roughly every millisecond.
 */
export const UNITS_PER_CHECK = 16_384;

/**
 * A `performance.now()` deadline that long-running loops report their work to. Work is counted and the clock
 * read every UNITS_PER_CHECK units, so even one large string stops soon after the deadline; past it, the
 * loop throws PolicyEvaluationError('timeout'). Without a deadline every call is a no-op.
 */
export class Deadline {
  private units = 0;

  constructor(readonly at: number | undefined) {}

  /** Counts `units` of work; reads the clock (and may throw 'timeout') once enough work has been counted. */
  spend(units: number): void {
    if (this.at === undefined) return;
    this.units += units;
    if (this.units >= UNITS_PER_CHECK) {
      this.units = 0;
      this.check();
    }
  }

  /** Throws PolicyEvaluationError('timeout') when the deadline has passed. */
  check(): void {
    if (this.at !== undefined && performance.now() > this.at) {
      throw new PolicyEvaluationError('timeout', 'policy evaluation passed its deadline');
    }
  }
}

/** A deadline that never passes (scans without a deadline). */
export const NO_DEADLINE: Deadline = new Deadline(undefined);
