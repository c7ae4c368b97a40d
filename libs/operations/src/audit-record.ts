import type { AuditActor } from '@navplane/auth';
import { newId, toIso } from '@navplane/core';
import type { JsonObject, Repositories } from '@navplane/storage';

/** What one mutation records (ids, names, scopes, last4 at most: never a secret or a key). */
export interface AuditFacts {
  action: string;
  orgId: string | null;
  targetType: string;
  targetId: string;
  details?: JsonObject;
}

/** Appends the audit record of `actor`'s mutation, on `repos` (pass the mutation's transaction). */
export async function appendAuditRecord(
  repos: Pick<Repositories, 'auditLog'>,
  actor: AuditActor,
  facts: AuditFacts,
  nowMs: number,
): Promise<void> {
  await repos.auditLog.append({
    id: newId('audit', nowMs),
    at: toIso(nowMs),
    actorType: actor.type,
    actorId: actor.id,
    ip: actor.ip ?? null,
    orgId: facts.orgId,
    action: facts.action,
    targetType: facts.targetType,
    targetId: facts.targetId,
    details: facts.details ?? null,
  });
}
