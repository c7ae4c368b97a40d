import type { PolicyMode, PolicyScopeType } from '@navplane/storage';
import { DETECTOR_IDS, type DetectorId } from '../detector-ids';

export type { PolicyMode, PolicyScopeType } from '@navplane/storage';

/** One stored policy as the engine needs it. `scopeValue` is null exactly for `org`. */
export interface PolicyRule {
  readonly id: string;
  readonly scopeType: PolicyScopeType;
  readonly scopeValue: string | null;
  readonly mode: PolicyMode;
  /** Undefined: every detector. */
  readonly detectors?: readonly DetectorId[];
}

/** The request a policy is chosen for. */
export interface PolicyTarget {
  readonly workspaceId: string | null;
  readonly keyId: string;
  /** `openai` or `anthropic`. */
  readonly provider: string;
  /** The upstream path, no query (`/v1/chat/completions`). */
  readonly path: string;
}

/** The policy in force for one request. */
export interface EffectivePolicy {
  /** The stored policy's id, or null for the built-in default. */
  readonly policyId: string | null;
  /** Which scope matched; `default` when no stored policy applies. */
  readonly scope: { readonly type: PolicyScopeType | 'default'; readonly value?: string };
  readonly mode: PolicyMode;
  /** The detectors to run (every one when the policy names none). */
  readonly detectors: readonly DetectorId[];
}

/**
 * Most specific first: a key's policy beats its workspace's, which beats a route's, which beats a provider's,
 * which beats the org-wide one. Identity scopes (key, workspace) outrank traffic scopes (route, provider) because
 * they name who sends the request, which is what security teams scope exceptions to.
 */
export const SCOPE_PRECEDENCE: readonly PolicyScopeType[] = Object.freeze(['key', 'workspace', 'route', 'provider', 'org']);

const RANK = Object.fromEntries(SCOPE_PRECEDENCE.map((type, index) => [type, index])) as Record<PolicyScopeType, number>;

/**
 * How specifically a route value matches (higher is more specific), or -1. A value matches the upstream path
 * (`/v1/chat/completions`) or the provider-prefixed gateway path (`/openai/v1/chat/completions`), exactly, or as a
 * prefix when it ends in `*` (`/v1/*`, `/anthropic/*`). Exact beats any prefix; a longer prefix beats a shorter one.
 */
export function routeMatch(value: string, provider: string, path: string): number {
  const candidates = [path, `/${provider}${path}`];
  if (value.endsWith('*')) {
    const prefix = value.slice(0, -1);
    return candidates.some((candidate) => candidate.startsWith(prefix)) ? prefix.length : -1;
  }
  return candidates.includes(value) ? Number.MAX_SAFE_INTEGER : -1;
}

/** The built-in policy when none is stored: `redact_storage` when bodies are captured, else `off`. */
export function defaultPolicy(captureBodies: boolean): EffectivePolicy {
  return {
    policyId: null,
    scope: { type: 'default' },
    mode: captureBodies ? 'redact_storage' : 'off',
    detectors: DETECTOR_IDS,
  };
}

/** Whether `rule` applies to `target`, and how specifically (-1: not at all). */
function specificity(rule: PolicyRule, target: PolicyTarget): number {
  switch (rule.scopeType) {
    case 'org':
      return 0;
    case 'key':
      return rule.scopeValue === target.keyId ? 0 : -1;
    case 'workspace':
      return target.workspaceId !== null && rule.scopeValue === target.workspaceId ? 0 : -1;
    case 'provider':
      return rule.scopeValue === target.provider ? 0 : -1;
    case 'route':
      return rule.scopeValue === null ? -1 : routeMatch(rule.scopeValue, target.provider, target.path);
    default:
      return -1;
  }
}

/**
 * The policy in force: the applicable rule of the most specific scope type (SCOPE_PRECEDENCE), and among route
 * rules the most specific match; the built-in default when none applies. Deterministic for any rule order.
 */
export function resolvePolicy(rules: readonly PolicyRule[], target: PolicyTarget, captureBodies: boolean): EffectivePolicy {
  let best: PolicyRule | undefined;
  let bestRank = Number.MAX_SAFE_INTEGER;
  let bestMatch = -1;
  for (const rule of rules) {
    const match = specificity(rule, target);
    if (match < 0) continue;
    const rank = RANK[rule.scopeType];
    if (rank < bestRank || (rank === bestRank && (match > bestMatch || (match === bestMatch && best !== undefined && rule.id < best.id)))) {
      best = rule;
      bestRank = rank;
      bestMatch = match;
    }
  }
  if (best === undefined) return defaultPolicy(captureBodies);
  return {
    policyId: best.id,
    scope: best.scopeValue === null ? { type: best.scopeType } : { type: best.scopeType, value: best.scopeValue },
    mode: best.mode,
    detectors: best.detectors !== undefined && best.detectors.length > 0 ? best.detectors : DETECTOR_IDS,
  };
}
