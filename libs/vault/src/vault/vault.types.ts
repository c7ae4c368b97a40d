import type { Clock } from '@navplane/core';
import type { ChangeFeed, ProviderKeySummary, ProviderKeysRepository } from '@navplane/storage';
import type { Keyring } from '../keyring/keyring';

/** What the vault needs to build. */
export interface VaultOptions {
  /** The master keys (createKeyring). */
  keyring: Keyring;
  /** Where sealed keys are stored (createRepositories(database).providerKeys). */
  providerKeys: ProviderKeysRepository;
  /** Publishes `provider_key.changed` after writes; its events and resyncs evict the cache. */
  changeFeed: Pick<ChangeFeed, 'publish' | 'subscribe'>;
  /** Time source for cache expiry and stored timestamps (default: the system clock). */
  clock?: Clock;
  /** Most decrypted keys (and misses) held in memory, least recently used evicted first (default 1000; 0 = no cache). */
  cacheSize?: number;
  /** Longest a decrypted key is served from memory even without a change event, in ms (default 300000). */
  cacheTtlMs?: number;
  /** How long a 'missing' or 'undecryptable' outcome is remembered, in ms (default 5000; change events evict it sooner). */
  missCacheTtlMs?: number;
  /** Told about database errors behind an 'unavailable' outcome (default: ignored); the error carries no key material. */
  onError?: (error: Error) => void;
}

/** What storing a provider key takes. */
export interface StoreProviderKeyInput {
  orgId: string;
  /** Provider name: lowercase letters, digits, `.`, `_`, `-` (e.g. `openai`, `anthropic`). */
  provider: string;
  /**
   * The key's name within its org and provider (default `default`); an org may hold several named keys per provider.
   * Callers check the name rule (`KEY_NAME` of `@navplane/routing`); the name is bound into the key's AAD.
   */
  name?: string;
  /** The provider's API key: 8-4096 characters, no whitespace or control characters. */
  key: string;
  /** Id for a new row (default: a new `pk_…` id); a replacement of the same name always keeps the existing row's id. */
  rowId?: string;
  /**
   * The tenant's own endpoint for this key (providers whose upstream is the tenant's, e.g. Azure OpenAI), already
   * validated by the caller (egress rules); bound into the key's AAD. Absent: none (a replacement clears it).
   */
  baseUrl?: string;
}

/** The outcome of looking up an org's provider key; only `ok: true` carries plaintext. */
export type ProviderKeyLookup =
  /** `baseUrl`: the tenant's endpoint stored with the key, when there is one. */
  | { readonly ok: true; readonly key: string; readonly baseUrl?: string }
  | { readonly ok: false; readonly reason: 'missing' }
  /** Wrong master key, tampered fields, or a row copied from another org/provider. */
  | { readonly ok: false; readonly reason: 'undecryptable' }
  /** The database could not be read. */
  | { readonly ok: false; readonly reason: 'unavailable' };

/** How many stored keys a master-key version wraps. */
export interface KekVersionCount {
  kekVersion: number;
  count: number;
  /** True when this process's keyring holds that version. */
  inKeyring: boolean;
}

/** Counts of stored keys by master-key version (never any key material). */
export type StoredKeysStatus =
  | {
      ok: true;
      total: number;
      /** Ascending by version. */
      byKekVersion: KekVersionCount[];
      /** Keys whose master key this process does not hold: they are 'undecryptable' here. */
      unknownKekVersion: number;
      /** Keys not yet wrapped by the current master key (run `navplane vault rotate-master`). */
      notCurrent: number;
    }
  | { ok: false; reason: 'unavailable' };

/** The vault's readiness (for /readyz and `navplane doctor`). */
export interface VaultStatus {
  /** unlocked, stored keys readable, and every stored key's master key held. */
  ready: boolean;
  /** The current master key wrapped and unwrapped a probe key. */
  unlocked: boolean;
  currentKekVersion: number;
  /** Every version the keyring holds, current first. */
  keyringVersions: number[];
  storedKeys: StoredKeysStatus;
  /** One readable line per problem (empty when ready). */
  problems: string[];
}

/** Why one row could not be re-wrapped. */
export type RewrapFailureReason =
  | 'unknown_kek_version'
  | 'integrity_check_failed'
  | 'malformed'
  | 'unavailable'
  /** The row kept changing under the compare-and-set; run again. */
  | 'conflict';

/** Progress of a re-wrap, after each row. */
export interface RewrapProgress {
  /** Rows handled so far (including this one). */
  done: number;
  total: number;
  id: string;
  outcome: 'rewrapped' | 'skipped' | 'failed';
}

/** Options of rewrapAll. */
export interface RewrapOptions {
  /** Called after each row (default: none). */
  onProgress?: (progress: RewrapProgress) => void;
}

/** What a re-wrap did: `skipped` rows were already current or were deleted meanwhile. */
export interface RewrapReport {
  rewrapped: number;
  skipped: number;
  failed: { id: string; reason: RewrapFailureReason }[];
}

/** Stores, caches and serves provider keys, envelope-encrypted under the master keyring. */
export interface Vault {
  /**
   * Seals and stores (or replaces) the org's key for `provider` under `name` (default `default`), then publishes
   * `provider_key.changed` with the name; returns the summary (last 4 characters only). Throws
   * AppError('invalid_request') on invalid input; database errors reject.
   */
  storeProviderKey(input: StoreProviderKeyInput): Promise<ProviderKeySummary>;
  /**
   * Deletes the org's key for `provider` named `name` (default `default`) and publishes `provider_key.changed` with
   * the name; true when there was one.
   */
  deleteProviderKey(orgId: string, provider: string, name?: string): Promise<boolean>;
  /**
   * Deletes every key the org holds for `provider`, whatever its name, and publishes one `provider_key.changed`
   * without a name (every instance evicts every name of the provider); returns the deleted keys' summaries by name.
   */
  deleteProviderKeys(orgId: string, provider: string): Promise<ProviderKeySummary[]>;
  /**
   * The decrypted key of `provider` named `name` (default `default`), from memory when warm (no database query), else
   * from the database. Never rejects.
   */
  getProviderKey(orgId: string, provider: string, name?: string): Promise<ProviderKeyLookup>;
  /**
   * The org's internal secret `name` (a reserved `navplane.` name, e.g. the placeholder salt): 32 random bytes,
   * base64, created on first use. Concurrent first uses in several processes agree (the first insert wins).
   * Sealed and re-wrapped like provider keys, never listed as one. Rejects only for a name outside `navplane.`;
   * storage failures read as 'unavailable' (or 'undecryptable').
   */
  getOrCreateOrgSecret(orgId: string, name: string): Promise<ProviderKeyLookup>;
  /** Replaces the org's internal secret `name` with fresh random bytes (publishes the change). */
  rotateOrgSecret(orgId: string, name: string): Promise<void>;
  /** Whether the current master key works and every stored key's master key is held. Never rejects. */
  verifyUnlocked(): Promise<VaultStatus>;
  /**
   * Re-wraps every stored key's DEK (every named key of every provider) with the current master key (compare-and-set
   * per row, publishing `provider_key.changed` for each, with its name); idempotent and resumable. Rejects only when the rows cannot be listed.
   */
  rewrapAll(options?: RewrapOptions): Promise<RewrapReport>;
  /** Unsubscribes from the change feed and drops every cached key. */
  close(): void;
}
