import { isStorageUnavailable } from '@navplane/storage';

/**
 * Only the error's code or class: driver messages can carry connection strings. An outage (storage_unavailable) is
 * described by the driver error it wraps (ECONNREFUSED, SQLITE_BUSY, 57P01…).
 */
export function describeError(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (isStorageUnavailable(error) && cause !== undefined) return describeError(cause);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.name : 'error';
}
