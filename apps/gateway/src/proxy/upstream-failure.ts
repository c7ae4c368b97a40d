import { AppError } from '@navplane/core';

/** Error codes the gateway gives its own upstream timers. */
export const CONNECT_TIMEOUT = 'NAVPLANE_CONNECT_TIMEOUT';
export const HEADERS_TIMEOUT = 'NAVPLANE_HEADERS_TIMEOUT';

/** How an upstream exchange failed, as recorded in traces (`upstream_failure`). */
export type UpstreamFailure =
  | 'connect_timeout'
  | 'connection_refused'
  | 'connection_reset'
  | 'dns_failure'
  | 'tls_failure'
  | 'response_timeout'
  | 'upstream_aborted'
  | 'client_aborted'
  | 'other';

/** An Error carrying one of the gateway's timer codes. */
export function timerError(code: typeof CONNECT_TIMEOUT | typeof HEADERS_TIMEOUT): Error {
  return Object.assign(new Error(code === CONNECT_TIMEOUT ? 'upstream connect timeout' : 'upstream response timeout'), {
    code,
  });
}

/** Classifies a proxy error (before any response byte) into a failure class and the contract's error. */
export function classifyUpstreamError(error: unknown): { failure: UpstreamFailure; appError: AppError } {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === HEADERS_TIMEOUT) {
    return {
      failure: 'response_timeout',
      appError: new AppError('upstream_timeout', 'The provider did not respond in time', { retryable: true, cause: error }),
    };
  }
  const failure: UpstreamFailure =
    code === CONNECT_TIMEOUT
      ? 'connect_timeout'
      : code === 'ECONNREFUSED'
        ? 'connection_refused'
        : code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED'
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
