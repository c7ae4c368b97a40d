import type { AdminActor, AuditActor, AuthenticatedKey } from '@navplane/auth';
import type { Response } from 'express';

/** Who is calling: a platform admin (every org) or an org's NavPlane key (its own org only, by scope). */
export type Principal =
  | { readonly kind: 'platform'; readonly admin: AdminActor }
  | { readonly kind: 'org'; readonly key: AuthenticatedKey };

// The principal of each authenticated response (typed, unlike `res.locals`); gone with the response.
const principals = new WeakMap<Response, Principal>();

/** Records who is calling, for the routes that run after `authenticate`. */
export function setPrincipal(res: Response, principal: Principal): void {
  principals.set(res, principal);
}

/** The principal `authenticate` recorded for the response (a bug when missing: routes run after it). */
export function principalOf(res: Response): Principal {
  const principal = principals.get(res);
  if (principal === undefined) throw new Error('principalOf: authenticate has not run');
  return principal;
}

/** Who the audit log names for a mutation by `principal` from `ip`. */
export function auditActorOf(principal: Principal, ip: string | undefined): AuditActor {
  const from = ip ?? null;
  if (principal.kind === 'platform') return { type: principal.admin.type, id: principal.admin.id, ip: from };
  return { type: 'gateway_key', id: principal.key.id, ip: from };
}

/** The org `principal` is confined to; undefined for a platform admin. */
export function orgScopeOf(principal: Principal): string | undefined {
  return principal.kind === 'org' ? principal.key.orgId : undefined;
}
