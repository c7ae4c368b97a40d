import { isStorageUnavailable } from '@navplane/storage';

// `scheme://user:password@` anywhere in a message (driver messages can embed connection strings).
const URL_CREDENTIALS = /\/\/[^@\s/]*@/g;

/** `text` with the userinfo of every URL in it replaced by `***`. */
export function maskCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, '//***@');
}

/** The first line of an error's message with any URL credentials masked. */
export function safeMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return maskCredentials(message.split('\n')[0] ?? '');
}

/**
 * A one-line description of a driver or system error that is safe to print: its code when it has one,
 * else its message with any URL credentials masked.
 */
export function describeError(error: unknown): string {
  // storage_unavailable wraps the driver's error, whose code says more (ECONNREFUSED, SQLITE_BUSY, 57P01…).
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (isStorageUnavailable(error) && cause !== undefined) return describeError(cause);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code !== '') return code;
  return safeMessage(error) || 'error';
}
