import type { AuditActor } from '@navplane/auth';
import { AppError, err, ok, type Result } from '@navplane/core';
import {
  describeLimitProblems,
  parseLimitDocument,
  readStoredLimitDocument,
  type LimitDocument,
  type LimitEntry,
  type LimitProblem,
} from '@navplane/limits';
import { CHANGE_TOPICS, type JsonObject } from '@navplane/storage';
import type { OperationContext } from './operation-context';
import { createOrgDocumentOperations } from './org-document.operations';

/**
 * The org's limits (docs/limits.md, CONTRACT §10): rate limits, budgets and spend alerts per org, workspace or key
 * scope, validated whole, stored as one document, audited, and announced to every gateway (`limits.changed`), which
 * enforces the new document within the change feed's bound.
 */
export interface LimitOperations {
  /** The org's document as stored, normalized (`{ limits: [] }` when it has none). Errors: `not_found` (org). */
  get(orgId: string): Promise<Result<LimitDocument, AppError>>;
  /**
   * Replaces the org's document with `document` (audit `limits.put` with each entry's scope and limits; publishes
   * `limits.changed` with `{ orgId }`) and returns it as stored (normalized: an org scope's id dropped, thresholds
   * sorted). Errors: `invalid_request` naming every problem with its path (`param`: the first problem's path) — the
   * schema and its bounds (`LIMIT_BOUNDS`), a scope twice, an entry limiting nothing, alerts without a budget, an org
   * scope's id not this org's, a workspace or NavPlane key id that is not one of the org's (`parseLimitDocument` with
   * the org's ids); `not_found` (org); `internal_error` (retryable: stored but not announced).
   */
  put(orgId: string, document: unknown, actor: AuditActor): Promise<Result<LimitDocument, AppError>>;
}

/** `invalid_request` listing every problem with its path. */
function refused(problems: readonly LimitProblem[]): Result<never, AppError> {
  const count = problems.length === 1 ? '' : ` (${problems.length} problems)`;
  return err(
    new AppError('invalid_request', `Invalid limits document${count}: ${describeLimitProblems(problems)}`, {
      details: { param: problems[0]?.path ?? 'limits' },
    }),
  );
}

/** A webhook URL as the audit log names it: its origin only (a path or query may carry a token, e.g. Slack's). */
function webhookOrigin(url: string): string {
  return new URL(url).origin;
}

/** What the audit record says of one entry: its scope and what it limits (the webhook by origin only). */
function auditEntry(entry: LimitEntry): JsonObject {
  const { scope, rpm, tpm, concurrency, budget, alerts } = entry;
  return {
    scope: scope.type === 'org' ? { type: 'org' } : { type: scope.type, id: scope.id },
    ...(rpm === undefined ? {} : { rpm }),
    ...(tpm === undefined ? {} : { tpm }),
    ...(concurrency === undefined ? {} : { concurrency }),
    ...(budget === undefined ? {} : { budget: { usd: budget.usd, period: budget.period } }),
    ...(alerts === undefined ? {} : { alerts: { thresholds: [...alerts.thresholds], webhook: webhookOrigin(alerts.webhookUrl) } }),
  };
}

/** What the audit record says of a document. */
function auditDetails(document: LimitDocument): JsonObject {
  return { count: document.limits.length, limits: document.limits.map(auditEntry) };
}

/** The limits use cases over `context`. */
export function createLimitOperations(context: OperationContext): LimitOperations {
  const { repos } = context;
  return createOrgDocumentOperations<LimitDocument>(context, {
    repository: (within) => within.limits,
    empty: () => ({ limits: [] }),
    readStored: readStoredLimitDocument,
    async parse(orgId, raw) {
      // Revoked keys count as the org's: a limit on one is harmless and keeps a document valid after a revoke.
      const [workspaces, keys] = await Promise.all([repos.workspaces.listByOrg(orgId), repos.gatewayKeys.listByOrg(orgId)]);
      const workspaceIds = new Set(workspaces.map((workspace) => workspace.id));
      const keyIds = new Set(keys.map((key) => key.id));
      const parsed = parseLimitDocument(raw, {
        orgId,
        hasWorkspace: (id) => workspaceIds.has(id),
        hasKey: (id) => keyIds.has(id),
      });
      return parsed.ok ? ok(parsed.value) : refused(parsed.problems);
    },
    action: 'limits.put',
    auditDetails,
    changed: CHANGE_TOPICS.limitsChanged,
    subject: "The org's limits document was saved",
  });
}
