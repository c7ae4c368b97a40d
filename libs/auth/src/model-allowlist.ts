import { err, ok, type Result } from '@navplane/core';

/** Most model names one key's allowlist may hold. */
export const MAX_ALLOWED_MODELS = 100;

/** Longest model name in an allowlist, in characters (the gateway reads no longer name from a request either). */
export const MAX_MODEL_NAME_LENGTH = 256;

/** True when `text` holds a control character (C0, DEL or C1): never part of a model name (a mistake or an attack). */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

/**
 * Validates a key's model allowlist (docs/security-keys.md, "Model allowlists"): `undefined` or `null` = any model
 * (ok `null`); otherwise a list of 1 to MAX_ALLOWED_MODELS names, each a string of 1 to MAX_MODEL_NAME_LENGTH
 * characters after trimming and without control characters, returned trimmed and deduplicated in the order given.
 * Names are kept exactly as written otherwise: the gateway matches them case-sensitively. Err: why, for people.
 */
export function normalizeModelAllowlist(value: unknown): Result<string[] | null, string> {
  if (value === undefined || value === null) return ok(null);
  if (!Array.isArray(value)) return err('models must be a list of model names');
  if (value.length === 0) return err('models must name at least one model (omit it to allow any model)');
  const names: string[] = [];
  const seen = new Set<string>();
  for (const entry of value as unknown[]) {
    if (typeof entry !== 'string') return err('models must be a list of model names (strings)');
    const name = entry.trim();
    if (name.length === 0 || name.length > MAX_MODEL_NAME_LENGTH) {
      return err(`every model name must be 1-${MAX_MODEL_NAME_LENGTH} characters`);
    }
    if (hasControlCharacter(name)) return err('a model name may not contain control characters');
    if (seen.has(name)) continue;
    seen.add(name);
    names.push(name);
  }
  if (names.length > MAX_ALLOWED_MODELS) return err(`models may name at most ${MAX_ALLOWED_MODELS} models`);
  return ok(names);
}
