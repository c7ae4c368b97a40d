import { AppError } from '@navplane/core';

/** How an upstream exchange failed, as recorded in traces (`upstream_failure`). */
export type UpstreamFailure =
  | 'connect_timeout'
  | 'connection_refused'
  | 'connection_reset'
  | 'dns_failure'
  | 'tls_failure'
  /** The egress guard refused the address of a tenant's endpoint (it resolves to a private address now). */
  | 'egress_refused'
  | 'response_timeout'
  | 'upstream_aborted'
  | 'client_aborted'
  | 'other';

/** Classifies a proxy error (before any response byte) into a failure class and the contract's error. */
export function classifyUpstreamError(error: unknown): { failure: UpstreamFailure; appError: AppError } {
  const code = upstreamErrorCode(error);
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return {
      failure: 'response_timeout',
      appError: new AppError('upstream_timeout', 'The provider did not respond in time', { retryable: true, cause: error }),
    };
  }
  const failure: UpstreamFailure =
    code === 'UND_ERR_CONNECT_TIMEOUT'
      ? 'connect_timeout'
      : code === 'ERR_NAVPLANE_EGRESS_REFUSED'
        ? 'egress_refused'
        : code === 'ECONNREFUSED'
          ? 'connection_refused'
          : code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED' || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED'
            ? 'connection_reset'
            : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
              ? 'dns_failure'
              : typeof code === 'string' && (code.startsWith('ERR_TLS') || code.includes('CERT'))
                ? 'tls_failure'
                : 'other';
  return {
    failure,
    appError: new AppError('upstream_unreachable', 'The provider could not be reached', { retryable: true, cause: error }),
  };
}

/** The most telling error code: undici's own, or the system error's it wraps (`ECONNREFUSED` under a socket error). */
function upstreamErrorCode(error: unknown): unknown {
  const outer = (error as { code?: unknown; cause?: { code?: unknown } } | null) ?? undefined;
  const code = outer?.code;
  if ((code === 'UND_ERR_SOCKET' || code === undefined) && typeof outer?.cause?.code === 'string') return outer.cause.code;
  return code;
}
