import { resolvePolicy, type DetectorId, type PolicyRule, type PolicyStore, type Redactor } from '@navplane/policy';
import type { NextFunction, RequestHandler } from 'express';
import { contextOf, type GatewayContext } from '../gateway-context';
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

/**
 * Chooses the policy in force for the request (most specific scope; `redact_storage` by default when bodies are
 * captured) and prepares its redactor and body capture. Warm, this is a map lookup: no query. When the org's
 * policies are unknown and cannot be read, the request fails closed (503 `policy_unavailable`): an org may have
 * a `block` policy the gateway cannot see.
 */
export function resolveRequestPolicy(options: ResolvePolicyOptions): RequestHandler {
  const { policies, getRedactor, captureBodies, captureLimits } = options;

  /** Applies the org's `rules`; synchronous unless a redactor is needed (block, redact_upstream, capture). */
  function apply(context: GatewayContext, rules: readonly PolicyRule[], next: NextFunction): Promise<void> | undefined {
    const key = context.key as NonNullable<GatewayContext['key']>;
    const route = context.route as NonNullable<GatewayContext['route']>;
    const effective =
      rules.length === 0 && !captureBodies
        ? OFF
        : resolvePolicy(rules, { workspaceId: key.workspaceId, keyId: key.id, provider: route.adapter.id, path: route.pathSuffix }, captureBodies);
    const policy: PolicyState = { effective, action: 'none' };
    context.policy = policy;
    if (effective.mode === 'off') {
      if (captureBodies) policy.captureSkipped = 'policy_off';
      next();
      return undefined;
    }
    const enforcing = effective.mode === 'block' || effective.mode === 'redact_upstream';
    if (!enforcing && !captureBodies) {
      next(); // redact_storage with nothing stored: nothing to do on the request path
      return undefined;
    }
    return getRedactor(key.orgId, effective.detectors).then((redactor) => {
      if (redactor === undefined) {
        if (enforcing) {
          next(policyFailure(policy, 'salt_unavailable'));
          return;
        }
        policy.captureSkipped = 'salt_unavailable';
        next();
        return;
      }
      policy.redactor = redactor;
      if (captureBodies) policy.capture = new BodyCapture(redactor, captureLimits, route.adapter.id);
      next();
    });
  }

  // Warm and with no redactor needed, the step is a map lookup and a synchronous call: no promise per request.
  return function resolvePolicyStep(_req, res, next) {
    const context = contextOf(res);
    const { key, route } = context;
    if (key === undefined || route === undefined) throw new Error('resolveRequestPolicy runs after authenticate');
    const rules = policies.peek(key.orgId);
    if (rules !== undefined) return apply(context, rules, next);
    return policies.load(key.orgId).then(
      (loaded) => apply(context, loaded, next),
      () => {
        const unknown: PolicyState = { effective: { policyId: null, scope: { type: 'default' }, mode: 'block', detectors: [] }, action: 'none' };
        context.policy = unknown;
        next(policyFailure(unknown, 'policy_store_unavailable'));
      },
    );
  };
}

const OFF = Object.freeze({ policyId: null, scope: Object.freeze({ type: 'default' as const }), mode: 'off' as const, detectors: Object.freeze([]) });
