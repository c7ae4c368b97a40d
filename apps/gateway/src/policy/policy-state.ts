import type { EffectivePolicy, FieldFinding, Redactor } from '@navplane/policy';
import type { BodyCapture } from './body-capture';

/** Why a policy could not be evaluated (the request failed closed, or nothing was stored). */
export type PolicyFailure =
  | 'policy_store_unavailable'
  | 'salt_unavailable'
  | 'unparseable'
  | 'too_large'
  | 'timeout'
  | 'detector_error'
  | 'unsupported_content_type'
  | 'unsupported_content_encoding'
  | 'websocket_frames';

/** What the policy did to the request on its way upstream. */
export type PolicyAction = 'none' | 'redacted' | 'blocked' | 'failed_closed';

/** The policy side of one request, filled in as the request moves through the gateway. */
export interface PolicyState {
  readonly effective: EffectivePolicy;
  /** The org's redactor for the policy's detectors (absent when the mode is off or the salt is unknown). */
  redactor?: Redactor;
  action: PolicyAction;
  failure?: PolicyFailure;
  /** What `block`/`redact_upstream` found in the request: its query string (fields `query.…`), then its body. */
  requestFindings?: readonly FieldFinding[];
  /** Under `redact_upstream`, the query string sent upstream when it had to be rewritten (else the client's is). */
  upstreamQuery?: string;
  /** Body capture for the trace (only with NAVPLANE_CAPTURE_BODIES and a mode other than off). */
  capture?: BodyCapture;
  /** Why bodies are not stored although capture is on. */
  captureSkipped?: PolicyFailure | 'policy_off';
}
