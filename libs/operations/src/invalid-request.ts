import { AppError } from '@navplane/core';
import type { z } from 'zod';

/** `a.b[0].c` for a zod issue path (the `param` clients see). */
export function formatParamPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out.length === 0 ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/**
 * The first zod issue as `invalid_request` whose message names the field and whose `details.param` is its path
 * (prefixed by `prefix`, e.g. `policies`). Never quotes the rejected value (it may be a secret).
 */
export function invalidRequestFromZod(error: z.ZodError, data: unknown, prefix: readonly PropertyKey[] = []): AppError {
  const issue = error.issues[0];
  if (issue === undefined) return new AppError('invalid_request', 'Invalid request');
  const path = [...prefix, ...issue.path];
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const param = formatParamPath([...path, key]);
    return new AppError('invalid_request', `Unknown field "${param}"`, { details: { param } });
  }
  const param = formatParamPath(path);
  if (param.length === 0) return new AppError('invalid_request', `Invalid request: ${issue.message}`);
  const missing = issue.code === 'invalid_type' && valueAt(data, issue.path) === undefined;
  const message = missing ? `${param} is required` : issue.code === 'custom' ? `${param} ${issue.message}` : `${param}: ${issue.message}`;
  return new AppError('invalid_request', message, { details: { param } });
}
