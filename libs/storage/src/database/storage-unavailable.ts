import { AppError } from '@navplane/core';

/** What a client is told to wait (`Retry-After`, seconds) before retrying while the database is unavailable. */
export const STORAGE_RETRY_AFTER_SECONDS = 5;

// Postgres SQLSTATEs that mean "the server cannot serve you now", not "your statement is wrong": class 08
// (connection exception), 57P01-57P03 (admin/crash shutdown, cannot connect now: a restart, pg_terminate_backend,
// recovery), class 53 (insufficient resources: disk full, out of memory, too many connections), class 58 (I/O).
const PG_UNAVAILABLE = /^(08|57P0[123]|53|58)/;
// Socket errors from reaching the server.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
// node-postgres reports a lost or never-made connection without a code, in these words.
const PG_CONNECTION_MESSAGES =
  /connection terminated|connection error|not queryable|timeout exceeded when trying to connect|terminating connection/i;
// SQLite: the file is locked by another connection past busy_timeout, cannot be opened, read or written.
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR|FULL|READONLY|PROTOCOL)/;

/**
 * True when `error` (as thrown by better-sqlite3, node-postgres or the socket under it) says the database cannot be
 * used right now — down, unreachable, restarting, locked by another connection, out of disk — rather than that a
 * statement is wrong. `connecting`: the error came while getting a connection, where any failure means that.
 */
export function isStorageOutage(error: unknown, connecting = false): boolean {
  if (connecting) return true;
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (SQLITE_UNAVAILABLE.test(code) || NETWORK_CODES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code)) return PG_UNAVAILABLE.test(code);
  }
  return typeof message === 'string' && PG_CONNECTION_MESSAGES.test(message);
}

/**
 * The error every database call rejects with while the database is unavailable: `storage_unavailable` (HTTP 503
 * with `Retry-After`, docs/operations.md), retryable, the driver's error kept as `cause` (never shown to clients).
 */
export function storageUnavailable(cause: unknown): AppError {
  return new AppError('storage_unavailable', 'The database is unavailable right now; retry shortly', {
    retryable: true,
    cause,
    details: { retryAfterSeconds: STORAGE_RETRY_AFTER_SECONDS },
  });
}

/** True for a `storage_unavailable` error, also after crossing a worker thread as `{ code }`. */
export function isStorageUnavailable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'storage_unavailable';
}
