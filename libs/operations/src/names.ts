import { ok, type AppError, type Result } from '@navplane/core';
import { invalid } from './operation-context';

/** Longest name of an org, workspace, key or admin token. */
export const MAX_NAME_LENGTH = 200;

/** A display name trimmed, 1-200 characters; otherwise `invalid_request` naming `param` (default `name`). */
export function validName(value: unknown, param = 'name'): Result<string, AppError> {
  const name = typeof value === 'string' ? value.trim() : '';
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
    return invalid(param, `${param} must be 1-${MAX_NAME_LENGTH} characters`);
  }
  return ok(name);
}
