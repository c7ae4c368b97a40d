import { resolvePolicy, type DetectorId, type PolicyRule, type PolicyStore, type Redactor } from '@navplane/policy';
import type { WithCredential } from '../gateway-context';
import { Refusal, type Step, type StepResult } from '../pipeline/pipeline';
import { BodyCapture, type CaptureLimits } from './body-capture';
import { policyFailure } from './enforce-policy';
import type { PolicyState } from './policy-state';

/** Options of resolveRequestPolicy. */
export interface ResolvePolicyOptions {
  /** The org's policies from memory (`peek`), read from the database only when unknown (`load`). */
  policies: Pick<PolicyStore, 'peek' | 'load'>;
  /** The org's redactor for these detectors, or undefined when its placeholder salt cannot be read. */
  getRedactor: (orgId: string, detectors: readonly DetectorId[]) => Promise<Redactor | undefined>;
  /** NAVPLANE_CAPTURE_BODIES. */
  captureBodies: boolean;
  /** NAVPLANE_CAPTURE_MAX_BYTES and the redaction bounds of stored copies. */
  captureLimits: CaptureLimits;
}

/** What resolveRequestPolicy adds. */
export interface PolicyResolution {
  policy: PolicyState;
}

type Result = StepResult<PolicyResolution>;

const OFF = Object.freeze({
  policyId: null,
  scope: Object.freeze({ type: 'default' as const }),
  mode: 'off' as const,
  detectors: Object.freeze([]),
});

/** The refusal of a request whose policy could not be evaluated, with the policy state it ended in. */
function failClosed(policy: PolicyState, failure: Parameters<typeof policyFailure>[1]): Refusal<PolicyResolution> {
  return new Refusal<PolicyResolution>(policyFailure(policy, failure), { policy });
}

/**
 * Chooses the policy in force for the request (most specific scope; `redact_storage` by default when bodies are
 * captured) and prepares its redactor and body capture. Warm, this is a map lookup: no query. When the org's
 * policies are unknown and cannot be read, the request fails closed (503 `policy_unavailable`): an org may have
 * a `block` policy the gateway cannot see.
 */
export function resolveRequestPolicy(options: ResolvePolicyOptions): Step<WithCredential, PolicyResolution> {
  const { policies, getRedactor, captureBodies, captureLimits } = options;

  /** Applies the org's `rules`; synchronous unless a redactor is needed (block, redact_upstream, capture). */
  function apply({ key, route }: WithCredential, rules: readonly PolicyRule[]): Result | Promise<Result> {
    const effective =
      rules.length === 0 && !captureBodies
        ? OFF
        : resolvePolicy(
            rules,
            { workspaceId: key.workspaceId, keyId: key.id, provider: route.adapter.id, path: route.pathSuffix },
            captureBodies,
          );
    const policy: PolicyState = { effective, action: 'none' };
    if (effective.mode === 'off') {
      if (captureBodies) policy.captureSkipped = 'policy_off';
      return { policy };
    }
    const enforcing = effective.mode === 'block' || effective.mode === 'redact_upstream';
    if (!enforcing && !captureBodies) return { policy }; // redact_storage with nothing stored: nothing to do
    return getRedactor(key.orgId, effective.detectors).then((redactor): Result => {
      if (redactor === undefined) {
        if (enforcing) return failClosed(policy, 'salt_unavailable');
        policy.captureSkipped = 'salt_unavailable';
        return { policy };
      }
      policy.redactor = redactor;
      if (captureBodies) policy.capture = new BodyCapture(redactor, captureLimits, route.adapter);
      return { policy };
    });
  }

  return {
    name: 'resolveRequestPolicy',
    // Warm and with no redactor needed, the step is a map lookup and a synchronous call: no promise per request.
    run(context) {
      const rules = policies.peek(context.key.orgId);
      if (rules !== undefined) return apply(context, rules);
      return policies.load(context.key.orgId).then(
        (loaded) => apply(context, loaded),
        () =>
          failClosed(
            { effective: { policyId: null, scope: { type: 'default' }, mode: 'block', detectors: [] }, action: 'none' },
            'policy_store_unavailable',
          ),
      );
    },
  };
}
