import { AppError } from '@navplane/core';
import type { ProviderKeyLookup } from '@navplane/vault';
import type { Authenticated } from '../gateway-context';
import type { Step } from '../pipeline/pipeline';
import { UpstreamCredential } from '../pipeline/upstream-credential';

/** Options of resolveCredential. */
export interface ResolveCredentialOptions {
  /**
   * The org's decrypted provider key named `name` (vault cache; no DB query when warm); `name` absent = `default`.
   * This step asks for the default key; the same signature lets a route's target ask for its named key.
   */
  getProviderKey: (orgId: string, provider: string, name?: string) => Promise<ProviderKeyLookup>;
}

/**
 * Decides the provider credential: in vault mode the org's stored key as the adapter's auth header
 * (400 `provider_key_missing`, 503 `vault_unavailable`); in passthrough mode the client's own
 * provider headers, forwarded unchanged and never stored. A provider whose upstream is the tenant's own endpoint
 * (`ProviderAdapter.tenantBaseUrl`) takes that endpoint from the org's stored key in both modes: without one, 400
 * `provider_key_missing` (docs/gateway.md, "Azure OpenAI").
 */
export function resolveCredential({
  getProviderKey,
}: ResolveCredentialOptions): Step<Authenticated, { upstreamCredential: UpstreamCredential }> {
  return {
    name: 'resolveCredential',
    run(context) {
      const { route, key } = context;
      const tenantEndpoint = route.adapter.tenantBaseUrl === 'required';
      const passthrough = context.credentialMode === 'passthrough';
      const clientCredential = context.clientCredential ?? UpstreamCredential.none;
      if (passthrough && !tenantEndpoint) return { upstreamCredential: clientCredential };
      return getProviderKey(key.orgId, route.adapter.id).then((lookup) => {
        if (lookup.ok) {
          if (!tenantEndpoint)
            return { upstreamCredential: new UpstreamCredential(route.adapter.vaultAuthHeaders(lookup.key), lookup.key) };
          if (lookup.baseUrl === undefined) {
            return new AppError(
              'provider_key_missing',
              `The ${route.adapter.id} key of this organization has no base URL; store it again with its baseUrl`,
            );
          }
          return {
            upstreamCredential: passthrough
              ? clientCredential.withTenantBaseUrl(lookup.baseUrl)
              : new UpstreamCredential(route.adapter.vaultAuthHeaders(lookup.key), lookup.key, lookup.baseUrl),
          };
        }
        if (lookup.reason === 'missing') {
          return new AppError(
            'provider_key_missing',
            tenantEndpoint
              ? `No ${route.adapter.id} key is stored for this organization: store one with its baseUrl (the endpoint requests go to, in vault and passthrough mode alike)`
              : `No ${route.adapter.id} key is stored for this organization; store one, or send your own with X-NavPlane-Key (passthrough)`,
          );
        }
        return new AppError('vault_unavailable', 'The stored provider key cannot be read right now', {
          retryable: lookup.reason === 'unavailable',
        });
      });
    },
  };
}
