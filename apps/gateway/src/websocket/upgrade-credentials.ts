import type { IncomingHttpHeaders } from 'node:http';
import { GATEWAY_KEY_PREFIX } from '@navplane/auth';
import type { ProviderAdapter } from '@navplane/providers';
import { extractCredentials, type ExtractedCredentials } from '../steps/extract-credentials';

/** The subprotocols a WebSocket upgrade offers (`Sec-WebSocket-Protocol`, comma-separated, in order). */
export function offeredProtocols(headers: IncomingHttpHeaders): string[] {
  const value = headers['sec-websocket-protocol'];
  if (value === undefined) return [];
  return value
    .split(',')
    .map((protocol) => protocol.trim())
    .filter((protocol) => protocol !== '');
}

/**
 * The credentials of a WebSocket upgrade: the key headers first (`extractCredentials`: `Authorization: Bearer np_…`,
 * `x-api-key`, `X-NavPlane-Key` for passthrough), then, when they carry none, the provider's key subprotocol
 * (`openai-insecure-api-key.np_…`, what browsers send since they cannot set headers): a NavPlane key there is vault
 * mode; anything else there is refused like a wrong key header.
 */
export function extractUpgradeCredentials(
  headers: IncomingHttpHeaders,
  adapter: ProviderAdapter,
  looksLikeProviderKey: (value: string) => boolean,
): ExtractedCredentials {
  const fromHeaders = extractCredentials(headers, adapter, looksLikeProviderKey);
  const prefix = adapter.webSocket?.keyProtocolPrefix;
  if (fromHeaders.mode !== 'none' || prefix === undefined) return fromHeaders;
  for (const protocol of offeredProtocols(headers)) {
    if (!protocol.startsWith(prefix)) continue;
    const key = protocol.slice(prefix.length);
    return key.startsWith(GATEWAY_KEY_PREFIX)
      ? { mode: 'vault', navplaneKey: key }
      : { mode: 'invalid', providerKey: looksLikeProviderKey(key) };
  }
  return fromHeaders;
}

/**
 * The subprotocols offered upstream: the client's, in order, without any that carries a NavPlane key (the vault key
 * goes in `Authorization` instead). A provider key the client put in a subprotocol (passthrough) is kept as sent.
 */
export function upstreamProtocols(headers: IncomingHttpHeaders): string[] {
  return offeredProtocols(headers).filter((protocol) => !protocol.includes(GATEWAY_KEY_PREFIX));
}
