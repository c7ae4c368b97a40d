import type { IncomingHttpHeaders } from 'node:http';
import { GATEWAY_KEY_PREFIX } from '@navplane/auth';
import type { ProviderAdapter } from '@navplane/providers';

/** Where the NavPlane key came from and which credential mode the request uses. */
export type ExtractedCredentials =
  | { mode: 'vault'; navplaneKey: string }
  | { mode: 'passthrough'; navplaneKey: string; providerHeaders: Record<string, string> }
  | { mode: 'none' };

const BEARER = /^Bearer\s+(\S+)\s*$/i;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const auth = first(headers['authorization']);
  if (auth === undefined) return undefined;
  return BEARER.exec(auth)?.[1];
}

const BEARER_NAVPLANE_KEY = new RegExp(`^Bearer\\s+${GATEWAY_KEY_PREFIX}`, 'i');

/** True for anything shaped like a NavPlane key: it must never be forwarded, even in passthrough. */
function looksLikeNavPlaneKey(value: string): boolean {
  return value.startsWith(GATEWAY_KEY_PREFIX) || BEARER_NAVPLANE_KEY.test(value);
}

/**
 * Finds the NavPlane key and the credential mode (docs/gateway.md):
 * - `X-NavPlane-Key: np_…` → passthrough: the provider key the client sent in the adapter's
 *   credential headers (Authorization / x-api-key) is forwarded as is, never stored;
 * - else `Authorization: Bearer np_…` or `x-api-key: np_…` → vault mode.
 */
export function extractCredentials(headers: IncomingHttpHeaders, adapter: ProviderAdapter): ExtractedCredentials {
  const explicit = first(headers['x-navplane-key']);
  if (explicit !== undefined && explicit.trim() !== '') {
    const providerHeaders: Record<string, string> = {};
    for (const name of adapter.credentialHeaderNames) {
      const value = first(headers[name]);
      if (value !== undefined && !looksLikeNavPlaneKey(value)) providerHeaders[name] = value;
    }
    return { mode: 'passthrough', navplaneKey: explicit.trim(), providerHeaders };
  }
  const bearer = bearerToken(headers);
  if (bearer !== undefined && bearer.startsWith(GATEWAY_KEY_PREFIX)) return { mode: 'vault', navplaneKey: bearer };
  const apiKey = first(headers['x-api-key'])?.trim();
  if (apiKey !== undefined && apiKey.startsWith(GATEWAY_KEY_PREFIX)) return { mode: 'vault', navplaneKey: apiKey };
  return { mode: 'none' };
}
