// Shared set-up for the operations specs (not built into dist): a real database per dialect, the real vault and
// change feed, and a record of every change published.
import { randomBytes } from 'node:crypto';
import type { AuditActor } from '@navplane/auth';
import type { AppError, Result } from '@navplane/core';
import {
  CHANGE_TOPICS,
  type ChangeTopic,
  createChangeFeed,
  createRepositories,
  type AuditEntry,
  type ChangeFeed,
  type JsonObject,
  type Repositories,
} from '@navplane/storage';
import { createTestDatabase, type TestDatabase } from '@navplane/testing';
import { createKeyring, createVault, type Vault } from '@navplane/vault';
import { createOperations, type Operations, type OperationsOptions } from './create-operations';

/** The actor every spec mutates as. */
export const ACTOR: AuditActor = Object.freeze({ type: 'admin_token', id: 'adm_0000000000000000000000test', ip: '203.0.113.7' });

/** The bootstrap token the harness configures. */
export const BOOTSTRAP_TOKEN = 'bootstrap-token-for-tests-0123456789';

/** One published change. */
export interface PublishedChange {
  topic: string;
  payload: JsonObject;
}

/** Operations over a fresh database, with what they published. */
export interface OperationsHarness {
  readonly testDb: TestDatabase;
  readonly repos: Repositories;
  readonly vault: Vault;
  readonly changeFeed: ChangeFeed;
  readonly ops: Operations;
  /** Every change published since the last `clearChanges()`. */
  readonly changes: PublishedChange[];
  clearChanges(): void;
  /** The audit records of `action`, newest first. */
  audit(action: string): Promise<AuditEntry[]>;
  /** Creates an org through the operations and returns its id. */
  org(name?: string): Promise<string>;
  close(): Promise<void>;
}

/** The value of an ok Result, or a thrown test failure carrying the error. */
export function unwrap<T>(result: Result<T, AppError>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** The error of a failed Result, or a thrown test failure. */
export function failure<T>(result: Result<T, AppError>): AppError {
  if (result.ok) throw new Error('expected an error, got ok');
  return result.error;
}

/**
 * Expects the org-scoped put `action` to have been audited for ACTOR with `details` (the newest such record) and
 * announced on `changed` with `{ orgId }` (the only change since the last `clearChanges()`).
 */
export async function expectAuditedAndAnnounced(
  h: OperationsHarness,
  put: { orgId: string; action: string; changed: ChangeTopic; details: JsonObject },
): Promise<void> {
  const { orgId, action, changed, details } = put;
  expect(h.changes).toEqual([{ topic: changed, payload: { orgId } }]);
  const [audit] = await h.audit(action);
  expect(audit).toMatchObject({ orgId, actorType: ACTOR.type, targetType: 'org', targetId: orgId, details });
}

/** A document a put must refuse: the document, the `param` of the error, what its message must match. */
export type RefusedCase = [document: unknown, param: string, messages: RegExp[]];

/**
 * Expects `put` to refuse every case with `invalid_request`, the case's `param` and every message, changing nothing:
 * `stored()` reads as before, no `action` audit record is added and nothing is announced.
 */
export async function expectRefusedChangingNothing(
  h: OperationsHarness,
  put: { action: string; stored: () => Promise<unknown>; put: (document: unknown) => Promise<Result<unknown, AppError>> },
  cases: readonly RefusedCase[],
): Promise<void> {
  const before = await put.stored();
  const audits = (await h.audit(put.action)).length;
  h.clearChanges();
  for (const [document, param, messages] of cases) {
    const error = failure(await put.put(document));
    expect([error.code, error.details?.['param']]).toEqual(['invalid_request', param]);
    for (const message of messages) expect(error.message).toMatch(message);
  }
  expect(await put.stored()).toEqual(before);
  expect(await h.audit(put.action)).toHaveLength(audits);
  expect(h.changes).toEqual([]);
}

/** Starts the harness on `dialect`; `options` go to createOperations (an egress guard with a resolver of the test's). */
export async function startOperationsHarness(
  dialect: 'sqlite' | 'postgres',
  options: Pick<OperationsOptions, 'egress' | 'operatorProviderIds'> = {},
): Promise<OperationsHarness> {
  const testDb = await createTestDatabase(dialect);
  const repos = createRepositories(testDb.database);
  const changeFeed = createChangeFeed(testDb.database, { pollIntervalMs: 50 });
  await changeFeed.start();
  const vault = createVault({
    keyring: createKeyring({ current: randomBytes(32) }),
    providerKeys: repos.providerKeys,
    changeFeed,
  });
  const ops = createOperations({ repos, vault, changeFeed, bootstrapAdminToken: BOOTSTRAP_TOKEN, ...options });
  const changes: PublishedChange[] = [];
  const unsubscribes = Object.values(CHANGE_TOPICS).map((topic) =>
    changeFeed.subscribe(topic, (payload) => {
      changes.push({ topic, payload });
    }),
  );
  return {
    testDb,
    repos,
    vault,
    changeFeed,
    ops,
    changes,
    clearChanges: () => {
      changes.length = 0;
    },
    audit: async (action) => (await repos.auditLog.list({ limit: 1000 })).filter((entry) => entry.action === action),
    async org(name = 'Acme') {
      return unwrap(await ops.orgs.create({ name }, ACTOR)).id;
    },
    async close() {
      for (const unsubscribe of unsubscribes) unsubscribe();
      await ops.close();
      vault.close();
      await changeFeed.close();
      await testDb.drop();
    },
  };
}
