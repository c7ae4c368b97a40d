import type { IncomingHttpHeaders } from 'node:http';
import { AppError } from '@navplane/core';
import { isPolicyEvaluationError, summarizeFindings, type BodyEvaluation, type FieldFinding } from '@navplane/policy';
import { bodyKind, evaluateBodyWith, type BodyEvaluator } from './body-content';
import type { PolicyFailure, PolicyState } from './policy-state';

/** Bounds of one evaluation (NAVPLANE_POLICY_MAX_BODY_BYTES, NAVPLANE_POLICY_TIMEOUT_MS) and where it runs. */
export interface PolicyLimits {
  maxBodyBytes: number;
  timeoutMs: number;
  /**
   * The redaction pool (createRedactionPool): large bodies are decoded and evaluated in its workers, off the event
   * loop. Absent: every body is evaluated inline (tests, tools).
   */
  pool?: BodyEvaluator;
}

/** What went upstream after a `block`/`redact_upstream` evaluation that let the request through. */
export interface EnforcedBody {
  /** The decoded request text as forwarded (redacted when `rewritten`). */
  text: string;
  /** True when the body was rewritten: send `text` as UTF-8 with no Content-Encoding. */
  rewritten: boolean;
  /** What the evaluation found in the body (the query's findings are on the policy state too). */
  findings: readonly FieldFinding[];
}

const FAILURE_TEXT: Record<PolicyFailure, string> = {
  policy_store_unavailable: 'the policy store is unreachable',
  salt_unavailable: 'the organization’s placeholder salt cannot be read',
  unparseable: 'the body or the query string could not be parsed',
  too_large: 'the body is larger than the policy limit',
  timeout: 'evaluation took too long',
  detector_error: 'a detector failed',
  unsupported_content_type: 'the content type cannot be inspected',
  websocket_frames: 'WebSocket frames are not inspected',
  unsupported_content_encoding: 'the content encoding is not supported',
};

/** The fail-closed refusal: 503 `policy_unavailable` (415 `unsupported_media_type` for an unknown Content-Encoding). */
export function policyFailure(policy: PolicyState, failure: PolicyFailure): AppError {
  policy.action = 'failed_closed';
  policy.failure = failure;
  if (failure === 'unsupported_content_encoding') {
    return new AppError(
      'unsupported_media_type',
      'The request’s Content-Encoding is not supported under this organization’s policy (use identity, gzip, deflate or br); it was not forwarded',
    );
  }
  return new AppError(
    'policy_unavailable',
    `The request could not be checked against the organization’s policy (${FAILURE_TEXT[failure]}); it was not forwarded`,
    { retryable: failure === 'policy_store_unavailable' || failure === 'salt_unavailable' || failure === 'timeout' },
  );
}

/** The refusal of a request a `block` policy matched (in its body or its query string): detectors and counts, never text. */
export function policyBlocked(findings: readonly FieldFinding[]): AppError {
  const found = summarizeFindings(findings)
    .map((summary) => `${summary.detector} (${summary.count})`)
    .join(', ');
  return new AppError('policy_blocked', `The request was blocked by the organization’s policy: it contains ${found}`);
}

/** Adds `findings` to what `block`/`redact_upstream` found in the request so far (the query's, then the body's). */
export function recordRequestFindings(policy: PolicyState, findings: readonly FieldFinding[]): void {
  policy.requestFindings = policy.requestFindings === undefined ? findings : [...policy.requestFindings, ...findings];
}

/**
 * Evaluates a request body under `block` or `redact_upstream`, failing closed: nothing that was not read in full
 * is ever forwarded. Resolves to what to forward, or rejects with the refusal (400 `policy_blocked`, 503
 * `policy_unavailable`, 415). Decoding and evaluation share one deadline (NAVPLANE_POLICY_TIMEOUT_MS), which with a
 * pool also covers the wait for a worker. Records the findings and the action on `policy`.
 */
export async function enforceRequestPolicy(
  body: Buffer,
  headers: IncomingHttpHeaders,
  policy: PolicyState,
  limits: PolicyLimits,
): Promise<EnforcedBody> {
  const { redactor } = policy;
  if (redactor === undefined) throw policyFailure(policy, 'salt_unavailable');
  if (body.length > limits.maxBodyBytes) throw policyFailure(policy, 'too_large');
  const kind = bodyKind(headers['content-type']);
  if (kind === 'other') throw policyFailure(policy, 'unsupported_content_type');

  const block = policy.effective.mode === 'block';
  const options = {
    mode: block ? ('scan' as const) : ('redact' as const),
    maxBytes: limits.maxBodyBytes,
    deadline: performance.now() + limits.timeoutMs,
  };
  let result: BodyEvaluation;
  try {
    result = await evaluateBodyWith(limits.pool, redactor, { bytes: body, contentEncoding: headers['content-encoding'], kind }, options);
  } catch (error) {
    throw policyFailure(policy, isPolicyEvaluationError(error) ? error.reason : 'detector_error');
  }
  if (!result.ok) throw policyFailure(policy, result.reason);
  recordRequestFindings(policy, result.findings);
  // Nothing in the body: the action stays what the query's evaluation made it (`none` or `redacted`).
  if (result.findings.length === 0) return { text: result.text, rewritten: false, findings: result.findings };
  if (block) {
    policy.action = 'blocked';
    throw policyBlocked(result.findings);
  }
  if (!result.rewritten) throw policyFailure(policy, 'detector_error'); // findings but no rewrite: never forward
  policy.action = 'redacted';
  return { text: result.text, rewritten: true, findings: result.findings };
}
