import { appendAudit, type AuditActor } from '@navplane/auth';
import { ok, toIso, type AppError, type Result } from '@navplane/core';
import type { ChangeTopic, JsonObject, Repositories } from '@navplane/storage';
import { announce, notAnnounced, orgExists, orgNotFound, type OperationContext } from './operation-context';

/** A change to what an org has, stored with its audit record and then announced to every gateway. */
export interface OrgChange<T> {
  /** Writes the change inside the transaction (`at`: the change's time), resolving to what was stored. */
  write(trx: Repositories, at: string): Promise<T>;
  /** The audit action, e.g. `routes.put` (the record's target is the org). */
  readonly action: string;
  /** What the audit record says of the change (never a secret). */
  readonly details: JsonObject;
  /** The topic announced with `{ orgId }` once the change is committed. */
  readonly changed: ChangeTopic;
  /** The subject of the error when the announcement fails, e.g. `The org's routing table was saved`. */
  readonly subject: string;
}

/**
 * Commits `change` and its audit record (for `actor`, at `nowMs`) in one transaction, then announces it: what the
 * write stored, or the retryable `internal_error` of `notAnnounced` when some gateway may not have been told (the
 * change stands; the operations are idempotent, so a retry announces it again).
 */
export async function commitOrgChange<T>(
  context: OperationContext,
  orgId: string,
  actor: AuditActor,
  nowMs: number,
  change: OrgChange<T>,
): Promise<Result<T, AppError>> {
  const stored = await context.repos.transaction(async (trx) => {
    const written = await change.write(trx, toIso(nowMs));
    await appendAudit(trx, actor, { action: change.action, orgId, targetType: 'org', targetId: orgId, details: change.details }, nowMs);
    return written;
  });
  const failure = await announce(context, change.changed, { orgId });
  if (failure !== undefined) return notAnnounced(change.subject, failure);
  return ok(stored);
}

/** The repository of a document each org has at most one of, replaced whole (the routing table, the limits). */
export interface OrgDocumentRepository {
  findByOrg(orgId: string): Promise<{ readonly document: JsonObject } | undefined>;
  put(orgId: string, document: JsonObject, at: string): Promise<unknown>;
}

/** What one kind of per-org document is: where it is stored, how it is read and checked, audited and announced. */
export interface OrgDocumentKind<D> {
  /** Its repository among `repos` (the operation's, or the transaction's). */
  repository(repos: Repositories): OrgDocumentRepository;
  /** The document of an org that has none stored (a new object each call: it is handed to the caller). */
  empty(): D;
  /** A stored document as the operations return it. */
  readStored(stored: JsonObject): D;
  /** Checks what the client sent against the org (which exists): the document to store, or the `invalid_request`. */
  parse(orgId: string, raw: unknown): Promise<Result<D, AppError>>;
  /** The audit action of a put, e.g. `routes.put`. */
  readonly action: string;
  /** What the audit record says of a document put. */
  auditDetails(document: D): JsonObject;
  /** The topic a put announces with `{ orgId }`. */
  readonly changed: ChangeTopic;
  /** The subject of the error when a put could not be announced, e.g. `The org's routing table was saved`. */
  readonly subject: string;
}

/** Reading and replacing an org's document. */
export interface OrgDocumentOperations<D> {
  /** The org's document as stored (`kind.empty()` when it has none). Errors: `not_found` (org). */
  get(orgId: string): Promise<Result<D, AppError>>;
  /**
   * Replaces the org's document with the parsed `raw` (audited, announced) and returns it as stored. Errors:
   * `not_found` (org), the `invalid_request` of `kind.parse`, `internal_error` (retryable: stored but not announced).
   */
  put(orgId: string, raw: unknown, actor: AuditActor): Promise<Result<D, AppError>>;
}

/** The get and put of a document each org has one of, validated whole, stored, audited and announced. */
export function createOrgDocumentOperations<D>(context: OperationContext, kind: OrgDocumentKind<D>): OrgDocumentOperations<D> {
  return {
    async get(orgId) {
      if (!(await orgExists(context, orgId))) return orgNotFound();
      const stored = await kind.repository(context.repos).findByOrg(orgId);
      return ok(stored === undefined ? kind.empty() : kind.readStored(stored.document));
    },

    async put(orgId, raw, actor) {
      if (!(await orgExists(context, orgId))) return orgNotFound();
      const parsed = await kind.parse(orgId, raw);
      if (!parsed.ok) return parsed;
      const document = parsed.value;
      // The parsed document is plain JSON (zod output of a JSON schema): its JSON copy is the stored form.
      const json = JSON.parse(JSON.stringify(document)) as JsonObject;
      const stored = await commitOrgChange(context, orgId, actor, context.clock.nowMs(), {
        write: (trx, at) => kind.repository(trx).put(orgId, json, at),
        action: kind.action,
        details: kind.auditDetails(document),
        changed: kind.changed,
        subject: kind.subject,
      });
      return stored.ok ? ok(document) : stored;
    },
  };
}
