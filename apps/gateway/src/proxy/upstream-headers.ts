import type { IncomingHttpHeaders } from 'node:http';

// The upstream header set is built from an allowlist (CONTRACT §3): only what providers understand
// passes. Credentials are added separately per mode; NavPlane's own headers, cookies, hop-by-hop
// headers and client X-Forwarded-* never reach a provider.
const ALLOWED_NAMES = new Set([
  'accept',
  'accept-language',
  'cache-control',
  'content-type',
  'content-length',
  'content-encoding',
  'idempotency-key',
  'user-agent',
]);
const ALLOWED_PREFIXES = ['openai-', 'anthropic-', 'x-stainless-'];

// Never forwarded even if a prefix above would match them.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** True when a client header may be forwarded upstream (case-insensitive name). */
export function isForwardableHeader(name: string): boolean {
  if (HOP_BY_HOP.has(name)) return false;
  if (ALLOWED_NAMES.has(name)) return true;
  for (const prefix of ALLOWED_PREFIXES) if (name.startsWith(prefix)) return true;
  return false;
}

/** Header names the client listed in `Connection` (they are hop-by-hop for this request). */
function connectionListed(headers: IncomingHttpHeaders): Set<string> | undefined {
  const value = headers['connection'];
  if (value === undefined) return undefined;
  return new Set(value.split(',').map((name) => name.trim().toLowerCase()));
}

/**
 * The headers to send upstream: the allowlisted client headers, minus any named in `Connection`,
 * plus `credentials` (vault or passthrough). Responses are tapped, so compression is refused
 * (`accept-encoding: identity`): the gateway reads usage from the bytes it forwards.
 */
export function buildUpstreamHeaders(
  headers: IncomingHttpHeaders,
  credentials: Readonly<Record<string, string>>,
  bodyLength: number | undefined,
): IncomingHttpHeaders {
  const listed = connectionListed(headers);
  const out: IncomingHttpHeaders = {};
  for (const name in headers) {
    if (!isForwardableHeader(name) || listed?.has(name)) continue;
    out[name] = headers[name];
  }
  for (const name in credentials) out[name] = credentials[name];
  out['accept-encoding'] = 'identity';
  // A body the gateway read is re-sent with its exact length (a streamed one keeps the client's).
  if (bodyLength !== undefined) out['content-length'] = String(bodyLength);
  return out;
}

// Response headers that describe the hop, not the message; Node recomputes what it needs.
const RESPONSE_HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'trailer', 'upgrade']);

/** Copies upstream response headers for the client, dropping hop-by-hop ones (and content-length when the body changes). */
export function clientResponseHeaders(
  rawHeaders: readonly string[],
  options: { bodyRewritten: boolean },
): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    const lower = name.toLowerCase();
    if (RESPONSE_HOP_BY_HOP.has(lower)) continue;
    if (options.bodyRewritten && lower === 'content-length') continue;
    out.push([name, rawHeaders[i + 1] as string]);
  }
  return out;
}
