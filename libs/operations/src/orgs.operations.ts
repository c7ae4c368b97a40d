import { appendAudit, type AuditActor } from '@navplane/auth';
import { newId, ok, toIso, type AppError, type Result } from '@navplane/core';
import { CHANGE_TOPICS, type Org } from '@navplane/storage';
import { validName } from './names';
import { announce, invalid, notAnnounced, orgNotFound, type OperationContext } from './operation-context';

/** What creating an org takes. */
export interface CreateOrgInput {
  /** 1-200 characters (trimmed). */
  name: string;
}

/** Orgs (tenants) and their kill switch. */
export interface OrgOperations {
  /** Creates an enabled org (audit `org.create`, publishes `org.changed`). Errors: `invalid_request` (name). */
  create(input: CreateOrgInput, actor: AuditActor): Promise<Result<Org, AppError>>;
  /** Every org, oldest first. */
  list(): Promise<Result<Org[], AppError>>;
  /** One org. Errors: `not_found`. */
  get(orgId: string): Promise<Result<Org, AppError>>;
  /**
   * The kill switch (audit `org.enable`/`org.disable`, publishes `org.changed`, awaited so every gateway instance
   * is told before this resolves). Errors: `not_found`, `invalid_request` (enabled), `internal_error` (retryable:
   * stored but not announced).
   */
  setEnabled(orgId: string, enabled: boolean, actor: AuditActor): Promise<Result<Org, AppError>>;
}

/** The org use cases over `context`. */
export function createOrgOperations(context: OperationContext): OrgOperations {
  const { repos, clock } = context;
  return {
    async create(input, actor) {
      const name = validName(input?.name);
      if (!name.ok) return name;
      const nowMs = clock.nowMs();
      const id = newId('org', nowMs);
      const org = await repos.transaction(async (trx) => {
        const created = await trx.orgs.create({ id, name: name.value, createdAt: toIso(nowMs) });
        await appendAudit(
          trx,
          actor,
          {
            action: 'org.create',
            orgId: id,
            targetType: 'org',
            targetId: id,
            details: { name: name.value },
          },
          nowMs,
        );
        return created;
      });
      // Only a cached "no such org" could be stale; the org exists and its id must reach the caller anyway.
      const failure = await announce(context, CHANGE_TOPICS.orgChanged, { orgId: id });
      if (failure !== undefined) context.onError(failure);
      return ok(org);
    },

    list: async () => ok(await repos.orgs.list()),

    async get(orgId) {
      const org = typeof orgId === 'string' ? await repos.orgs.findById(orgId) : undefined;
      return org === undefined ? orgNotFound() : ok(org);
    },

    async setEnabled(orgId, enabled, actor) {
      if (typeof enabled !== 'boolean') return invalid('enabled', 'enabled must be true or false');
      if (typeof orgId !== 'string') return orgNotFound();
      const nowMs = clock.nowMs();
      const org = await repos.transaction(async (trx) => {
        const updated = await trx.orgs.setEnabled(orgId, enabled, toIso(nowMs));
        if (updated === undefined) return undefined;
        await appendAudit(
          trx,
          actor,
          {
            action: enabled ? 'org.enable' : 'org.disable',
            orgId,
            targetType: 'org',
            targetId: orgId,
            details: { enabled },
          },
          nowMs,
        );
        return updated;
      });
      if (org === undefined) return orgNotFound();
      const failure = await announce(context, CHANGE_TOPICS.orgChanged, { orgId });
      if (failure !== undefined) return notAnnounced(enabled ? 'The org was enabled' : 'The org was disabled', failure);
      return ok(org);
    },
  };
}
