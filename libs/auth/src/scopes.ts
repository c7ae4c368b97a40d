import { err, ok, type Result } from '@navplane/core';

/** Every scope a NavPlane key can carry (docs/admin-api.md), in canonical order. No scope implies another. */
export const SCOPES = ['proxy', 'traces:read', 'analytics:read', 'admin'] as const;

/** One NavPlane key scope. */
export type Scope = (typeof SCOPES)[number];

/** The scopes a key gets when none are asked for: `['proxy']`. */
export const DEFAULT_SCOPES: readonly Scope[] = Object.freeze(['proxy']);

/** True when `value` is one of SCOPES. */
export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && (SCOPES as readonly string[]).includes(value);
}

/** True when `key` carries exactly `scope` (membership only: `admin` does not imply `proxy`). */
export function hasScope(key: { readonly scopes: readonly string[] }, scope: Scope): boolean {
  return key.scopes.includes(scope);
}

/**
 * Validates requested scopes: a non-empty list of SCOPES members, returned deduplicated in canonical order;
 * otherwise the list of offending values (or an empty list when none were given).
 */
export function normalizeScopes(values: readonly unknown[]): Result<Scope[], { invalid: string[] }> {
  const invalid = values.filter((value) => !isScope(value)).map((value) => String(value));
  if (invalid.length > 0 || values.length === 0) return err({ invalid });
  return ok(SCOPES.filter((scope) => values.includes(scope)));
}
