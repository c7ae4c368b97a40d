import { AppError } from '@navplane/core';

/**
 * Joins an operator-configured base URL (no trailing slash; see `normalizeBaseUrl`) with an upstream
 * path and the raw query. The host always comes from the base URL: a path that does not start with
 * `/` could extend the host or add user-info, so it is refused as a bug (the registry never makes one).
 */
export function joinUpstreamUrl(baseUrl: string, pathSuffix: string, rawQuery?: string): string {
  if (pathSuffix.charCodeAt(0) !== 0x2f) {
    throw new AppError('internal_error', 'upstream path must start with "/"');
  }
  const url = baseUrl + pathSuffix;
  return rawQuery ? `${url}?${rawQuery}` : url;
}

/**
 * Validates a provider base URL once at start-up and returns it without trailing slashes;
 * throws AppError for anything but an absolute http(s) URL without credentials, query or fragment.
 */
export function normalizeBaseUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AppError('internal_error', `${name} is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AppError('internal_error', `${name} must be an http(s) URL`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new AppError('internal_error', `${name} must not contain credentials, a query or a fragment`);
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}
