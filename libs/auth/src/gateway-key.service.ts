import { AppError, err, newId, ok, systemClock, toIso, type Clock, type Result } from '@navplane/core';
import { CHANGE_TOPICS, type ChangeFeed, type GatewayKey, type GatewayKeySummary, type Repositories } from '@navplane/storage';
import { appendAudit, type AuditActor } from './audit-actor';
import { generateGatewayKey } from './gateway-key-format';
import { gatewayKeyStatus } from './gateway-key-status';
import { normalizeModelAllowlist } from './model-allowlist';
import { DEFAULT_SCOPES, normalizeScopes, SCOPES } from './scopes';

/** What issuing a key needs. */
export interface IssueGatewayKeyInput {
  orgId: string;
  /** 1-200 characters, for people. */
  name: string;
  /** Default `['proxy']`; each must be one of SCOPES. */
  scopes?: readonly string[];
  /** A workspace of the same org (default none). */
  workspaceId?: string | null;
  /** ISO-8601 time in the future after which the key stops working (default never). */
  expiresAt?: string | null;
  /**
   * The model names the key may request (default undefined or null: any model); 1-100 names of 1-256 characters,
   * trimmed and deduplicated (`normalizeModelAllowlist`). Matched case-sensitively by the gateway.
   */
  models?: readonly string[] | null;
  /** Who issues it (default: not audited here; the caller audits). */
  actor?: AuditActor;
}

/** A newly issued key: the only time its text exists outside the client. */
export interface IssuedGatewayKey {
  /** The NavPlane key (`np_…`): show it once, never log or store it. */
  key: string;
  /** The stored key as listings show it (no hash, no key). */
  record: GatewayKeySummary;
}

/** Options of GatewayKeyService.rotate. */
export interface RotateGatewayKeyOptions {
  /** How long the old key keeps working, in seconds (default 0 = revoked now; at most `maxGraceSeconds`). */
  graceSeconds?: number;
  /** Expiry of the new key (default: the old key's; null = never). */
  expiresAt?: string | null;
  /** Who rotates it (default: not audited here). */
  actor?: AuditActor;
}

/** The outcome of a rotation: the new key (shown once) and the old key's updated record. */
export interface RotatedGatewayKey extends IssuedGatewayKey {
  /** The old key: revoked (grace 0) or with `graceEndsAt` set. */
  previous: GatewayKeySummary;
}

/** Options of GatewayKeyService.revoke. */
export interface RevokeGatewayKeyOptions {
  /** Who revokes it (default: not audited here). */
  actor?: AuditActor;
}

/** Issues, rotates, revokes and lists an org's NavPlane keys; every mutation publishes `gateway_key.changed`. */
export interface GatewayKeyService {
  /** Issues a key. Errors: `not_found` (org), `invalid_request` (name, scopes, workspaceId, expiresAt, models; `details.param`). */
  issue(input: IssueGatewayKeyInput): Promise<Result<IssuedGatewayKey, AppError>>;
  /**
   * Replaces a key by a new one with the same org, workspace, scopes, name and model allowlist; the old one works until the grace
   * ends. Errors: `not_found`, `conflict` (revoked, expired or already rotated), `invalid_request` (graceSeconds, expiresAt).
   */
  rotate(orgId: string, keyId: string, options?: RotateGatewayKeyOptions): Promise<Result<RotatedGatewayKey, AppError>>;
  /**
   * Revokes a key at once (idempotent: revoking a revoked key announces it again). Errors: `not_found`;
   * `internal_error` (retryable) when the revocation was stored but other instances could not be told.
   */
  revoke(orgId: string, keyId: string, options?: RevokeGatewayKeyOptions): Promise<Result<GatewayKeySummary, AppError>>;
  /** The org's keys, revoked ones included, oldest first (never a hash or a key). */
  list(orgId: string): Promise<GatewayKeySummary[]>;
}

/** Options of createGatewayKeyService. */
export interface GatewayKeyServiceOptions {
  repos: Repositories;
  /** Where `gateway_key.changed` is published after every write. */
  changeFeed: Pick<ChangeFeed, 'publish'>;
  /** Time source (default: the system clock). */
  clock?: Clock;
  /** Longest rotation grace allowed, in seconds (default 2592000 = 30 days). */
  maxGraceSeconds?: number;
  /** Publishing a change failed after an issue or rotation had been stored (default: process.emitWarning). */
  onError?: (error: Error) => void;
}

const MAX_NAME_LENGTH = 200;
const defaultOnError = (error: Error) => process.emitWarning(`NavPlane key service: ${error.message}`);
const invalid = (param: string, message: string) => err(new AppError('invalid_request', message, { details: { param } }));
const keyNotFound = () => err(new AppError('not_found', 'No such key in this org'));

/** Strips what listings must never show (the hash, and the public id, which the display prefix already carries). */
function toSummary({ secretHash: _hash, publicId: _publicId, ...summary }: GatewayKey): GatewayKeySummary {
  return summary;
}

/**
 * The key-management service (defaults: system clock, maxGraceSeconds 30 days). Writes happen in one
 * transaction (with the audit record when an actor is given), then `gateway_key.changed` is published so every
 * verifier evicts the key.
 */
export function createGatewayKeyService(options: GatewayKeyServiceOptions): GatewayKeyService {
  const { repos, changeFeed } = options;
  const clock = options.clock ?? systemClock;
  const maxGraceSeconds = options.maxGraceSeconds ?? 30 * 24 * 3600;
  const onError = options.onError ?? defaultOnError;

  const announce = async (key: Pick<GatewayKey, 'orgId' | 'id' | 'publicId'>): Promise<Error | undefined> => {
    try {
      await changeFeed.publish(CHANGE_TOPICS.gatewayKeyChanged, { orgId: key.orgId, keyId: key.id, publicId: key.publicId });
      return undefined;
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  };

  function parseExpiry(value: string | null | undefined, nowMs: number): Result<string | null, AppError> {
    if (value === undefined || value === null) return ok(null);
    const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(ms)) return invalid('expiresAt', 'expiresAt must be an ISO-8601 time');
    if (ms <= nowMs) return invalid('expiresAt', 'expiresAt must be in the future');
    return ok(toIso(ms));
  }

  return {
    async issue(input) {
      const nowMs = clock.nowMs();
      const name = typeof input.name === 'string' ? input.name.trim() : '';
      if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
        return invalid('name', `name must be 1-${MAX_NAME_LENGTH} characters`);
      }
      const scopes = normalizeScopes(input.scopes ?? DEFAULT_SCOPES);
      if (!scopes.ok) return invalid('scopes', `scopes must be a non-empty list of: ${SCOPES.join(', ')}`);
      const expiresAt = parseExpiry(input.expiresAt, nowMs);
      if (!expiresAt.ok) return expiresAt;
      const models = normalizeModelAllowlist(input.models);
      if (!models.ok) return invalid('models', models.error);
      if ((await repos.orgs.findById(input.orgId)) === undefined) return err(new AppError('not_found', 'No such org'));
      const workspaceId = input.workspaceId ?? null;
      if (workspaceId !== null) {
        const workspace = await repos.workspaces.findById(workspaceId);
        // A workspace of another org is reported exactly like a missing one (no cross-tenant probing).
        if (workspace?.orgId !== input.orgId) return invalid('workspaceId', 'No such workspace in this org');
      }

      const generated = generateGatewayKey();
      const id = newId('gatewayKey', nowMs);
      const record = await repos.transaction(async (trx) => {
        const inserted = await trx.gatewayKeys.insert({
          id,
          orgId: input.orgId,
          workspaceId,
          name,
          publicId: generated.publicId,
          secretHash: generated.secretHash,
          displayPrefix: generated.displayPrefix,
          scopes: scopes.value,
          createdAt: toIso(nowMs),
          expiresAt: expiresAt.value,
          models: models.value,
        });
        await appendAudit(
          trx,
          input.actor,
          {
            action: 'key.create',
            orgId: input.orgId,
            targetType: 'gateway_key',
            targetId: id,
            // The allowlist is no secret: the audit log shows what the key may request.
            details: { name, scopes: scopes.value, workspaceId, expiresAt: expiresAt.value, models: models.value },
          },
          nowMs,
        );
        return inserted;
      });
      // Only a negative-cache entry could be affected; the key must still reach the caller (it exists once).
      const failure = await announce({ orgId: input.orgId, id, publicId: generated.publicId });
      if (failure !== undefined) onError(failure);
      return ok({ key: generated.key, record });
    },

    async rotate(orgId, keyId, rotateOptions = {}) {
      const nowMs = clock.nowMs();
      const graceSeconds = rotateOptions.graceSeconds ?? 0;
      if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > maxGraceSeconds) {
        return invalid('graceSeconds', `graceSeconds must be a whole number from 0 to ${maxGraceSeconds}`);
      }
      const old = await repos.gatewayKeys.findById(keyId);
      if (old === undefined || old.orgId !== orgId) return keyNotFound();
      const status = gatewayKeyStatus(old, nowMs);
      if (status !== 'active') {
        const why = status === 'rotating' ? 'already rotated (revoke it to end its grace now)' : status;
        return err(new AppError('conflict', `The key cannot be rotated: it is ${why}`));
      }
      const expiresAt = rotateOptions.expiresAt === undefined ? ok(old.expiresAt) : parseExpiry(rotateOptions.expiresAt, nowMs);
      if (!expiresAt.ok) return expiresAt;

      const generated = generateGatewayKey();
      const id = newId('gatewayKey', nowMs);
      const graceEndsAt = toIso(nowMs + graceSeconds * 1000);
      const outcome = await repos
        .transaction(async (trx) => {
          const record = await trx.gatewayKeys.insert({
            id,
            orgId,
            workspaceId: old.workspaceId,
            name: old.name,
            publicId: generated.publicId,
            secretHash: generated.secretHash,
            displayPrefix: generated.displayPrefix,
            scopes: [...old.scopes],
            createdAt: toIso(nowMs),
            expiresAt: expiresAt.value,
            rotatedFromId: old.id,
            // The new key may request exactly what the old one could (a rotation never widens or drops the list).
            models: old.models,
          });
          const retired =
            graceSeconds === 0
              ? await trx.gatewayKeys.revoke(orgId, old.id, toIso(nowMs))
              : await trx.gatewayKeys.markRotated(old.id, graceEndsAt);
          // Revoked by someone else since we read it: roll the new key back rather than resurrect access (thrown
          // only to roll the transaction back; it comes back out as a value below).
          if (!retired) throw new AppError('conflict', 'The key cannot be rotated: it was revoked meanwhile');
          await appendAudit(
            trx,
            rotateOptions.actor,
            {
              action: 'key.rotate',
              orgId,
              targetType: 'gateway_key',
              targetId: old.id,
              details: { newKeyId: id, graceSeconds, models: old.models },
            },
            nowMs,
          );
          const previous = await trx.gatewayKeys.findById(old.id);
          return { record, previous: toSummary(previous ?? old) };
        })
        .catch((error: unknown) => {
          if (error instanceof AppError && error.code === 'conflict') return error;
          throw error;
        });
      if (outcome instanceof AppError) return err(outcome);

      for (const key of [old, { orgId, id, publicId: generated.publicId }]) {
        const failure = await announce(key);
        if (failure !== undefined) onError(failure);
      }
      return ok({ key: generated.key, record: outcome.record, previous: outcome.previous });
    },

    async revoke(orgId, keyId, revokeOptions = {}) {
      const nowMs = clock.nowMs();
      const key = await repos.gatewayKeys.findById(keyId);
      if (key === undefined || key.orgId !== orgId) return keyNotFound();
      const current = await repos.transaction(async (trx) => {
        if (await trx.gatewayKeys.revoke(orgId, keyId, toIso(nowMs))) {
          await appendAudit(
            trx,
            revokeOptions.actor,
            {
              action: 'key.revoke',
              orgId,
              targetType: 'gateway_key',
              targetId: keyId,
            },
            nowMs,
          );
        }
        return trx.gatewayKeys.findById(keyId);
      });
      const failure = await announce(key);
      if (failure !== undefined) {
        return err(
          new AppError('internal_error', 'The key was revoked but not every instance could be told yet; retry', {
            retryable: true,
            cause: failure,
          }),
        );
      }
      return ok(toSummary(current ?? key));
    },

    list: (orgId) => repos.gatewayKeys.listByOrg(orgId),
  };
}
