import { errorMessage } from '@navplane/core';
import { isStorageUnavailable } from '@navplane/storage';

// `scheme://user:password@` anywhere in a message (driver messages can embed connection strings).
const URL_CREDENTIALS = /\/\/[^@\s/]*@/g;

/** `text` with the userinfo of every URL in it replaced by `***`. */
export function maskCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, '//***@');
}

/** The first line of an error's message with any URL credentials masked. */
export function safeMessage(error: unknown): string {
  return maskCredentials(errorMessage(error).split('\n')[0] ?? '');
}

/**
 * A one-line description of a driver or system error that is safe to print: its code when it has one,
 * else its message with any URL credentials masked.
 */
export function describeError(error: unknown): string {
  // storage_unavailable wraps the driver's error, whose code says more (ECONNREFUSED, SQLITE_BUSY, 57P01…).
  if (typeof error !== 'object' || error === null) return safeMessage(error) || 'error';
  if (isStorageUnavailable(error) && 'cause' in error && error.cause !== undefined) return describeError(error.cause);
  if ('code' in error && typeof error.code === 'string' && error.code !== '') return error.code;
  return safeMessage(error) || 'error';
}
