import type { IncomingHttpHeaders } from 'node:http';
import { GATEWAY_KEY_PREFIX } from '@navplane/auth';
import type { KeyHeader, ProviderAdapter } from '@navplane/providers';

/**
 * Where the NavPlane key came from and which credential mode the request uses; `invalid` when the client sent a
 * credential that is not a NavPlane key (`providerKey`: it is shaped like a provider's key), `none` when it sent no
 * credential at all.
 */
export type ExtractedCredentials =
  | { mode: 'vault'; navplaneKey: string }
  | { mode: 'passthrough'; navplaneKey: string; providerHeaders: Record<string, string> }
  | { mode: 'invalid'; providerKey: boolean }
  | { mode: 'none' };

const BEARER = /^Bearer\s+(\S+)\s*$/i;

// Every route accepts the NavPlane key in these (docs/gateway.md, "Keys"); each provider adds where its SDKs put
// their own key (`ProviderAdapter.keyHeaders`).
const GATEWAY_KEY_HEADERS: readonly KeyHeader[] = [{ name: 'authorization', scheme: 'bearer' }, { name: 'x-api-key' }];

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The key a header carries as its scheme says (the token of `Bearer <token>`), or undefined. */
function keyIn(headers: IncomingHttpHeaders, header: KeyHeader): string | undefined {
  const value = first(headers[header.name])?.trim();
  if (value === undefined || value === '') return undefined;
  return header.scheme === 'bearer' ? BEARER.exec(value)?.[1] : value;
}

const BEARER_NAVPLANE_KEY = new RegExp(`^Bearer\\s+${GATEWAY_KEY_PREFIX}`, 'i');

/** True for anything shaped like a NavPlane key: it must never be forwarded, even in passthrough. */
function looksLikeNavPlaneKey(value: string): boolean {
  return value.startsWith(GATEWAY_KEY_PREFIX) || BEARER_NAVPLANE_KEY.test(value);
}

// Worked out once per adapter, not per request.
const KEY_HEADERS = new WeakMap<ProviderAdapter, readonly KeyHeader[]>();

/** The headers a NavPlane key may come in on a route of `adapter`: the gateway's own forms, then the provider's. */
function keyHeadersOf(adapter: ProviderAdapter): readonly KeyHeader[] {
  let headers = KEY_HEADERS.get(adapter);
  if (headers === undefined) {
    const extra = adapter.keyHeaders.filter((h) => !GATEWAY_KEY_HEADERS.some((g) => g.name === h.name && g.scheme === h.scheme));
    headers = extra.length === 0 ? GATEWAY_KEY_HEADERS : [...GATEWAY_KEY_HEADERS, ...extra];
    KEY_HEADERS.set(adapter, headers);
  }
  return headers;
}

/** The first credential the client presented in any key header, as sent (a bearer header's whole value when it is no bearer token). */
function presentedCredential(headers: IncomingHttpHeaders, keyHeaders: readonly KeyHeader[]): string | undefined {
  for (const header of keyHeaders) {
    const value = first(headers[header.name])?.trim();
    if (value !== undefined && value !== '') return keyIn(headers, header) ?? value;
  }
  return undefined;
}

/**
 * Finds the NavPlane key and the credential mode (docs/gateway.md, "Credential modes"):
 * - `X-NavPlane-Key: np_…` → passthrough: the provider key the client sent in the adapter's key headers
 *   (`Authorization`, `x-api-key`, …) is forwarded as is, never stored;
 * - else `Authorization: Bearer np_…`, `x-api-key: np_…` or `np_…` in a header where the provider's SDKs put their key
 *   (`x-goog-api-key`, `api-key`, …) → vault mode;
 * - else any other value in those headers (a provider key, `Bearer garbage`, `Basic …`) → invalid, `providerKey` when
 *   `looksLikeProviderKey` says it is shaped like a provider's key;
 * - else none.
 */
export function extractCredentials(
  headers: IncomingHttpHeaders,
  adapter: ProviderAdapter,
  looksLikeProviderKey: (value: string) => boolean,
): ExtractedCredentials {
  const explicit = first(headers['x-navplane-key']);
  if (explicit !== undefined && explicit.trim() !== '') {
    const providerHeaders: Record<string, string> = {};
    for (const { name } of adapter.keyHeaders) {
      const value = first(headers[name]);
      if (value !== undefined && !looksLikeNavPlaneKey(value)) providerHeaders[name] = value;
    }
    return { mode: 'passthrough', navplaneKey: explicit.trim(), providerHeaders };
  }
  const keyHeaders = keyHeadersOf(adapter);
  for (const header of keyHeaders) {
    const key = keyIn(headers, header);
    if (key !== undefined && key.startsWith(GATEWAY_KEY_PREFIX)) return { mode: 'vault', navplaneKey: key };
  }
  const presented = presentedCredential(headers, keyHeaders);
  if (presented !== undefined) return { mode: 'invalid', providerKey: looksLikeProviderKey(presented) };
  return { mode: 'none' };
}
