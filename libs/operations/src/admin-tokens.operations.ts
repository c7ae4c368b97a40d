import type { AdminVerifyResult, AuditActor, CreatedAdminToken } from '@navplane/auth';
import { ok, type AppError, type Result } from '@navplane/core';
import type { AdminTokenSummary } from '@navplane/storage';
import type { OperationContext } from './operation-context';

/** Platform-admin tokens (`npa_…`, argon2id-hashed; `admin_token.changed` published by @navplane/auth). */
export interface AdminTokenOperations {
  /** Creates a token; `token` is shown once (audit `admin_token.create`). Errors: `invalid_request` (name). */
  create(name: string, actor: AuditActor): Promise<Result<CreatedAdminToken, AppError>>;
  /** Tokens not revoked, oldest first (never a hash). */
  list(): Promise<Result<AdminTokenSummary[], AppError>>;
  /** Revokes a token, idempotently (audit `admin_token.revoke`). Errors: `not_found`; `internal_error` (retryable). */
  revoke(id: string, actor: AuditActor): Promise<Result<AdminTokenSummary, AppError>>;
  /**
   * Verifies a presented platform-admin credential: the bootstrap token (when configured) or a stored token
   * (argon2id; successes cached and evicted by the change feed). Never throws.
   */
  verify(presented: string): Promise<AdminVerifyResult>;
}

/** The admin-token use cases over `context`. */
export function createAdminTokenOperations(context: OperationContext): AdminTokenOperations {
  const { adminTokens } = context;
  return {
    create: (name, actor) => adminTokens.create(name, { actor }),
    list: async () => ok(await adminTokens.list()),
    revoke: (id, actor) => adminTokens.revoke(typeof id === 'string' ? id : '', { actor }),
    verify: (presented) => adminTokens.verify(presented),
  };
}
