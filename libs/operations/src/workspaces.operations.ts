import { appendAudit, type AuditActor } from '@navplane/auth';
import { newId, ok, toIso, type AppError, type Result } from '@navplane/core';
import type { Workspace } from '@navplane/storage';
import { validName } from './names';
import { orgExists, orgNotFound, type OperationContext } from './operation-context';

/** What creating a workspace takes. */
export interface CreateWorkspaceInput {
  /** 1-200 characters (trimmed). */
  name: string;
}

/** Workspaces: groupings of keys and traces inside an org. */
export interface WorkspaceOperations {
  /**
   * Creates a workspace (audit `workspace.create`; no change event: no gateway cache holds workspaces).
   * Errors: `not_found` (org), `invalid_request` (name).
   */
  create(orgId: string, input: CreateWorkspaceInput, actor: AuditActor): Promise<Result<Workspace, AppError>>;
  /** The org's workspaces, oldest first. Errors: `not_found` (org). */
  list(orgId: string): Promise<Result<Workspace[], AppError>>;
}

/** The workspace use cases over `context`. */
export function createWorkspaceOperations(context: OperationContext): WorkspaceOperations {
  const { repos, clock } = context;
  return {
    async create(orgId, input, actor) {
      const name = validName(input?.name);
      if (!name.ok) return name;
      if (!(await orgExists(context, orgId))) return orgNotFound();
      const nowMs = clock.nowMs();
      const id = newId('workspace', nowMs);
      const workspace = await repos.transaction(async (trx) => {
        const created = await trx.workspaces.create({ id, orgId, name: name.value, createdAt: toIso(nowMs) });
        await appendAudit(
          trx,
          actor,
          {
            action: 'workspace.create',
            orgId,
            targetType: 'workspace',
            targetId: id,
            details: { name: name.value },
          },
          nowMs,
        );
        return created;
      });
      return ok(workspace);
    },

    async list(orgId) {
      if (!(await orgExists(context, orgId))) return orgNotFound();
      return ok(await repos.workspaces.listByOrg(orgId));
    },
  };
}
