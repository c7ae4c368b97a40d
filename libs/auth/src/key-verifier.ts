import { LoadingCache, systemClock, type Clock } from '@navplane/core';
import { CHANGE_FEED_RESYNC_TOPIC, CHANGE_TOPICS, type ChangeFeed, type GatewayKey, type Repositories } from '@navplane/storage';
import { decodeGatewayKeyHash, parseGatewayKey } from './gateway-key-format';
import { createLastUsedBatcher } from './last-used-batcher';
import { createOrgStateCache, type OrgStateCache } from './org-state-cache';
import { isScope, type Scope } from './scopes';
import { digestsEqual, sha256 } from './secret-digest';

/** A verified NavPlane key: what the gateway needs to route, scope-check and attribute a request. */
export interface AuthenticatedKey {
  readonly id: string;
  readonly orgId: string;
  readonly workspaceId: string | null;
  readonly scopes: readonly Scope[];
  readonly name: string;
  /**
   * The model names the key may request, matched exactly (docs/security-keys.md, "Model allowlists"); absent = any
   * model. Present only on keys created with `models`, so a key without one costs the gateway nothing.
   */
  readonly models?: ReadonlySet<string>;
}

/**
 * Why a key was refused: `malformed` (not a key, or a typo: no lookup made), `unknown` (no such key, or the
 * secret does not match), `revoked`, `expired` (past `expiresAt` or past its rotation grace), `org_disabled`,
 * `unavailable` (the key store could not be read and the key is not cached: answer 503, never proxy).
 */
export type KeyRefusalCode = 'malformed' | 'unknown' | 'revoked' | 'expired' | 'org_disabled' | 'unavailable';

/** The outcome of verifying a presented key. */
export type VerifyResult =
  | { valid: true; key: AuthenticatedKey }
  /** The key is genuine but its org is switched off: `key` says whose, so the refusal can be traced. */
  | { valid: false; code: 'org_disabled'; key: AuthenticatedKey }
  | { valid: false; code: Exclude<KeyRefusalCode, 'org_disabled'> };

/** Options of createKeyVerifier. */
export interface KeyVerifierOptions {
  /** `gatewayKeys` (findByPublicId on a miss, touchLastUsed in the background) and `orgs` (for the org cache). */
  repos: Pick<Repositories, 'gatewayKeys' | 'orgs'>;
  /** Where `gateway_key.changed`, `org.changed` and resync events arrive from (subscribed at creation). */
  changeFeed: Pick<ChangeFeed, 'subscribe'>;
  /** Time source for expiry, grace and the negative cache (default: the system clock). */
  clock?: Clock;
  /** Most keys held in memory, least recently used evicted first (default 10000; the negative cache has the same bound). */
  cacheSize?: number;
  /** How long an unknown public id is remembered, in ms (default 30000; 0 disables negative caching). */
  negativeTtlMs?: number;
  /** A shared org cache (the caller starts and closes it); default: the verifier creates and owns one. */
  orgStates?: OrgStateCache;
  /** How often `last_used_at` writes are flushed, in ms (default 60000: at most one write per key per minute). */
  lastUsedIntervalMs?: number;
  /** A background org refresh failed (default: process.emitWarning). */
  onError?: (error: Error) => void;
}

/** Counters for /metrics and `navplane doctor`. */
export interface KeyVerifierStats {
  /** Keys held in the cache. */
  cachedKeys: number;
  /** Unknown public ids held in the negative cache. */
  negativeKeys: number;
  /** Verifications answered from memory (valid or not). */
  hits: number;
  /** Verifications that read the key store. */
  misses: number;
  /** Verifications refused as `unavailable`. */
  unavailable: number;
  /** `last_used_at` writes that failed or were dropped. */
  lastUsedFailures: number;
}

/** Verifies NavPlane keys from memory, reading the database only on a cache miss. */
export interface KeyVerifier {
  /** Verifies a presented key (the bare `np_…` text); never throws. */
  verify(presented: string): Promise<VerifyResult>;
  /** Loads the org states (when the verifier owns its org cache); rejects when the database cannot be read. */
  start(): Promise<void>;
  /** Unsubscribes, writes pending `last_used_at` marks and closes an owned org cache. */
  close(): Promise<void>;
  /** Writes pending `last_used_at` marks now (shutdown, tests). */
  flushLastUsed(): Promise<void>;
  /** Current counters. */
  stats(): KeyVerifierStats;
}

/** A cached key: the stored record, pre-digested so a warm verification does no parsing. */
interface CachedKey {
  readonly publicId: string;
  readonly key: AuthenticatedKey;
  /** Undefined when the stored hash is not a known scheme: the key can never match (fails closed). */
  readonly digest: Buffer | undefined;
  readonly revoked: boolean;
  readonly expiresAtMs: number | undefined;
  readonly graceEndsAtMs: number | undefined;
}

const refusal = (code: Exclude<KeyRefusalCode, 'org_disabled'>): VerifyResult => Object.freeze({ valid: false, code });
const MALFORMED = refusal('malformed');
const UNKNOWN = refusal('unknown');
const REVOKED = refusal('revoked');
const EXPIRED = refusal('expired');
const UNAVAILABLE = refusal('unavailable');

function toCached(record: GatewayKey): CachedKey {
  const parseTime = (iso: string | null) => (iso === null ? undefined : Date.parse(iso));
  return {
    publicId: record.publicId,
    key: Object.freeze({
      id: record.id,
      orgId: record.orgId,
      workspaceId: record.workspaceId,
      // A scope this version does not know grants nothing.
      scopes: Object.freeze(record.scopes.filter(isScope)),
      name: record.name,
      ...(record.models === null ? {} : { models: new Set(record.models) }),
    }),
    digest: decodeGatewayKeyHash(record.secretHash),
    revoked: record.revokedAt !== null,
    expiresAtMs: parseTime(record.expiresAt),
    graceEndsAtMs: parseTime(record.graceEndsAt),
  };
}

/**
 * The NavPlane key verifier (defaults: system clock, cacheSize 10000, negativeTtlMs 30000, lastUsedIntervalMs
 * 60000). A warm verification is a parse, a CRC32, a SHA-256 and two map lookups: no database query. Cache
 * entries are evicted by `gateway_key.changed` (from any process), org states follow `org.changed`, a resync
 * drops everything; expiry and grace are checked against the clock on every call.
 */
export function createKeyVerifier(options: KeyVerifierOptions): KeyVerifier {
  const { repos } = options;
  const clock = options.clock ?? systemClock;
  const cacheSize = options.cacheSize ?? 10_000;
  const negativeTtlMs = options.negativeTtlMs ?? 30_000;
  if (!(negativeTtlMs >= 0)) throw new Error(`negativeTtlMs must be >= 0, got ${negativeTtlMs}`);
  if (!Number.isInteger(cacheSize) || cacheSize < 1) throw new Error(`Cache size must be a positive integer, got ${cacheSize}`);
  // Keys by public id; unknown public ids in a bound of their own, for negativeTtlMs.
  const keys = new LoadingCache<string, CachedKey>({
    name: 'gateway_keys',
    maxEntries: cacheSize,
    clock,
    absent: negativeTtlMs > 0 ? { maxEntries: cacheSize, ttlMs: negativeTtlMs } : undefined,
    load: async (publicId) => {
      const record = await repos.gatewayKeys.findByPublicId(publicId);
      return record && toCached(record);
    },
  });
  const ownsOrgStates = options.orgStates === undefined;
  const orgStates = options.orgStates ?? createOrgStateCache({ repos, changeFeed: options.changeFeed, onError: options.onError });
  const lastUsed = createLastUsedBatcher({
    touch: (id, at) => repos.gatewayKeys.touchLastUsed(id, at),
    intervalMs: options.lastUsedIntervalMs ?? 60_000,
    maxPending: cacheSize,
  });
  let unavailable = 0;

  // A read that a change overtook is not cached and is repeated once, so a revocation cannot be undone by a race.
  keys.follow(options.changeFeed, {
    [CHANGE_TOPICS.gatewayKeyChanged]: ({ publicId, keyId }) => {
      if (typeof publicId === 'string') keys.invalidate(publicId);
      else if (typeof keyId === 'string') keys.invalidateWhere((entry) => entry.key.id === keyId);
      else keys.clear(); // an event we cannot target: be safe
    },
    [CHANGE_FEED_RESYNC_TOPIC]: () => keys.clear(),
  });

  async function verify(presented: string): Promise<VerifyResult> {
    const parsed = parseGatewayKey(presented);
    if (parsed === undefined) return MALFORMED;

    let found: CachedKey | undefined;
    try {
      found = await keys.get(parsed.publicId);
    } catch {
      unavailable += 1;
      return UNAVAILABLE;
    }
    if (found === undefined) return UNKNOWN;

    // The secret is checked first, so a caller without it learns nothing about the key's state.
    if (found.digest === undefined || !digestsEqual(sha256(presented), found.digest)) return UNKNOWN;
    if (found.revoked) return REVOKED;
    const now = clock.nowMs();
    if (found.expiresAtMs !== undefined && now >= found.expiresAtMs) return EXPIRED;
    if (found.graceEndsAtMs !== undefined && now >= found.graceEndsAtMs) return EXPIRED;

    let enabled = orgStates.isEnabled(found.key.orgId);
    if (enabled === undefined) {
      try {
        enabled = await orgStates.load(found.key.orgId);
      } catch {
        unavailable += 1;
        return UNAVAILABLE;
      }
    }
    if (!enabled) return { valid: false, code: 'org_disabled', key: found.key };

    lastUsed.record(found.key.id, now);
    return { valid: true, key: found.key };
  }

  return {
    verify,
    async start() {
      if (ownsOrgStates) await orgStates.start();
    },
    async close() {
      keys.close();
      await lastUsed.close();
      if (ownsOrgStates) await orgStates.close();
    },
    flushLastUsed: () => lastUsed.flush(),
    stats: () => {
      const cached = keys.stats();
      return {
        cachedKeys: cached.size,
        negativeKeys: cached.absent,
        hits: cached.hits,
        misses: cached.misses,
        unavailable,
        lastUsedFailures: lastUsed.failures,
      };
    },
  };
}
