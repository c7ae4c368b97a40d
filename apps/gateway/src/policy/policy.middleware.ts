import { resolvePolicy, type DetectorId, type PolicyStore, type Redactor } from '@navplane/policy';
import type { RequestHandler } from 'express';
import { contextOf } from '../gateway-context';
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
  return async function resolvePolicyStep(_req, res, next) {
    const context = contextOf(res);
    const { key, route } = context;
    if (key === undefined || route === undefined) throw new Error('resolveRequestPolicy runs after authenticate');
    let rules = policies.peek(key.orgId);
    if (rules === undefined) {
      try {
        rules = await policies.load(key.orgId);
      } catch {
        const unknown: PolicyState = { effective: { policyId: null, scope: { type: 'default' }, mode: 'block', detectors: [] }, action: 'none' };
        context.policy = unknown;
        next(policyFailure(unknown, 'policy_store_unavailable'));
        return;
      }
    }
    const effective =
      rules.length === 0 && !captureBodies
        ? OFF
        : resolvePolicy(rules, { workspaceId: key.workspaceId, keyId: key.id, provider: route.adapter.id, path: route.pathSuffix }, captureBodies);
    const policy: PolicyState = { effective, action: 'none' };
    context.policy = policy;
    if (effective.mode === 'off') {
      if (captureBodies) policy.captureSkipped = 'policy_off';
      next();
      return;
    }
    const enforcing = effective.mode === 'block' || effective.mode === 'redact_upstream';
    if (!enforcing && !captureBodies) {
      next(); // redact_storage with nothing stored: nothing to do on the request path
      return;
    }
    const redactor = await getRedactor(key.orgId, effective.detectors);
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
  };
}

const OFF = Object.freeze({ policyId: null, scope: Object.freeze({ type: 'default' as const }), mode: 'off' as const, detectors: Object.freeze([]) });
