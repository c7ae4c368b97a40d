import { inspect } from 'node:util';
import type { ProviderKeyLookup } from './vault.types';

/**
 * A successful lookup. `key` is an ordinary property (callers read it), but printing or serialising the result
 * shows `[redacted]`, so an accidental log line of the whole result leaks nothing.
 */
class RevealedProviderKey {
  readonly ok = true as const;

  constructor(readonly key: string) {
    Object.freeze(this);
  }

  toJSON(): { ok: true; key: string } {
    return { ok: true, key: '[redacted]' };
  }

  [inspect.custom](): string {
    return "{ ok: true, key: '[redacted]' }";
  }
}

/** The lookup result carrying `key`. */
export const found = (key: string): ProviderKeyLookup => new RevealedProviderKey(key);

/** The org has no key for the provider. */
export const MISSING: ProviderKeyLookup = Object.freeze({
  ok: false,
  reason: 'missing',
});
/** The stored key does not decrypt under this keyring and this org/provider/row. */
export const UNDECRYPTABLE: ProviderKeyLookup = Object.freeze({
  ok: false,
  reason: 'undecryptable',
});
/** The database could not be read. */
export const UNAVAILABLE: ProviderKeyLookup = Object.freeze({
  ok: false,
  reason: 'unavailable',
});
