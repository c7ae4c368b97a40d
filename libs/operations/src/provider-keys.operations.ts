import { appendAudit, type AuditActor } from '@navplane/auth';
import { AppError, err, isAppError, ok, type Result } from '@navplane/core';
import type { EgressGuard } from '@navplane/egress';
import { BUILT_IN_ADAPTERS, BUILT_IN_PROVIDER_IDS, type ProviderId } from '@navplane/providers';
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
  /** The tenant's endpoint stored with the key; present only for providers whose upstream is the tenant's (Azure OpenAI). */
  baseUrl?: string;
}

/** What else a provider key may be stored with. */
export interface ProviderKeyExtras {
  /**
   * The tenant's own endpoint (`https://<resource>.openai.azure.com`): required for, and accepted only by, providers
   * whose upstream is the tenant's (`ProviderAdapter.tenantBaseUrl`); checked by the egress rules.
   */
  readonly baseUrl?: unknown;
}

/** The org's provider keys, envelope-encrypted in the vault (which publishes `provider_key.changed`). */
export interface ProviderKeyOperations {
  /**
   * Stores or replaces the org's key for `provider` (audit `provider_key.set` with last4 and the base URL only). Errors:
   * `not_found` (org), `invalid_request` (provider: one of the registry's ids; key: 8-4096 characters, no whitespace;
   * `baseUrl`: required by a tenant-endpoint provider, refused by any other, and refused by the egress rules — not
   * https, credentials or a fragment, a private address or a name resolving to one, unless allowlisted).
   */
  set(
    orgId: string,
    provider: string,
    key: string,
    actor: AuditActor,
    extras?: ProviderKeyExtras,
  ): Promise<Result<ProviderKeyInfo, AppError>>;
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
  ...(summary.baseUrl === null ? {} : { baseUrl: summary.baseUrl }),
});

/** True when `provider`'s upstream is the tenant's own endpoint, stored with its key (`ProviderAdapter.tenantBaseUrl`). */
function takesTenantBaseUrl(provider: string): boolean {
  return BUILT_IN_ADAPTERS.some((adapter) => adapter.id === provider && adapter.tenantBaseUrl === 'required');
}

/** The upstream path prefixes of `provider` (`/openai` for Azure): a base URL names the endpoint without them. */
function pathPrefixesOf(provider: string): string[] {
  const adapter = BUILT_IN_ADAPTERS.find((candidate) => candidate.id === provider);
  return (adapter?.pathPrefixes ?? []).map((prefix) => prefix.replace(/\/+$/, ''));
}

/**
 * The base URL a key may be stored with, normalised (no trailing slash), or the `invalid_request` saying why not:
 * the provider's rule (required / not accepted), then the egress rules at the moment it is stored (docs/security-egress.md).
 */
async function checkedBaseUrl(egress: EgressGuard, provider: string, baseUrl: unknown): Promise<Result<string | undefined, AppError>> {
  if (!takesTenantBaseUrl(provider)) {
    return baseUrl === undefined ? ok(undefined) : invalid('baseUrl', `${provider} takes no baseUrl: its upstream is set by the operator`);
  }
  if (baseUrl === undefined || baseUrl === null || baseUrl === '') {
    return invalid('baseUrl', `baseUrl is required for ${provider}: your resource's endpoint, such as https://<resource>.openai.azure.com`);
  }
  if (typeof baseUrl !== 'string' || baseUrl.length > 2048) return invalid('baseUrl', 'baseUrl must be a URL of at most 2048 characters');
  const checked = await egress.checkResolved(baseUrl);
  if (!checked.ok) return invalid('baseUrl', `baseUrl refused: ${checked.error.message}`);
  const url = checked.value;
  if (url.search !== '') return invalid('baseUrl', 'baseUrl must not carry a query');
  const normalized = `${url.origin}${url.pathname}`.replace(/\/+$/, '');
  const path = new URL(normalized).pathname;
  const prefix = pathPrefixesOf(provider).find((candidate) => path === candidate || path.endsWith(candidate));
  if (prefix !== undefined)
    return invalid('baseUrl', `baseUrl names the endpoint without ${prefix} (requests are routed to <baseUrl>${prefix}/…)`);
  return ok(normalized);
}

/**
 * The provider-key use cases over `context`. The vault writes through its own repository, outside any
 * transaction we could join, so the audit record is appended right after the vault's write (not atomically).
 */
export function createProviderKeyOperations(context: OperationContext): ProviderKeyOperations {
  const { repos, vault, clock, egress } = context;
  return {
    async set(orgId, provider, key, actor, extras = {}) {
      if (!isSupportedProvider(context, provider)) return unsupportedProvider(context, 'provider');
      if (typeof key !== 'string') return invalid('key', 'key is required');
      if (!(await orgExists(context, orgId))) return orgNotFound();
      const baseUrl = await checkedBaseUrl(egress, provider, extras.baseUrl);
      if (!baseUrl.ok) return baseUrl;
      let summary: ProviderKeySummary;
      try {
        summary = await vault.storeProviderKey({
          orgId,
          provider,
          key,
          ...(baseUrl.value === undefined ? {} : { baseUrl: baseUrl.value }),
        });
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
          details: {
            provider,
            last4: summary.last4,
            replaced: summary.rotatedAt !== null,
            ...(summary.baseUrl === null ? {} : { baseUrl: summary.baseUrl }),
          },
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
