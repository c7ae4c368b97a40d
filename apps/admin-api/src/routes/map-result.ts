import { ok, type AppError, type Result } from '@navplane/core';

/** `result` with its value mapped by `map` (errors pass through). */
export function mapValue<T, U>(result: Result<T, AppError>, map: (value: T) => U): Result<U, AppError> {
  return result.ok ? ok(map(result.value)) : result;
}
