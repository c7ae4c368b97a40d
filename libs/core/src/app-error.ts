/**
 * The closed set of error codes NavPlane itself produces. The gateway codes are the contract's
 * (docs/gateway.md); the rest serve the admin API and internal failures. `libs/http` holds the one
 * table that maps each code to an HTTP status.
 */
export const ERROR_CODES = [
  'missing_api_key',
  'invalid_api_key',
  'org_disabled',
  'permission_denied',
  'model_not_allowed',
  'provider_key_missing',
  'policy_blocked',
  'invalid_request',
  'route_not_found',
  'request_too_large',
  'request_timeout',
  'request_header_fields_too_large',
  'unsupported_media_type',
  'rate_limited',
  'budget_exceeded',
  'upstream_unreachable',
  'policy_unavailable',
  'auth_unavailable',
  'vault_unavailable',
  'no_healthy_upstream',
  'limits_unavailable',
  'storage_unavailable',
  'upstream_timeout',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'not_ready',
  'internal_error',
] as const;

/** One of NavPlane's own error codes. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Options for constructing an AppError. */
export interface AppErrorOptions {
  /** Whether retrying the same request may succeed (default: false). */
  retryable?: boolean;
  /** The underlying error; never exposed to clients. */
  cause?: unknown;
  /** Extra safe-to-show details (never secrets), e.g. the field that failed validation. */
  details?: Record<string, unknown>;
}

/** The one error type NavPlane throws or returns for expected failures with an HTTP meaning. */
export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }
}

/** True when `value` is an AppError (also across duplicated module instances). */
export function isAppError(value: unknown): value is AppError {
  return (
    value instanceof AppError ||
    (typeof value === 'object' &&
      value !== null &&
      (value as { name?: unknown }).name === 'AppError' &&
      typeof (value as { code?: unknown }).code === 'string' &&
      (ERROR_CODES as readonly string[]).includes((value as { code: string }).code))
  );
}

/**
 * The message of anything thrown: an Error's `message`, any other value through `String` (a thrown string as
 * is). A thrown plain object shows as `[object Object]`: its fields are not printed, as they may hold secrets.
 */
export function errorMessage(thrown: unknown): string {
  return thrown instanceof Error ? thrown.message : String(thrown);
}
