import type { IncomingHttpHeaders } from 'node:http';
import type { UpstreamBody } from '../gateway-context';

// The upstream header set is built from allowlists (docs/gateway.md, "What reaches the provider"): these generic
// HTTP headers for every provider, plus the provider headers its official SDKs send, by name
// (`ProviderAdapter.forwardedHeaderNames`). Credentials are added separately per mode; NavPlane's own headers,
// cookies, hop-by-hop headers, client X-Forwarded-* and any other `openai-*`/`anthropic-*` name never reach a provider.
const GENERIC_NAMES = new Set([
  'accept',
  'accept-language',
  'cache-control',
  'content-type',
  'content-length',
  'content-encoding',
  'idempotency-key',
  'user-agent',
]);

/** True when a client header may be forwarded to a provider whose SDK headers are `providerNames` (lower-case name). */
export function isForwardableHeader(name: string, providerNames: ReadonlySet<string>): boolean {
  return GENERIC_NAMES.has(name) || providerNames.has(name);
}

/** Header names the client listed in `Connection` (they are hop-by-hop for this request). */
function connectionListed(headers: IncomingHttpHeaders): Set<string> | undefined {
  const value = headers['connection'];
  if (value === undefined) return undefined;
  return new Set(value.split(',').map((name) => name.trim().toLowerCase()));
}

/**
 * The headers to send upstream: the allowlisted client headers (generic, and `providerNames`: the provider's SDK
 * headers), minus any named in `Connection`, plus the credential headers (vault or passthrough). Responses are
 * tapped, so compression is refused (`accept-encoding: identity`): the gateway reads usage from the bytes it
 * forwards. The body's framing is the gateway's: the exact length of bytes it holds (and their encoding), or the
 * client's declared length of a stream.
 */
export function buildUpstreamHeaders(
  headers: IncomingHttpHeaders,
  providerNames: ReadonlySet<string>,
  credentials: Readonly<Record<string, string>>,
  body: UpstreamBody,
): Record<string, string | string[]> {
  const listed = connectionListed(headers);
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    if (!isForwardableHeader(name, providerNames) || listed?.has(name)) continue;
    const value = headers[name];
    if (value !== undefined) out[name] = value;
  }
  for (const name in credentials) out[name] = credentials[name] as string;
  out['accept-encoding'] = 'identity';
  delete out['content-length'];
  delete out['content-encoding'];
  if (body.kind === 'bytes') {
    out['content-length'] = String(body.bytes.length);
    if (body.encoding !== undefined) out['content-encoding'] = body.encoding;
  } else if (body.kind === 'stream') {
    if (body.length !== undefined) out['content-length'] = String(body.length);
    const encoding = headers['content-encoding'];
    if (encoding !== undefined) out['content-encoding'] = encoding;
  }
  return out;
}

// Response headers that describe the hop, not the message; Node recomputes what it needs.
const RESPONSE_HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'trailer', 'upgrade']);

/** True when an upstream response header goes to the client (hop-by-hop ones do not; content-length not when the body changes). */
export function isClientResponseHeader(name: string, bodyRewritten: boolean): boolean {
  if (RESPONSE_HOP_BY_HOP.has(name)) return false;
  return !(bodyRewritten && name === 'content-length');
}
