import { AppError } from '@navplane/core';
import type { ProviderKeyLookup } from '@navplane/vault';
import type { RequestHandler } from 'express';
import { contextOf } from '../gateway-context';

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
export function resolveCredential({ getProviderKey }: ResolveCredentialOptions): RequestHandler {
  return async function injectCredential(_req, res, next) {
    const context = contextOf(res);
    const { route, key } = context;
    if (route === undefined || key === undefined) throw new Error('resolveCredential runs after authenticate');
    if (context.credentialMode === 'passthrough') {
      res.locals['upstreamCredentials'] = res.locals['providerHeaders'] ?? {};
      next();
      return;
    }
    const lookup = await getProviderKey(key.orgId, route.adapter.id);
    if (lookup.ok) {
      res.locals['upstreamCredentials'] = route.adapter.vaultAuthHeaders(lookup.key);
      next();
      return;
    }
    if (lookup.reason === 'missing') {
      next(
        new AppError(
          'provider_key_missing',
          `No ${route.adapter.id} key is stored for this organization; store one, or send your own with X-NavPlane-Key (passthrough)`,
        ),
      );
      return;
    }
    next(
      new AppError('vault_unavailable', 'The stored provider key cannot be read right now', {
        retryable: lookup.reason === 'unavailable',
      }),
    );
  };
}
