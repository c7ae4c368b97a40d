import { isPolicyEvaluationError, redactQuery, type QueryRedaction } from '@navplane/policy';
import type { WithPolicy } from '../gateway-context';
import type { Step } from '../pipeline/pipeline';
import { policyBlocked, policyFailure, recordRequestFindings } from './enforce-policy';

/** Options of enforceQueryPolicy. */
export interface QueryPolicyOptions {
  /** NAVPLANE_POLICY_TIMEOUT_MS: the longest the query's evaluation may take. */
  timeoutMs: number;
}

/**
 * Inspects the query string under `block` and `redact_upstream` like body text (docs/policy.md, "What is inspected"):
 * a detected value refuses the request (400 `policy_blocked`, the body's error) or is replaced upstream by its
 * URL-encoded placeholder (`policy.upstreamQuery`); a query that cannot be decoded or evaluated fails closed (503
 * `policy_unavailable`). Runs before the body is read, inline: a query is bounded by Node's header limit (16 KiB).
 */
export function enforceQueryPolicy({ timeoutMs }: QueryPolicyOptions): Step<WithPolicy, object> {
  const nothing = {};
  return {
    name: 'enforceQueryPolicy',
    run({ policy, rawQuery }) {
      const { mode } = policy.effective;
      if (rawQuery === '' || (mode !== 'block' && mode !== 'redact_upstream')) return nothing;
      const { redactor } = policy;
      if (redactor === undefined) return policyFailure(policy, 'salt_unavailable');
      const block = mode === 'block';
      let result: QueryRedaction;
      try {
        result = redactQuery(redactor, rawQuery, { mode: block ? 'scan' : 'redact', deadline: performance.now() + timeoutMs });
      } catch (error) {
        return policyFailure(policy, isPolicyEvaluationError(error) ? error.reason : 'detector_error');
      }
      if (result.findings.length === 0) return nothing;
      recordRequestFindings(policy, result.findings);
      if (block) {
        policy.action = 'blocked';
        return policyBlocked(result.findings);
      }
      if (result.query === undefined) return policyFailure(policy, 'detector_error'); // findings but no rewrite: never forward
      policy.action = 'redacted';
      policy.upstreamQuery = result.query;
      return nothing;
    },
  };
}
