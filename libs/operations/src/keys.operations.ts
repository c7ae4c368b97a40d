import { gatewayKeyStatus, type AuditActor, type GatewayKeyStatus } from '@navplane/auth';
import { ok, type AppError, type Result } from '@navplane/core';
import type { GatewayKeySummary } from '@navplane/storage';
import { invalid, orgExists, orgNotFound, type OperationContext } from './operation-context';

/** A NavPlane key as listings show it (never the key or its hash), with its status now. */
export type KeyRecord = GatewayKeySummary & { status: GatewayKeyStatus };

/** What issuing a key takes. */
export interface IssueKeyInput {
  /** 1-200 characters (trimmed). */
  name: string;
  /** Default `['proxy']`; each one of `proxy`, `traces:read`, `analytics:read`, `admin`. */
  scopes?: readonly string[];
  /** A workspace of the same org (default none). */
  workspaceId?: string | null;
  /** ISO-8601 time in the future (default: never expires). */
  expiresAt?: string | null;
  /** The model names the key may request: 1-100 names, trimmed and deduplicated (default undefined or null: any model). */
  models?: readonly string[] | null;
}

/** A new key: `key` is the only time the NavPlane key text exists outside the client (show once, never log). */
export interface IssuedKey {
  key: string;
  record: KeyRecord;
}

/** A rotation: the new key (shown once) and the old key's record (revoked, or in grace). */
export interface RotatedKey extends IssuedKey {
  previous: KeyRecord;
}

/** Options of a rotation. */
export interface RotateKeyInput {
  /** How long the old key keeps working, in whole seconds (default 0 = revoked now; at most 30 days). */
  graceSeconds?: number;
}

/** An org's NavPlane keys (through @navplane/auth's key service: audit and `gateway_key.changed` included). */
export interface KeyOperations {
  /** Issues a key (audit `key.create`). Errors: `not_found` (org), `invalid_request` (name, scopes, workspaceId, expiresAt, models). */
  issue(orgId: string, input: IssueKeyInput, actor: AuditActor): Promise<Result<IssuedKey, AppError>>;
  /** The org's keys, revoked ones included, oldest first. Errors: `not_found` (org). */
  list(orgId: string): Promise<Result<KeyRecord[], AppError>>;
  /**
   * Replaces a key by a new one with the same name, scopes, workspace and model allowlist (audit `key.rotate`). Errors:
   * `not_found` (org or key), `conflict` (revoked, expired or already rotating), `invalid_request` (graceSeconds).
   */
  rotate(orgId: string, keyId: string, input: RotateKeyInput, actor: AuditActor): Promise<Result<RotatedKey, AppError>>;
  /** Revokes a key at once, idempotently (audit `key.revoke`). Errors: `not_found`; `internal_error` (retryable: not announced). */
  revoke(orgId: string, keyId: string, actor: AuditActor): Promise<Result<KeyRecord, AppError>>;
}

/** The key use cases over `context`. */
export function createKeyOperations(context: OperationContext): KeyOperations {
  const { gatewayKeys, clock } = context;
  const withStatus = (summary: GatewayKeySummary): KeyRecord => ({
    ...summary,
    status: gatewayKeyStatus(summary, clock.nowMs()),
  });

  return {
    async issue(orgId, input, actor) {
      if (input?.scopes !== undefined && !Array.isArray(input.scopes)) {
        return invalid('scopes', 'scopes must be a list');
      }
      const issued = await gatewayKeys.issue({
        orgId,
        name: input?.name,
        scopes: input?.scopes,
        workspaceId: input?.workspaceId,
        expiresAt: input?.expiresAt,
        models: input?.models,
        actor,
      });
      if (!issued.ok) return issued;
      return ok({ key: issued.value.key, record: withStatus(issued.value.record) });
    },

    async list(orgId) {
      if (!(await orgExists(context, orgId))) return orgNotFound();
      return ok((await gatewayKeys.list(orgId)).map(withStatus));
    },

    async rotate(orgId, keyId, input, actor) {
      const rotated = await gatewayKeys.rotate(orgId, keyId, { graceSeconds: input?.graceSeconds, actor });
      if (!rotated.ok) return rotated;
      return ok({
        key: rotated.value.key,
        record: withStatus(rotated.value.record),
        previous: withStatus(rotated.value.previous),
      });
    },

    async revoke(orgId, keyId, actor) {
      const revoked = await gatewayKeys.revoke(orgId, keyId, { actor });
      if (!revoked.ok) return revoked;
      return ok(withStatus(revoked.value));
    },
  };
}
