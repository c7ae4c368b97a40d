import type { ErrorCode } from '@navplane/core';

/** How one error code appears on the wire: HTTP status and the envelope's `type`. */
export interface ErrorMapping {
  readonly status: number;
  readonly type: string;
}

/**
 * The one error→HTTP table (docs/gateway.md). Every NavPlane-generated error response goes through it;
 * `type` follows the OpenAI/Anthropic vocabulary so SDKs classify the error sensibly.
 */
export const ERROR_TABLE: Readonly<Record<ErrorCode, ErrorMapping>> = {
  missing_api_key: { status: 401, type: 'authentication_error' },
  invalid_api_key: { status: 401, type: 'authentication_error' },
  unauthorized: { status: 401, type: 'authentication_error' },
  org_disabled: { status: 403, type: 'permission_error' },
  permission_denied: { status: 403, type: 'permission_error' },
  model_not_allowed: { status: 403, type: 'permission_error' },
  forbidden: { status: 403, type: 'permission_error' },
  provider_key_missing: { status: 400, type: 'invalid_request_error' },
  policy_blocked: { status: 400, type: 'invalid_request_error' },
  invalid_request: { status: 400, type: 'invalid_request_error' },
  route_not_found: { status: 404, type: 'not_found_error' },
  not_found: { status: 404, type: 'not_found_error' },
  conflict: { status: 409, type: 'invalid_request_error' },
  request_too_large: { status: 413, type: 'invalid_request_error' },
  request_timeout: { status: 408, type: 'timeout_error' },
  request_header_fields_too_large: { status: 431, type: 'invalid_request_error' },
  unsupported_media_type: { status: 415, type: 'invalid_request_error' },
  rate_limited: { status: 429, type: 'rate_limit_error' },
  budget_exceeded: { status: 429, type: 'rate_limit_error' },
  internal_error: { status: 500, type: 'api_error' },
  upstream_unreachable: { status: 502, type: 'api_error' },
  policy_unavailable: { status: 503, type: 'api_error' },
  auth_unavailable: { status: 503, type: 'api_error' },
  vault_unavailable: { status: 503, type: 'api_error' },
  no_healthy_upstream: { status: 503, type: 'api_error' },
  limits_unavailable: { status: 503, type: 'api_error' },
  storage_unavailable: { status: 503, type: 'api_error' },
  not_ready: { status: 503, type: 'api_error' },
  upstream_timeout: { status: 504, type: 'timeout_error' },
};
