import { inspect } from 'node:util';
import type { ProviderKeyLookup } from './vault.types';

/**
 * A successful lookup. `key` is an ordinary property (callers read it), but printing or serialising the result
 * shows `[redacted]`, so an accidental log line of the whole result leaks nothing.
 */
class RevealedProviderKey {
  readonly ok = true as const;
  /** The tenant's endpoint stored with the key (not secret), when there is one. */
  readonly baseUrl?: string;

  constructor(
    readonly key: string,
    baseUrl: string | undefined,
  ) {
    if (baseUrl !== undefined) this.baseUrl = baseUrl;
    Object.freeze(this);
  }

  toJSON(): { ok: true; key: string; baseUrl?: string } {
    return { ok: true, key: '[redacted]', ...(this.baseUrl === undefined ? {} : { baseUrl: this.baseUrl }) };
  }

  [inspect.custom](): string {
    return this.baseUrl === undefined
      ? "{ ok: true, key: '[redacted]' }"
      : `{ ok: true, key: '[redacted]', baseUrl: ${inspect(this.baseUrl)} }`;
  }
}

/** The lookup result carrying `key` (and the base URL stored with it). */
export const found = (key: string, baseUrl?: string): ProviderKeyLookup => new RevealedProviderKey(key, baseUrl);

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
