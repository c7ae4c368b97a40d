import { AppError } from '@navplane/core';
import type { ProviderAdapter } from '@navplane/providers';
import type { ProviderKeyLookup } from '@navplane/vault';
import type { Authenticated, CredentialMode } from '../gateway-context';
import type { Step } from '../pipeline/pipeline';
import { UpstreamCredential } from '../pipeline/upstream-credential';
import type { ModelRouted } from './model-route.step';

/** The org's decrypted provider key by provider and key name (`default` when absent); vault cache, no DB query when warm. */
export type GetProviderKey = (orgId: string, provider: string, name?: string) => Promise<ProviderKeyLookup>;

/** Options of resolveCredential. */
export interface ResolveCredentialOptions {
  getProviderKey: GetProviderKey;
}

/** What a credential is resolved for: the org, the provider, the key name, and how the client authenticated. */
export interface CredentialRequest {
  readonly orgId: string;
  readonly adapter: ProviderAdapter;
  /** The provider key's name (`default` unless a route target names another). */
  readonly keyName?: string;
  readonly mode: CredentialMode;
  readonly clientCredential: UpstreamCredential | undefined;
}

/**
 * The provider credential of one upstream request: in vault mode the org's stored key as the adapter's auth header
 * (400 `provider_key_missing`, 503 `vault_unavailable`); in passthrough mode the client's own provider headers,
 * forwarded unchanged and never stored. A provider whose upstream is the tenant's own endpoint
 * (`ProviderAdapter.tenantBaseUrl`) takes that endpoint from the org's stored key in both modes: without one, 400
 * `provider_key_missing` (docs/gateway.md, "Azure OpenAI"). Synchronous (no promise) in passthrough to an operator URL.
 */
export function resolveUpstreamCredential(
  getProviderKey: GetProviderKey,
  { orgId, adapter, keyName, mode, clientCredential }: CredentialRequest,
): UpstreamCredential | AppError | Promise<UpstreamCredential | AppError> {
  const tenantEndpoint = adapter.tenantBaseUrl === 'required';
  const passthrough = mode === 'passthrough';
  const client = clientCredential ?? UpstreamCredential.none;
  if (passthrough && !tenantEndpoint) return client;
  const lookup = keyName === undefined ? getProviderKey(orgId, adapter.id) : getProviderKey(orgId, adapter.id, keyName);
  const named = keyName === undefined || keyName === 'default' ? '' : ` named "${keyName}"`;
  return lookup.then((found) => {
    if (found.ok) {
      if (!tenantEndpoint) return new UpstreamCredential(adapter.vaultAuthHeaders(found.key), found.key);
      if (found.baseUrl === undefined) {
        return new AppError(
          'provider_key_missing',
          `The ${adapter.id} key${named} of this organization has no base URL; store it again with its baseUrl`,
        );
      }
      return passthrough
        ? client.withTenantBaseUrl(found.baseUrl)
        : new UpstreamCredential(adapter.vaultAuthHeaders(found.key), found.key, found.baseUrl);
    }
    if (found.reason === 'missing') {
      return new AppError(
        'provider_key_missing',
        tenantEndpoint
          ? `No ${adapter.id} key${named} is stored for this organization: store one with its baseUrl (the endpoint requests go to, in vault and passthrough mode alike)`
          : `No ${adapter.id} key${named} is stored for this organization; store one, or send your own with X-NavPlane-Key (passthrough)`,
      );
    }
    return new AppError('vault_unavailable', 'The stored provider key cannot be read right now', {
      retryable: found.reason === 'unavailable',
    });
  });
}

/**
 * Decides the provider credential of the request's provider (see resolveUpstreamCredential). A request served by a
 * route of the org's routing table (`modelRoute`) resolves one per attempted target instead (docs/routing.md): this
 * step then adds no credential of its own (the client's, if any, stays in `clientCredential`).
 */
export function resolveCredential({
  getProviderKey,
}: ResolveCredentialOptions): Step<Authenticated & Partial<ModelRouted>, { upstreamCredential: UpstreamCredential }> {
  return {
    name: 'resolveCredential',
    run(context) {
      if (context.modelRoute !== undefined) return { upstreamCredential: UpstreamCredential.none };
      const resolved = resolveUpstreamCredential(getProviderKey, {
        orgId: context.key.orgId,
        adapter: context.route.adapter,
        mode: context.credentialMode,
        clientCredential: context.clientCredential,
      });
      if (resolved instanceof Promise) {
        return resolved.then((credential) => (credential instanceof AppError ? credential : { upstreamCredential: credential }));
      }
      return resolved instanceof AppError ? resolved : { upstreamCredential: resolved };
    },
  };
}
