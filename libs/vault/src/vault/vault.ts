import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { AppError, LoadingCache, newId, systemClock, toIso } from '@navplane/core';
import {
  CHANGE_FEED_RESYNC_TOPIC,
  CHANGE_TOPICS,
  DEFAULT_PROVIDER_KEY_NAME,
  INTERNAL_SECRET_PREFIX,
  type ProviderKeySummary,
  type StoredProviderKey,
} from '@navplane/storage';
import { isAadComponent } from '../envelope/aad';
import { openSecret, sealSecret } from '../envelope/envelope';
import { found, MISSING, UNAVAILABLE, UNDECRYPTABLE } from './lookup-results';
import { assertStorable, isProviderName } from './provider-key-input';
import { rewrapAll } from './rewrap-all';
import { vaultStatus } from './vault-status';
import type { ProviderKeyLookup, StoreProviderKeyInput, Vault, VaultOptions } from './vault.types';

// A replacement keeps the row id, so the id sealed into the AAD is re-checked after the write; a concurrent
// first insert can make it differ once, and then the secret is sealed again for the winning id.
const MAX_STORE_ATTEMPTS = 3;

const toError = (value: unknown): Error => (value instanceof Error ? value : new Error(String(value)));

// JSON keeps (orgId, provider, name) triples unambiguous whatever characters they hold: no cross-tenant collisions.
const cacheKey = (orgId: string, provider: string, name: string): string => JSON.stringify([orgId, provider, name]);
// Every key of one org (or of one org and provider) starts so: its parts JSON-escaped, then the separating comma.
const keyPrefix = (...parts: string[]): string => `${JSON.stringify(parts).slice(0, -1)},`;

function validatedOptions(options: VaultOptions) {
  const cacheSize = options.cacheSize ?? 1000;
  const cacheTtlMs = options.cacheTtlMs ?? 300_000;
  const missCacheTtlMs = options.missCacheTtlMs ?? 5_000;
  if (!Number.isInteger(cacheSize) || cacheSize < 0) throw new Error(`Vault cacheSize must be an integer >= 0, got ${cacheSize}`);
  for (const [name, value] of [
    ['cacheTtlMs', cacheTtlMs],
    ['missCacheTtlMs', missCacheTtlMs],
  ] as const) {
    if (!(value >= 0)) throw new Error(`Vault ${name} must be a number of milliseconds >= 0, got ${value}`);
  }
  return { cacheSize, cacheTtlMs, missCacheTtlMs };
}

/**
 * The vault (defaults: system clock, cacheSize 1000, cacheTtlMs 300000, missCacheTtlMs 5000). Subscribes at once
 * to `provider_key.changed` (evicts that org+provider+name; every name of the provider when the event names none;
 * every key of the org when it names no provider) and to the feed's resync topic (evicts everything).
 */
export function createVault(options: VaultOptions): Vault {
  const { keyring, providerKeys, changeFeed } = options;
  const clock = options.clock ?? systemClock;
  const onError = options.onError ?? (() => undefined);
  const { cacheSize, cacheTtlMs, missCacheTtlMs } = validatedOptions(options);
  // Lookups by (org, provider, name): a decrypted key for cacheTtlMs, `missing`/`undecryptable` for missCacheTtlMs,
  // `unavailable` not at all. A lookup that a change overtook answers its callers but is not cached.
  const cache = new LoadingCache<string, ProviderKeyLookup>({
    name: 'provider_keys',
    maxEntries: cacheSize,
    clock,
    ttlOf: (lookup) => (lookup.ok ? cacheTtlMs : lookup.reason === 'unavailable' ? 0 : missCacheTtlMs),
    rereadOvertaken: false,
  });
  const forget = (orgId: string, provider?: string, name?: string) => {
    if (provider !== undefined && name !== undefined) cache.invalidate(cacheKey(orgId, provider, name));
    else {
      const prefix = provider === undefined ? keyPrefix(orgId) : keyPrefix(orgId, provider);
      cache.invalidateWhere((_lookup, key) => key.startsWith(prefix));
    }
  };
  cache.follow(changeFeed, {
    [CHANGE_TOPICS.providerKeyChanged]: ({ orgId, provider, name }) => {
      if (typeof orgId !== 'string') return cache.clear(); // a malformed event: safer to forget everything
      if (typeof provider !== 'string') return forget(orgId);
      forget(orgId, provider, typeof name === 'string' ? name : undefined);
    },
    [CHANGE_FEED_RESYNC_TOPIC]: () => cache.clear(),
  });

  /** Evicts and announces a change of one named key, or of every key of the provider when `name` is undefined. */
  async function publishChanged(orgId: string, provider: string, name: string | undefined): Promise<void> {
    // Publishing delivers to this process's subscribers first, but evict here too in case it rejects.
    forget(orgId, provider, name);
    await changeFeed.publish(CHANGE_TOPICS.providerKeyChanged, {
      orgId,
      provider,
      ...(name === undefined ? {} : { name }),
    });
  }

  async function load(orgId: string, provider: string, name: string): Promise<ProviderKeyLookup> {
    let stored: StoredProviderKey | undefined;
    try {
      stored = await providerKeys.findByOrgAndProvider(orgId, provider, name);
    } catch (error) {
      onError(toError(error));
      return UNAVAILABLE;
    }
    if (stored === undefined) return MISSING;
    // The context is what the caller asked for, not what the row claims: a row moved, copied or renamed fails the
    // AAD. The base URL is bound into the AAD too: a URL changed in the database behind the vault fails to open.
    const baseUrl = stored.baseUrl ?? undefined;
    const context = { orgId, provider, name, rowId: stored.id, ...(baseUrl === undefined ? {} : { baseUrl }) };
    const opened = openSecret(keyring, context, stored);
    return opened.ok ? found(opened.value, baseUrl) : UNDECRYPTABLE;
  }

  async function store(input: StoreProviderKeyInput): Promise<ProviderKeySummary> {
    assertStorable(input);
    const { orgId, provider, key, baseUrl } = input;
    const name = input.name ?? DEFAULT_PROVIDER_KEY_NAME;
    const existing = await providerKeys.findByOrgAndProvider(orgId, provider, name);
    let rowId = existing?.id ?? input.rowId ?? newId('providerKey', clock.nowMs());
    for (let attempt = 1; ; attempt += 1) {
      const sealed = sealSecret(keyring, { orgId, provider, name, rowId, ...(baseUrl === undefined ? {} : { baseUrl }) }, key);
      const summary = await providerKeys.upsert({
        id: rowId,
        orgId,
        provider,
        name,
        ...sealed,
        baseUrl: baseUrl ?? null,
        // An internal secret shows nothing of itself, not even its last characters.
        last4: provider.startsWith(INTERNAL_SECRET_PREFIX) ? '****' : key.slice(-4),
        at: toIso(clock.nowMs()),
      });
      if (summary.id === rowId) {
        await publishChanged(orgId, provider, name);
        return summary;
      }
      if (attempt >= MAX_STORE_ATTEMPTS) {
        await publishChanged(orgId, provider, name);
        throw new AppError('conflict', 'The provider key was replaced concurrently; store it again', { retryable: true });
      }
      rowId = summary.id;
    }
  }

  const assertInternalName = (name: string) => {
    if (!name.startsWith(INTERNAL_SECRET_PREFIX) || !isProviderName(name))
      throw new AppError('invalid_request', `Internal secret names start with ${INTERNAL_SECRET_PREFIX}`, { details: { field: 'name' } });
  };
  const freshSecret = () => randomBytes(32).toString('base64');

  async function getOrCreateOrgSecret(orgId: string, name: string) {
    assertInternalName(name);
    const existing = await vault.getProviderKey(orgId, name);
    if (existing.ok || existing.reason !== 'missing') return existing;
    try {
      const rowId = newId('providerKey', clock.nowMs());
      const secret = freshSecret();
      const sealed = sealSecret(keyring, { orgId, provider: name, rowId }, secret);
      await providerKeys.insertIfAbsent({
        id: rowId,
        orgId,
        provider: name,
        name: DEFAULT_PROVIDER_KEY_NAME,
        ...sealed,
        last4: '****',
        at: toIso(clock.nowMs()),
      });
    } catch (error) {
      onError(toError(error));
      return UNAVAILABLE;
    }
    // Whoever inserted first, every process now reads the same row.
    forget(orgId, name, DEFAULT_PROVIDER_KEY_NAME);
    return vault.getProviderKey(orgId, name);
  }

  const vault: Vault = {
    getOrCreateOrgSecret,
    async rotateOrgSecret(orgId, name) {
      assertInternalName(name);
      await store({ orgId, provider: name, key: freshSecret() });
    },
    storeProviderKey: store,
    async deleteProviderKey(orgId, provider, name = DEFAULT_PROVIDER_KEY_NAME) {
      const deleted = await providerKeys.delete(orgId, provider, name);
      if (deleted) await publishChanged(orgId, provider, name);
      return deleted;
    },
    async deleteProviderKeys(orgId, provider) {
      const deleted = await providerKeys.deleteAllOfProvider(orgId, provider);
      // One event without a name: every instance forgets every name of the provider, whichever it had cached.
      if (deleted.length > 0) await publishChanged(orgId, provider, undefined);
      return deleted;
    },
    getProviderKey(orgId, provider, name = DEFAULT_PROVIDER_KEY_NAME) {
      // Nothing with such names can have been stored (and they could not be bound into an AAD).
      if (!isAadComponent(orgId) || !isProviderName(provider) || !isAadComponent(name)) return Promise.resolve(MISSING);
      return cache
        .get(cacheKey(orgId, provider, name), () => load(orgId, provider, name))
        .then(
          (lookup) => lookup ?? MISSING,
          (error: unknown) => {
            onError(toError(error));
            return UNAVAILABLE;
          },
        );
    },
    verifyUnlocked: () => vaultStatus(keyring, providerKeys, onError),
    rewrapAll: (rewrapOptions) => rewrapAll({ keyring, providerKeys, publishChanged }, rewrapOptions),
    close() {
      cache.close();
      cache.clear();
    },
  };
  // The vault holds decrypted keys in its cache: print and serialise it as its shape only.
  Object.defineProperties(vault, {
    toJSON: { value: () => ({ keyring, cache: cache.toJSON() }) },
    [inspect.custom]: { value: () => `Vault ${inspect({ keyring, cache })}` },
  });
  return Object.freeze(vault);
}
