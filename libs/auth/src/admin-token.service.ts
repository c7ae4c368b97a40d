import { hash as argon2Hash, verify as argon2Verify, type Options as Argon2Options } from '@node-rs/argon2';
import { AppError, err, LoadingCache, newId, ok, systemClock, toIso, type Clock, type Result } from '@navplane/core';
import {
  CHANGE_FEED_RESYNC_TOPIC,
  CHANGE_TOPICS,
  type AdminToken,
  type AdminTokenSummary,
  type ChangeFeed,
  type Repositories,
} from '@navplane/storage';
import { adminTokenDisplayPrefix, generateAdminToken, parseAdminToken } from './admin-token-format';
import { appendAudit, type AuditActor } from './audit-actor';
import { createLastUsedBatcher } from './last-used-batcher';
import { digestsEqual, sha256 } from './secret-digest';

/**
 * argon2id parameters for admin tokens: OWASP's first recommendation (19 MiB, 2 passes, 1 lane). Stored in
 * each PHC hash, so raising them later still verifies old hashes. (`Algorithm.Argon2id` is 2; the package's
 * enum is `const`, which isolated modules cannot read.)
 */
export const ADMIN_TOKEN_ARGON2_OPTIONS: Readonly<Argon2Options> = Object.freeze({
  algorithm: 2,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
});

/** Who an accepted admin credential is: a stored admin token, or the bootstrap token (NAVPLANE_ADMIN_TOKEN). */
export type AdminActor = { type: 'admin_token'; id: string } | { type: 'bootstrap'; id: null };

/** Why an admin token was refused (`unavailable`: the store could not be read). */
export type AdminTokenRefusalCode = 'malformed' | 'unknown' | 'revoked' | 'unavailable';

/** The outcome of verifying a presented admin token. */
export type AdminVerifyResult = { valid: true; actor: AdminActor } | { valid: false; code: AdminTokenRefusalCode };

/** A new admin token: the only time its text exists. */
export interface CreatedAdminToken {
  /** `npa_…`: show it once, never log or store it. */
  token: string;
  /** As listings show it (no hash). */
  record: AdminTokenSummary;
}

/** Options of a mutation: who performs it (default: not audited here). */
export interface AdminTokenMutationOptions {
  actor?: AuditActor;
}

/** Platform-admin tokens: created by the CLI, stored argon2id-hashed, plus the bootstrap token from the environment. */
export interface AdminTokenService {
  /** Creates a token. Errors: `invalid_request` (name must be 1-200 characters). */
  create(name: string, options?: AdminTokenMutationOptions): Promise<Result<CreatedAdminToken, AppError>>;
  /** Revokes a token (idempotent). Errors: `not_found`. */
  revoke(id: string, options?: AdminTokenMutationOptions): Promise<Result<AdminTokenSummary, AppError>>;
  /** Tokens not revoked, oldest first, without hashes. */
  list(): Promise<AdminTokenSummary[]>;
  /** Verifies a presented token or the bootstrap token; never throws. */
  verify(presented: string): Promise<AdminVerifyResult>;
  /** Writes pending `last_used_at` marks now. */
  flushLastUsed(): Promise<void>;
  /** Unsubscribes from the change feed and writes pending `last_used_at` marks. */
  close(): Promise<void>;
}

/** Options of createAdminTokenService. */
export interface AdminTokenServiceOptions {
  repos: Repositories;
  /** Publishes `admin_token.changed` after each mutation; its events (and resyncs) evict the verification cache. */
  changeFeed: Pick<ChangeFeed, 'publish' | 'subscribe'>;
  /** Time source (default: the system clock). */
  clock?: Clock;
  /** NAVPLANE_ADMIN_TOKEN: compared in constant time, never stored (default: none). At least 16 characters. */
  bootstrapToken?: string;
  /** Most successful verifications remembered (default 1000). */
  cacheSize?: number;
  /** How long a successful verification is remembered, in ms (default 300000), on top of event eviction. */
  cacheTtlMs?: number;
  /** How often `last_used_at` writes are flushed, in ms (default 60000). */
  lastUsedIntervalMs?: number;
}

const MAX_NAME_LENGTH = 200;
// Mirrors the config lib's MIN_ADMIN_TOKEN_LENGTH: a shorter bootstrap token is a start-up configuration error.
const MIN_BOOTSTRAP_LENGTH = 16;
const refusal = (code: AdminTokenRefusalCode): AdminVerifyResult => Object.freeze({ valid: false, code });
const MALFORMED = refusal('malformed');
const UNKNOWN = refusal('unknown');
const REVOKED = refusal('revoked');
const UNAVAILABLE = refusal('unavailable');
const BOOTSTRAP: AdminVerifyResult = Object.freeze({ valid: true, actor: Object.freeze({ type: 'bootstrap', id: null }) });

const toSummary = ({ tokenHash: _hash, ...summary }: AdminToken): AdminTokenSummary => summary;

/**
 * The admin-token service (defaults: system clock, cacheSize 1000, cacheTtlMs 300000, lastUsedIntervalMs 60000).
 * argon2id is slow by design, so successful verifications are cached keyed by the SHA-256 of the presented
 * token (never the token), evicted on `admin_token.changed`, on resync and after `cacheTtlMs`. Failures are not
 * cached. Throws at creation when `bootstrapToken` is shorter than 16 characters.
 */
export function createAdminTokenService(options: AdminTokenServiceOptions): AdminTokenService {
  const { repos, changeFeed } = options;
  const clock = options.clock ?? systemClock;
  const cacheTtlMs = options.cacheTtlMs ?? 300_000;
  if (options.bootstrapToken !== undefined && options.bootstrapToken.length < MIN_BOOTSTRAP_LENGTH) {
    throw new Error(`The bootstrap admin token must be at least ${MIN_BOOTSTRAP_LENGTH} characters`);
  }
  // Only the digest is kept: equal-length digests make the comparison constant-time whatever was presented.
  const bootstrapDigest = options.bootstrapToken === undefined ? undefined : sha256(options.bootstrapToken);
  // Successful verifications by token digest; a refusal is answered but not held.
  const verifications = new LoadingCache<string, AdminVerifyResult>({
    name: 'admin_tokens',
    maxEntries: options.cacheSize ?? 1000,
    clock,
    ttlOf: (result) => (result.valid ? cacheTtlMs : 0),
  });
  const lastUsed = createLastUsedBatcher({
    touch: (id, at) => repos.adminTokens.touchLastUsed(id, at),
    intervalMs: options.lastUsedIntervalMs ?? 60_000,
    maxPending: 10_000,
  });

  // A verification that a change overtook (the token revoked while argon2 ran) is not cached, and its callers
  // verify again against the row as it is now.
  verifications.follow(changeFeed, {
    [CHANGE_TOPICS.adminTokenChanged]: ({ tokenId }) => {
      if (typeof tokenId === 'string') verifications.invalidateWhere((result) => result.valid && result.actor.id === tokenId);
      else verifications.clear();
    },
    [CHANGE_FEED_RESYNC_TOPIC]: () => verifications.clear(),
  });

  const announce = (tokenId: string) => changeFeed.publish(CHANGE_TOPICS.adminTokenChanged, { tokenId });

  async function verifyStored(tokenId: string, presented: string): Promise<AdminVerifyResult> {
    let record: AdminToken | undefined;
    try {
      record = await repos.adminTokens.findById(tokenId);
    } catch {
      return UNAVAILABLE;
    }
    if (record === undefined) return UNKNOWN;
    let matches = false;
    try {
      matches = await argon2Verify(record.tokenHash, presented);
    } catch {
      matches = false; // an unparseable stored hash matches nothing
    }
    if (!matches) return UNKNOWN;
    if (record.revokedAt !== null) return REVOKED;
    return Object.freeze({ valid: true, actor: Object.freeze({ type: 'admin_token', id: tokenId }) });
  }

  async function verify(presented: string): Promise<AdminVerifyResult> {
    if (typeof presented !== 'string') return MALFORMED;
    const digest = sha256(presented);
    if (bootstrapDigest !== undefined && digestsEqual(digest, bootstrapDigest)) return BOOTSTRAP;
    const parsed = parseAdminToken(presented);
    if (parsed === undefined) return MALFORMED;

    // Keyed by the digest, never the token; concurrent requests with the same token share one argon2 run.
    const result = (await verifications.get(digest.toString('hex'), () => verifyStored(parsed.id, presented))) ?? UNKNOWN;
    if (result.valid && result.actor.type === 'admin_token') lastUsed.record(result.actor.id, clock.nowMs());
    return result;
  }

  return {
    async create(rawName, mutation = {}) {
      const name = typeof rawName === 'string' ? rawName.trim() : '';
      if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
        return err(new AppError('invalid_request', `name must be 1-${MAX_NAME_LENGTH} characters`, { details: { param: 'name' } }));
      }
      const nowMs = clock.nowMs();
      const id = newId('adminToken', nowMs);
      const token = generateAdminToken(id);
      const tokenHash = await argon2Hash(token, ADMIN_TOKEN_ARGON2_OPTIONS);
      const record = await repos.transaction(async (trx) => {
        const inserted = await trx.adminTokens.insert({
          id,
          name,
          tokenHash,
          displayPrefix: adminTokenDisplayPrefix(id),
          createdAt: toIso(nowMs),
        });
        await appendAudit(
          trx,
          mutation.actor,
          {
            action: 'admin_token.create',
            orgId: null,
            targetType: 'admin_token',
            targetId: id,
            details: { name },
          },
          nowMs,
        );
        return inserted;
      });
      // A new token is in no cache; publishing only keeps "every mutation is announced" true. The token must
      // still reach the caller (it exists once), so a publish failure is not an error here.
      await announce(id).catch(() => undefined);
      return ok({ token, record });
    },

    async revoke(id, mutation = {}) {
      const nowMs = clock.nowMs();
      const current = await repos.transaction(async (trx) => {
        if (await trx.adminTokens.revoke(id, toIso(nowMs))) {
          await appendAudit(
            trx,
            mutation.actor,
            { action: 'admin_token.revoke', orgId: null, targetType: 'admin_token', targetId: id },
            nowMs,
          );
        }
        return trx.adminTokens.findById(id);
      });
      if (current === undefined) return err(new AppError('not_found', 'No such admin token'));
      try {
        await announce(id);
      } catch (error) {
        return err(
          new AppError('internal_error', 'The token was revoked but not every instance could be told yet; retry', {
            retryable: true,
            cause: error,
          }),
        );
      }
      return ok(toSummary(current));
    },

    list: async () => (await repos.adminTokens.listActive()).map(toSummary),
    verify,
    flushLastUsed: () => lastUsed.flush(),
    async close() {
      verifications.close();
      await lastUsed.close();
    },
  };
}
