import type { IncomingHttpHeaders } from 'node:http';
import type { UpstreamBody } from '../gateway-context';

// The upstream header set is built from an allowlist (docs/gateway.md): only what providers understand
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
 * The headers to send upstream: the allowlisted client headers, minus any named in `Connection`, plus the
 * credential headers (vault or passthrough). Responses are tapped, so compression is refused
 * (`accept-encoding: identity`): the gateway reads usage from the bytes it forwards. The body's framing is the
 * gateway's: the exact length of bytes it holds (and their encoding), or the client's declared length of a stream.
 */
export function buildUpstreamHeaders(
  headers: IncomingHttpHeaders,
  credentials: Readonly<Record<string, string>>,
  body: UpstreamBody,
): Record<string, string | string[]> {
  const listed = connectionListed(headers);
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    if (!isForwardableHeader(name) || listed?.has(name)) continue;
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
