import { newId, toIso } from '@navplane/core';
import type { JsonObject, Repositories } from '@navplane/storage';

/** Who performs a mutation; when given, the service writes the audit record in the mutation's transaction. */
export interface AuditActor {
  /** e.g. `admin_token`, `bootstrap`, `gateway_key`, `cli`. */
  type: string;
  /** The actor's id (token or key id), or null (bootstrap token, CLI). */
  id: string | null;
  /** The client address, when the mutation came over HTTP. */
  ip?: string | null;
}

/** What a service audits for one mutation (never a secret). */
export interface AuditRecord {
  action: string;
  orgId: string | null;
  targetType: string;
  targetId: string;
  details?: JsonObject;
}

/** Appends the audit record for `actor` (no-op without an actor). */
export async function appendAudit(
  repos: Pick<Repositories, 'auditLog'>,
  actor: AuditActor | undefined,
  record: AuditRecord,
  nowMs: number,
): Promise<void> {
  if (actor === undefined) return;
  await repos.auditLog.append({
    id: newId('audit', nowMs),
    at: toIso(nowMs),
    actorType: actor.type,
    actorId: actor.id,
    ip: actor.ip ?? null,
    orgId: record.orgId,
    action: record.action,
    targetType: record.targetType,
    targetId: record.targetId,
    details: record.details ?? null,
  });
}
