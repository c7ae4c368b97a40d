import { appendAudit, type AuditActor } from '@navplane/auth';
import { AppError, err, ok, type Result } from '@navplane/core';
import {
  createBudgetEngine,
  EMPTY_LIMIT_DOCUMENT,
  readStoredLimitDocument,
  WEBHOOK_SECRET_NAME,
  type BudgetStatus,
} from '@navplane/limits';
import type { Redis } from 'ioredis';
import { orgExists, orgNotFound, type OperationContext } from './operation-context';

/**
 * Budgets and the spend-alert webhook secret (docs/limits.md, "Budgets", "Spend alerts"): each budget's state in its
 * current period, and the org's secret that signs its alerts (the vault's `navplane.webhook-secret`, sealed under the
 * master key like every provider key).
 */
export interface BudgetOperations {
  /**
   * Every budget of the org's limits in its current period: spent, reserved by requests in flight (every instance's
   * with Redis; else none is visible from here), remaining. Errors: `not_found` (org).
   */
  status(orgId: string): Promise<Result<BudgetStatus[], AppError>>;
  /**
   * Creates the org's webhook secret when it has none and returns it — the one time it is shown; undefined when the
   * org already had one. The limits `PUT` calls this when the document it stores sets alerts, and answers the value
   * as `webhookSecret`. Rejects with `vault_unavailable` when the vault cannot be read.
   */
  ensureWebhookSecret(orgId: string): Promise<string | undefined>;
  /**
   * Replaces the org's webhook secret with a new random one and returns it (audit `limits.webhook_secret.rotate`,
   * never the secret). Errors: `not_found` (org), `vault_unavailable`.
   */
  rotateWebhookSecret(orgId: string, actor: AuditActor): Promise<Result<{ webhookSecret: string }, AppError>>;
}

/** Options of the budget use cases: Redis for the reservations of every instance (NAVPLANE_REDIS_URL). */
export interface BudgetOperationsOptions {
  readonly redis?: { client: Redis; prefix: string };
}

const vaultUnavailable = () =>
  new AppError('vault_unavailable', 'The webhook secret cannot be read or stored right now; retry', { retryable: true });

/** The budget use cases over `context`. */
export function createBudgetOperations(context: OperationContext, options: BudgetOperationsOptions = {}): BudgetOperations {
  const { repos, vault, clock } = context;
  const engine = createBudgetEngine({
    // Only `statuses` is used here, with the document read below: no limits source is consulted.
    limits: { peek: () => EMPTY_LIMIT_DOCUMENT, get: () => Promise.resolve(EMPTY_LIMIT_DOCUMENT) },
    spend: repos.budgets,
    clock,
    ...(options.redis === undefined ? {} : { redis: options.redis }),
  });

  return {
    async status(orgId) {
      if (!(await orgExists(context, orgId))) return orgNotFound();
      const stored = await repos.limits.findByOrg(orgId);
      if (stored === undefined) return ok([]);
      return ok(await engine.statuses(orgId, readStoredLimitDocument(stored.document)));
    },
    async ensureWebhookSecret(orgId) {
      const existing = await vault.getProviderKey(orgId, WEBHOOK_SECRET_NAME);
      if (existing.ok) return undefined;
      if (existing.reason !== 'missing') throw vaultUnavailable();
      const created = await vault.getOrCreateOrgSecret(orgId, WEBHOOK_SECRET_NAME);
      if (!created.ok) throw vaultUnavailable();
      return created.key;
    },
    async rotateWebhookSecret(orgId, actor) {
      if (!(await orgExists(context, orgId))) return orgNotFound();
      await vault.rotateOrgSecret(orgId, WEBHOOK_SECRET_NAME);
      const rotated = await vault.getProviderKey(orgId, WEBHOOK_SECRET_NAME);
      if (!rotated.ok) return err(vaultUnavailable());
      const nowMs = clock.nowMs();
      await appendAudit(repos, actor, { action: 'limits.webhook_secret.rotate', orgId, targetType: 'org', targetId: orgId }, nowMs);
      return ok({ webhookSecret: rotated.key });
    },
  };
}
