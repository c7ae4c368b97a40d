import type { IncomingHttpHeaders } from 'node:http';
import { GATEWAY_KEY_PREFIX } from '@navplane/auth';
import type { ProviderAdapter } from '@navplane/providers';

/**
 * Where the NavPlane key came from and which credential mode the request uses; `invalid` when the client sent a
 * credential that is not a NavPlane key (`providerKey`: it looks like an OpenAI or Anthropic key), `none` when it
 * sent no credential at all.
 */
export type ExtractedCredentials =
  | { mode: 'vault'; navplaneKey: string }
  | { mode: 'passthrough'; navplaneKey: string; providerHeaders: Record<string, string> }
  | { mode: 'invalid'; providerKey: boolean }
  | { mode: 'none' };

const BEARER = /^Bearer\s+(\S+)\s*$/i;

// OpenAI keys (`sk-…`, `sk-proj-…`) and Anthropic keys (`sk-ant-…`) both start so.
const PROVIDER_KEY_PREFIX = 'sk-';

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

/** The headers a client may put a key in: `Authorization`, `x-api-key`, and the adapter's own. */
function presentedCredential(headers: IncomingHttpHeaders, adapter: ProviderAdapter): string | undefined {
  for (const name of ['authorization', 'x-api-key', ...adapter.credentialHeaderNames]) {
    const value = first(headers[name])?.trim();
    if (value !== undefined && value !== '') return name === 'authorization' ? (bearerToken(headers) ?? value) : value;
  }
  return undefined;
}

/**
 * Finds the NavPlane key and the credential mode (docs/gateway.md, "Credential modes"):
 * - `X-NavPlane-Key: np_…` → passthrough: the provider key the client sent in the adapter's
 *   credential headers (Authorization / x-api-key) is forwarded as is, never stored;
 * - else `Authorization: Bearer np_…` or `x-api-key: np_…` → vault mode;
 * - else any other value in those headers (a provider key, `Bearer garbage`, `Basic …`) → invalid;
 * - else none.
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
  const presented = presentedCredential(headers, adapter);
  if (presented !== undefined) return { mode: 'invalid', providerKey: presented.startsWith(PROVIDER_KEY_PREFIX) };
  return { mode: 'none' };
}
