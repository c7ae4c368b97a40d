import { appendAudit, type AuditActor } from '@navplane/auth';
import { AppError, err, isAppError, ok, type Result } from '@navplane/core';
import type { EgressGuard } from '@navplane/egress';
import { BUILT_IN_ADAPTERS, BUILT_IN_PROVIDER_IDS, type ProviderId } from '@navplane/providers';
import { KEY_NAME } from '@navplane/routing';
import { DEFAULT_PROVIDER_KEY_NAME, type ProviderKeySummary } from '@navplane/storage';
import { invalid, notFound, orgExists, orgNotFound, type OperationContext } from './operation-context';

/**
 * The built-in providers an org can store a key for (`@navplane/providers`); with the operator-defined ones of the
 * config file (`OperationsOptions.operatorProviderIds`) they are the operations' `providerIds`.
 */
export const SUPPORTED_PROVIDERS: readonly ProviderId[] = BUILT_IN_PROVIDER_IDS;

/** A stored provider key as anyone may see it: never the key, only its last 4 characters. */
export interface ProviderKeyInfo {
  provider: string;
  /** The key's name within its provider (`default` unless named; routes pick keys by name). */
  name: string;
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
   * The key's name (default `default`): 1-64 letters, digits, `.`, `_`, `-`, starting with a letter or digit
   * (`KEY_NAME` of `@navplane/routing`). An org may hold several named keys per provider.
   */
  readonly name?: unknown;
  /**
   * The tenant's own endpoint (`https://<resource>.openai.azure.com`): required for, and accepted only by, providers
   * whose upstream is the tenant's (`ProviderAdapter.tenantBaseUrl`); checked by the egress rules.
   */
  readonly baseUrl?: unknown;
}

/** The org's provider keys, envelope-encrypted in the vault (which publishes `provider_key.changed`). */
export interface ProviderKeyOperations {
  /**
   * Stores or replaces the org's key for `provider` named `extras.name` (default `default`; audit `provider_key.set`
   * with the name, last4 and the base URL only). Errors: `not_found` (org), `invalid_request` (provider: one of the
   * registry's ids; name: the key-name rule; key: 8-4096 characters, no whitespace; `baseUrl`: required by a
   * tenant-endpoint provider, refused by any other, and refused by the egress rules — not https, credentials or a
   * fragment, a private address or a name resolving to one, unless allowlisted).
   */
  set(
    orgId: string,
    provider: string,
    key: string,
    actor: AuditActor,
    extras?: ProviderKeyExtras,
  ): Promise<Result<ProviderKeyInfo, AppError>>;
  /** The org's stored keys by provider, then name (no key material). Errors: `not_found` (org). */
  list(orgId: string): Promise<Result<ProviderKeyInfo[], AppError>>;
  /**
   * Deletes the org's key of `provider` named `options.name`, or every key of the provider when no name is given
   * (one audit `provider_key.delete` per deleted key, with its name). Errors: `not_found` (org, no key of the
   * provider, or none of that name), `invalid_request` (provider, name).
   */
  delete(orgId: string, provider: string, actor: AuditActor, options?: ProviderKeyDeleteOptions): Promise<Result<void, AppError>>;
}

/** Which keys of a provider a delete removes. */
export interface ProviderKeyDeleteOptions {
  /** Only the key of this name (absent: every key of the provider). */
  readonly name?: unknown;
}

/** `invalid_request` naming `name`: not a key name. */
const invalidKeyName = () => invalid('name', 'name must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit');

/** True when `value` is a well-formed provider key name (`KEY_NAME`, the one rule routes also name keys by). */
export function isProviderKeyName(value: unknown): value is string {
  return typeof value === 'string' && KEY_NAME.test(value);
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
  name: summary.name,
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
      const name = extras.name === undefined ? DEFAULT_PROVIDER_KEY_NAME : extras.name;
      if (!isProviderKeyName(name)) return invalidKeyName();
      if (typeof key !== 'string') return invalid('key', 'key is required');
      if (!(await orgExists(context, orgId))) return orgNotFound();
      const baseUrl = await checkedBaseUrl(egress, provider, extras.baseUrl);
      if (!baseUrl.ok) return baseUrl;
      let summary: ProviderKeySummary;
      try {
        summary = await vault.storeProviderKey({
          orgId,
          provider,
          name,
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
            name,
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

    async delete(orgId, provider, actor, options = {}) {
      if (!isSupportedProvider(context, provider)) return unsupportedProvider(context, 'provider');
      const { name } = options;
      if (name !== undefined && !isProviderKeyName(name)) return invalidKeyName();
      if (!(await orgExists(context, orgId))) return orgNotFound();
      let deleted: Pick<ProviderKeySummary, 'id' | 'name' | 'last4'>[];
      if (name === undefined) {
        deleted = await vault.deleteProviderKeys(orgId, provider);
        if (deleted.length === 0) return notFound(`This org has no ${provider} key`);
      } else {
        const stored = await repos.providerKeys.findByOrgAndProvider(orgId, provider, name);
        if (stored === undefined || !(await vault.deleteProviderKey(orgId, provider, name))) {
          return notFound(`This org has no ${provider} key named ${name}`);
        }
        deleted = [stored];
      }
      // One record per named key, so each key's history reads alone (never the key: its last 4 characters only).
      for (const key of deleted) {
        await appendAudit(
          repos,
          actor,
          {
            action: 'provider_key.delete',
            orgId,
            targetType: 'provider_key',
            targetId: key.id,
            details: { provider, name: key.name, last4: key.last4 },
          },
          clock.nowMs(),
        );
      }
      return ok(undefined);
    },
  };
}
