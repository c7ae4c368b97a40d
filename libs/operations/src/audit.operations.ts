import { isId, ok, type AppError, type Result } from '@navplane/core';
import type { AuditEntry } from '@navplane/storage';
import { invalid, orgExists, orgNotFound, type OperationContext } from './operation-context';

/** One page of a newest-first listing; pass `nextCursor` as `before` for the next (null: this was the last). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Options of audit.list. */
export interface ListAuditInput {
  /** Only this org's records (default: every record, platform ones included). */
  orgId?: string;
  /** Page size, 1-1000 (default 100). */
  limit?: number;
  /** Cursor: `nextCursor` of the previous page (an `aud_…` id). */
  before?: string;
}

/** The audit log: who did what, when (never secrets). */
export interface AuditOperations {
  /** Records newest first. Errors: `not_found` (orgId), `invalid_request` (limit, before). */
  list(input?: ListAuditInput): Promise<Result<Page<AuditEntry>, AppError>>;
}

/** Default audit page size. */
export const DEFAULT_AUDIT_LIMIT = 100;

/** The audit use cases over `context`. */
export function createAuditOperations(context: OperationContext): AuditOperations {
  return {
    async list(input = {}) {
      const limit = input.limit ?? DEFAULT_AUDIT_LIMIT;
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return invalid('limit', 'limit must be a whole number from 1 to 1000');
      if (input.before !== undefined && !isId('audit', input.before)) return invalid('before', 'before must be an audit record id (aud_…)');
      if (input.orgId !== undefined && !(await orgExists(context, input.orgId))) return orgNotFound();
      const items = await context.repos.auditLog.list({ orgId: input.orgId, limit, before: input.before });
      const last = items[items.length - 1];
      return ok({ items, nextCursor: items.length === limit && last !== undefined ? last.id : null });
    },
  };
}
