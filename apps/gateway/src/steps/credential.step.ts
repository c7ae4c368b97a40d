import { AppError } from '@navplane/core';
import type { ProviderKeyLookup } from '@navplane/vault';
import type { Authenticated } from '../gateway-context';
import type { Step } from '../pipeline/pipeline';
import { UpstreamCredential } from '../pipeline/upstream-credential';

/** Options of resolveCredential. */
export interface ResolveCredentialOptions {
  /** The org's decrypted provider key (vault cache; no DB query when warm). */
  getProviderKey: (orgId: string, provider: string) => Promise<ProviderKeyLookup>;
}

/**
 * Decides the provider credential: in vault mode the org's stored key as the adapter's auth header
 * (400 `provider_key_missing`, 503 `vault_unavailable`); in passthrough mode the client's own
 * provider headers, forwarded unchanged and never stored.
 */
export function resolveCredential({
  getProviderKey,
}: ResolveCredentialOptions): Step<Authenticated, { upstreamCredential: UpstreamCredential }> {
  return {
    name: 'resolveCredential',
    run(context) {
      if (context.credentialMode === 'passthrough') return { upstreamCredential: context.clientCredential ?? UpstreamCredential.none };
      const { route, key } = context;
      return getProviderKey(key.orgId, route.adapter.id).then((lookup) => {
        if (lookup.ok) return { upstreamCredential: new UpstreamCredential(route.adapter.vaultAuthHeaders(lookup.key), lookup.key) };
        if (lookup.reason === 'missing') {
          return new AppError(
            'provider_key_missing',
            `No ${route.adapter.id} key is stored for this organization; store one, or send your own with X-NavPlane-Key (passthrough)`,
          );
        }
        return new AppError('vault_unavailable', 'The stored provider key cannot be read right now', {
          retryable: lookup.reason === 'unavailable',
        });
      });
    },
  };
}
