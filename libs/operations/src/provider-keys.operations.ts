import { appendAudit, type AuditActor } from '@navplane/auth';
import { AppError, err, isAppError, ok, type Result } from '@navplane/core';
import { BUILT_IN_PROVIDER_IDS, type ProviderId } from '@navplane/providers';
import type { ProviderKeySummary } from '@navplane/storage';
import { invalid, notFound, orgExists, orgNotFound, type OperationContext } from './operation-context';

/**
 * The built-in providers an org can store a key for (`@navplane/providers`); with the operator-defined ones of the
 * config file (`OperationsOptions.operatorProviderIds`) they are the operations' `providerIds`.
 */
export const SUPPORTED_PROVIDERS: readonly ProviderId[] = BUILT_IN_PROVIDER_IDS;

/** A stored provider key as anyone may see it: never the key, only its last 4 characters. */
export interface ProviderKeyInfo {
  provider: string;
  last4: string;
  createdAt: string;
  /** When it was last replaced (null until then). */
  rotatedAt: string | null;
}

/** The org's provider keys, envelope-encrypted in the vault (which publishes `provider_key.changed`). */
export interface ProviderKeyOperations {
  /**
   * Stores or replaces the org's key for `provider` (audit `provider_key.set` with last4 only). Errors:
   * `not_found` (org), `invalid_request` (provider: one of the registry's ids; key: 8-4096 characters, no whitespace).
   */
  set(orgId: string, provider: string, key: string, actor: AuditActor): Promise<Result<ProviderKeyInfo, AppError>>;
  /** The org's stored keys by provider name (no key material). Errors: `not_found` (org). */
  list(orgId: string): Promise<Result<ProviderKeyInfo[], AppError>>;
  /** Deletes the org's key (audit `provider_key.delete`). Errors: `not_found` (org or no key), `invalid_request` (provider). */
  delete(orgId: string, provider: string, actor: AuditActor): Promise<Result<void, AppError>>;
}

/** True when `value` is one of the providers of `context` (`OperationContext.providerIds`). */
export function isSupportedProvider(context: Pick<OperationContext, 'providerIds'>, value: unknown): value is ProviderId {
  return typeof value === 'string' && context.providerIds.includes(value);
}

/** `invalid_request` naming `param`: the value is no provider of `context`. */
export function unsupportedProvider(context: Pick<OperationContext, 'providerIds'>, param: string) {
  return invalid(param, `${param} must be one of: ${context.providerIds.join(', ')}`);
}

const toInfo = (summary: ProviderKeySummary): ProviderKeyInfo => ({
  provider: summary.provider,
  last4: summary.last4,
  createdAt: summary.createdAt,
  rotatedAt: summary.rotatedAt,
});

/**
 * The provider-key use cases over `context`. The vault writes through its own repository, outside any
 * transaction we could join, so the audit record is appended right after the vault's write (not atomically).
 */
export function createProviderKeyOperations(context: OperationContext): ProviderKeyOperations {
  const { repos, vault, clock } = context;
  return {
    async set(orgId, provider, key, actor) {
      if (!isSupportedProvider(context, provider)) return unsupportedProvider(context, 'provider');
      if (typeof key !== 'string') return invalid('key', 'key is required');
      if (!(await orgExists(context, orgId))) return orgNotFound();
      let summary: ProviderKeySummary;
      try {
        summary = await vault.storeProviderKey({ orgId, provider, key });
      } catch (error) {
        // The vault rejects bad input as AppError with `details.field`; its messages never include the key.
        if (isAppError(error) && (error.code === 'invalid_request' || error.code === 'conflict')) {
          const field = error.details?.['field'];
          const param = typeof field === 'string' ? field : 'key';
          return err(new AppError(error.code, error.message, { retryable: error.retryable, details: { param } }));
        }
        throw error;
      }
      const nowMs = clock.nowMs();
      await appendAudit(
        repos,
        actor,
        {
          action: 'provider_key.set',
          orgId,
          targetType: 'provider_key',
          targetId: summary.id,
          details: { provider, last4: summary.last4, replaced: summary.rotatedAt !== null },
        },
        nowMs,
      );
      return ok(toInfo(summary));
    },

    async list(orgId) {
      if (!(await orgExists(context, orgId))) return orgNotFound();
      return ok((await repos.providerKeys.listByOrg(orgId)).map(toInfo));
    },

    async delete(orgId, provider, actor) {
      if (!isSupportedProvider(context, provider)) return unsupportedProvider(context, 'provider');
      if (!(await orgExists(context, orgId))) return orgNotFound();
      const stored = await repos.providerKeys.findByOrgAndProvider(orgId, provider);
      if (stored === undefined || !(await vault.deleteProviderKey(orgId, provider))) {
        return notFound(`This org has no ${provider} key`);
      }
      await appendAudit(
        repos,
        actor,
        {
          action: 'provider_key.delete',
          orgId,
          targetType: 'provider_key',
          targetId: stored.id,
          details: { provider, last4: stored.last4 },
        },
        clock.nowMs(),
      );
      return ok(undefined);
    },
  };
}
