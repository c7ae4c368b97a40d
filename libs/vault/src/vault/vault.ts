import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { AppError, LoadingCache, newId, systemClock, toIso } from '@navplane/core';
import {
  CHANGE_FEED_RESYNC_TOPIC,
  CHANGE_TOPICS,
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

// JSON keeps (orgId, provider) pairs unambiguous whatever characters they hold: no cross-tenant collisions.
const cacheKey = (orgId: string, provider: string): string => JSON.stringify([orgId, provider]);
// Every key of one org starts so (its id is JSON-escaped, then the separating comma).
const orgKeyPrefix = (orgId: string): string => `${JSON.stringify([orgId]).slice(0, -1)},`;

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
 * to `provider_key.changed` (evicts that org+provider) and to the feed's resync topic (evicts everything).
 */
export function createVault(options: VaultOptions): Vault {
  const { keyring, providerKeys, changeFeed } = options;
  const clock = options.clock ?? systemClock;
  const onError = options.onError ?? (() => undefined);
  const { cacheSize, cacheTtlMs, missCacheTtlMs } = validatedOptions(options);
  // Lookups by (org, provider): a decrypted key for cacheTtlMs, `missing`/`undecryptable` for missCacheTtlMs,
  // `unavailable` not at all. A lookup that a change overtook answers its callers but is not cached.
  const cache = new LoadingCache<string, ProviderKeyLookup>({
    name: 'provider_keys',
    maxEntries: cacheSize,
    clock,
    ttlOf: (lookup) => (lookup.ok ? cacheTtlMs : lookup.reason === 'unavailable' ? 0 : missCacheTtlMs),
    rereadOvertaken: false,
  });
  const forget = (orgId: string, provider?: string) => {
    if (provider !== undefined) cache.invalidate(cacheKey(orgId, provider));
    else cache.invalidateWhere((_lookup, key) => key.startsWith(orgKeyPrefix(orgId)));
  };
  cache.follow(changeFeed, {
    [CHANGE_TOPICS.providerKeyChanged]: ({ orgId, provider }) => {
      if (typeof orgId !== 'string') return cache.clear(); // a malformed event: safer to forget everything
      forget(orgId, typeof provider === 'string' ? provider : undefined);
    },
    [CHANGE_FEED_RESYNC_TOPIC]: () => cache.clear(),
  });

  async function publishChanged(orgId: string, provider: string): Promise<void> {
    // Publishing delivers to this process's subscribers first, but evict here too in case it rejects.
    forget(orgId, provider);
    await changeFeed.publish(CHANGE_TOPICS.providerKeyChanged, {
      orgId,
      provider,
    });
  }

  async function load(orgId: string, provider: string): Promise<ProviderKeyLookup> {
    let stored: StoredProviderKey | undefined;
    try {
      stored = await providerKeys.findByOrgAndProvider(orgId, provider);
    } catch (error) {
      onError(toError(error));
      return UNAVAILABLE;
    }
    if (stored === undefined) return MISSING;
    // The context is what the caller asked for, not what the row claims: a row moved or copied fails the AAD.
    // The base URL is bound into the AAD too: a URL changed in the database behind the vault fails to open.
    const baseUrl = stored.baseUrl ?? undefined;
    const opened = openSecret(keyring, { orgId, provider, rowId: stored.id, ...(baseUrl === undefined ? {} : { baseUrl }) }, stored);
    return opened.ok ? found(opened.value, baseUrl) : UNDECRYPTABLE;
  }

  async function store(input: StoreProviderKeyInput): Promise<ProviderKeySummary> {
    assertStorable(input);
    const { orgId, provider, key, baseUrl } = input;
    const existing = await providerKeys.findByOrgAndProvider(orgId, provider);
    let rowId = existing?.id ?? input.rowId ?? newId('providerKey', clock.nowMs());
    for (let attempt = 1; ; attempt += 1) {
      const sealed = sealSecret(keyring, { orgId, provider, rowId, ...(baseUrl === undefined ? {} : { baseUrl }) }, key);
      const summary = await providerKeys.upsert({
        id: rowId,
        orgId,
        provider,
        ...sealed,
        baseUrl: baseUrl ?? null,
        // An internal secret shows nothing of itself, not even its last characters.
        last4: provider.startsWith(INTERNAL_SECRET_PREFIX) ? '****' : key.slice(-4),
        at: toIso(clock.nowMs()),
      });
      if (summary.id === rowId) {
        await publishChanged(orgId, provider);
        return summary;
      }
      if (attempt >= MAX_STORE_ATTEMPTS) {
        await publishChanged(orgId, provider);
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
      await providerKeys.insertIfAbsent({ id: rowId, orgId, provider: name, ...sealed, last4: '****', at: toIso(clock.nowMs()) });
    } catch (error) {
      onError(toError(error));
      return UNAVAILABLE;
    }
    // Whoever inserted first, every process now reads the same row.
    forget(orgId, name);
    return vault.getProviderKey(orgId, name);
  }

  const vault: Vault = {
    getOrCreateOrgSecret,
    async rotateOrgSecret(orgId, name) {
      assertInternalName(name);
      await store({ orgId, provider: name, key: freshSecret() });
    },
    storeProviderKey: store,
    async deleteProviderKey(orgId, provider) {
      const deleted = await providerKeys.delete(orgId, provider);
      if (deleted) await publishChanged(orgId, provider);
      return deleted;
    },
    getProviderKey(orgId, provider) {
      // Nothing with such names can have been stored (and they could not be bound into an AAD).
      if (!isAadComponent(orgId) || !isProviderName(provider)) return Promise.resolve(MISSING);
      return cache
        .get(cacheKey(orgId, provider), () => load(orgId, provider))
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
