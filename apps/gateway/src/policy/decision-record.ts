import { summarizeFindings } from '@navplane/policy';
import type { CapturedBodies, DetectorSummaryJson, StoredBodyRecord } from './body-capture';
import type { PolicyAction, PolicyState } from './policy-state';

/**
 * The decision record stored with a trace (`policyDecisions`): which policy, what it did, which detectors fired
 * how often in which fields (counts, field paths and placeholder hashes; never the text), and what storage kept.
 * A type alias of JSON members only: the trace takes it as its `JsonValue` as is.
 */
export type PolicyDecisionRecord = {
  policyId: string | null;
  scope: { type: string; value?: string };
  mode: string;
  action: PolicyAction;
  failure?: string;
  /** What `block`/`redact_upstream` found in the request: body fields, and query parameters as `query.<name>`. */
  detections: DetectorSummaryJson[];
  /** With body capture on: what was stored, and what storage redaction found. */
  storage?: { request: StoredBodyRecord; response: StoredBodyRecord } | { skipped: string };
};

/** The record for `policy`, or undefined when no policy was in force and nothing was captured (no decision to keep). */
export function buildDecisionRecord(policy: PolicyState | undefined, bodies: CapturedBodies | undefined): PolicyDecisionRecord | undefined {
  if (policy === undefined) return undefined;
  const { effective } = policy;
  if (effective.policyId === null && effective.mode === 'off' && policy.failure === undefined) return undefined;
  const record: PolicyDecisionRecord = {
    policyId: effective.policyId,
    scope: { ...effective.scope },
    mode: effective.mode,
    action: policy.action,
    ...(policy.failure === undefined ? {} : { failure: policy.failure }),
    detections: summarizeFindings(policy.requestFindings ?? []),
  };
  if (bodies !== undefined) record.storage = { request: bodies.request, response: bodies.response };
  else if (policy.captureSkipped !== undefined) record.storage = { skipped: policy.captureSkipped };
  return record;
}
