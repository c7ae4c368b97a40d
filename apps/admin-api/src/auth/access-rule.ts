import type { Scope } from '@navplane/auth';
import { AppError, err, ok, type Result } from '@navplane/core';
import type { Principal } from './principal';

/**
 * Who may call a route. Platform admins pass every rule. `platform`: nobody else (org keys get 403). The org
 * rules admit an org key carrying one of `scopes`, confined to its own org: `org` (the `:orgId` path param),
 * `org-query` (an optional `orgId` query parameter that defaults to the key's org) or `org-resource` (the
 * handler compares the loaded object's org, e.g. a trace).
 */
export type AccessRule =
  | { readonly kind: 'platform' }
  | { readonly kind: 'org' | 'org-query' | 'org-resource'; readonly scopes: readonly Scope[] };

/** Platform admins only. */
export const PLATFORM_ONLY: AccessRule = Object.freeze({ kind: 'platform' });

/** The org's admin keys (and platform admins). */
export const ORG_ADMIN: AccessRule = Object.freeze({ kind: 'org', scopes: Object.freeze(['admin'] as const) });

/** True when `principal` may call a route with `rule` at all (tenancy is checked separately). */
export function checkAccess(rule: AccessRule, principal: Principal): Result<void, AppError> {
  if (principal.kind === 'platform') return ok(undefined);
  if (rule.kind === 'platform') return err(new AppError('forbidden', 'This route needs a platform-admin token'));
  if (!rule.scopes.some((scope) => principal.key.scopes.includes(scope))) {
    return err(new AppError('forbidden', `This NavPlane key needs one of these scopes: ${rule.scopes.join(', ')}`));
  }
  return ok(undefined);
}

/** True when `principal` may see `orgId`'s objects (another org's look exactly like missing ones). */
export function canSeeOrg(principal: Principal, orgId: string): boolean {
  return principal.kind === 'platform' || principal.key.orgId === orgId;
}
