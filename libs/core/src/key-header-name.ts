// Headers that frame or route a request, or are NavPlane's own: a provider key sent there would break the exchange or
// leak (an operator-defined provider's `auth: header:<name>`, docs/configuration.md).
const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  'host',
  'connection',
  'content-length',
  'content-type',
  'content-encoding',
  'transfer-encoding',
  'accept-encoding',
  'cookie',
  'te',
  'trailer',
  'upgrade',
  'keep-alive',
  'proxy-authorization',
]);

const HEADER_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * True when `name` (lower-case) is a header a provider key may be sent in: a plain lower-case header name that
 * neither frames nor routes the request and is not an `x-navplane-*` header. The config file's validation and the
 * provider registry both ask this, so a name one accepts the other does too.
 */
export function isKeyHeaderName(name: string): boolean {
  return HEADER_NAME.test(name) && !RESERVED_HEADERS.has(name) && !name.startsWith('x-navplane-');
}
