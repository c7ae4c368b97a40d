// The admin API over a fresh database with the production wiring (createAdminServer over createRuntime), plus
// seeding helpers. Specs only.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { AuditActor, Scope } from '@navplane/auth';
import { loadConfig } from '@navplane/config';
import { newId, type AppError, type Result } from '@navplane/core';
import type { ResolveAll } from '@navplane/egress';
import { createOperations, type Operations } from '@navplane/operations';
import { createRuntime, type Runtime } from '@navplane/runtime';
import type { NewTrace } from '@navplane/storage';
import { createLogger } from '@navplane/telemetry';
import { createTestDatabase, prepareDatabaseOutage, type DatabaseOutage, type TestDatabase } from '@navplane/testing';
import request from 'supertest';
import { createApp, type AdminDeps } from '../app';
import { createAdminDeps } from '../create-admin';

/** NAVPLANE_ADMIN_TOKEN in every harness. */
export const BOOTSTRAP_TOKEN = 'bootstrap-admin-token-for-tests-0123456789';

/** The actor seeding happens as (like the CLI). */
export const SEED_ACTOR: AuditActor = Object.freeze({ type: 'cli', id: null });

/** A provider key value the seeds store (tests assert it never appears in a response). */
export const SEEDED_OPENAI_KEY = 'sk-seeded-openai-key-0123456789abcdefSEED';

/** An org with one of everything, and a NavPlane key per scope. */
export interface SeededTenant {
  orgId: string;
  workspaceId: string;
  /** Key texts (shown once at issue). */
  adminKey: string;
  proxyKey: string;
  tracesKey: string;
  analyticsKey: string;
  /** A key to rotate, revoke or look at (scope proxy). */
  targetKeyId: string;
  targetKey: string;
  /** A trace of this org. */
  traceId: string;
}

/** Options of startAdminHarness. */
export interface AdminHarnessOptions {
  /** Run the app on a database the test can take away (`harness.outage`; Postgres through a TCP proxy). */
  outage?: boolean;
  /** Extra NAVPLANE_* settings (e.g. `NAVPLANE_CONFIG`). */
  env?: Record<string, string>;
  /** Name resolution of the egress guard (tenant base URLs): a resolver the test controls. */
  resolveAll?: ResolveAll;
  /** The NAVPLANE_DATABASE_URL the app gets, from the test database's (e.g. with a password Postgres ignores). */
  databaseUrl?: (url: string) => string;
}

/** The running admin API and its helpers. */
export interface AdminHarness {
  readonly testDb: TestDatabase;
  /** With `{ outage: true }`: begins and ends a database outage as the app sees it. */
  readonly outage: DatabaseOutage | undefined;
  readonly runtime: Runtime;
  /** What the app is built from (production wiring); `createApp({ ...deps, … })` for variants. */
  readonly deps: AdminDeps;
  readonly app: ReturnType<typeof createApp>;
  /** Seeding and checking through the same use cases (as the CLI). */
  readonly ops: Operations;
  /** Every log line written. */
  readonly logs: () => string;
  /** A supertest agent over the app. */
  http(): ReturnType<typeof request>;
  /** A new org with one of everything. */
  seedTenant(name?: string): Promise<SeededTenant>;
  /** A stored platform-admin token (`npa_…`) and its id. */
  adminToken(name?: string): Promise<{ token: string; id: string }>;
  /** Issues a key in `orgId` with `scopes`; returns its text and id. */
  issueKey(orgId: string, scopes: Scope[], name?: string): Promise<{ key: string; id: string }>;
  /** Writes traces of `orgId` (defaults for every required field); returns their ids in order. */
  insertTraces(orgId: string, traces: Partial<NewTrace>[]): Promise<string[]>;
  /** Writes one trace of `orgId` (see insertTraces); returns its id. */
  insertTrace(orgId: string, trace: Partial<NewTrace>): Promise<string>;
  close(): Promise<void>;
}

/** The value of an ok Result, else a thrown test failure. */
export function unwrap<T>(result: Result<T, AppError>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** `Authorization: Bearer <token>`. */
export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** A harness a suite starts before its tests and closes after them, with its seeded tenants (read inside tests). */
export interface AdminSuite {
  readonly h: AdminHarness;
  /** The first tenant seeded (also `a`). */
  readonly t: SeededTenant;
  /** The first tenant seeded (also `t`). */
  readonly a: SeededTenant;
  /** The second tenant seeded. */
  readonly b: SeededTenant;
}

/**
 * Starts the harness on `dialect` in a `beforeAll` and seeds a tenant per name (at once), and closes it in an
 * `afterAll`: the set-up of a spec on one or two tenants (`['A', 'B']`). Call it at the top of a `describe`, and read
 * `h` and the tenants inside the tests (`const { h, t } = suite;`): they exist only once the `beforeAll` has run.
 */
export function adminSuite(
  dialect: 'sqlite' | 'postgres',
  tenantNames: readonly string[] = ['Acme'],
  options: AdminHarnessOptions = {},
): AdminSuite {
  let started: { h: AdminHarness; tenants: SeededTenant[] } | undefined;
  beforeAll(async () => {
    const h = await startAdminHarness(dialect, options);
    started = { h, tenants: await Promise.all(tenantNames.map((name) => h.seedTenant(name))) };
  });
  afterAll(() => started?.h.close());
  const read = () => {
    if (started === undefined) throw new Error('adminSuite: read inside a test (the harness starts in beforeAll)');
    return started;
  };
  const tenant = (index: number) => {
    const seeded = read().tenants[index];
    if (seeded === undefined) throw new Error(`adminSuite: no tenant ${index + 1} seeded (tenantNames: ${tenantNames.join(', ')})`);
    return seeded;
  };
  return {
    get h() {
      return read().h;
    },
    get t() {
      return tenant(0);
    },
    get a() {
      return tenant(0);
    },
    get b() {
      return tenant(1);
    },
  };
}

/** Starts the harness on `dialect` (trust proxy `loopback`, so `X-Forwarded-For` from the test client counts). */
export async function startAdminHarness(dialect: 'sqlite' | 'postgres', options: AdminHarnessOptions = {}): Promise<AdminHarness> {
  const testDb = await createTestDatabase(dialect);
  const outage = options.outage ? await prepareDatabaseOutage(testDb) : undefined;
  const dir = await mkdtemp(join(tmpdir(), 'navplane-admin-'));
  const loaded = loadConfig({
    NAVPLANE_DATABASE_URL: (options.databaseUrl ?? ((url: string) => url))(outage?.url ?? testDb.url),
    NAVPLANE_MASTER_KEY: randomBytes(32).toString('base64'),
    NAVPLANE_ADMIN_TOKEN: BOOTSTRAP_TOKEN,
    NAVPLANE_CHANGE_FEED_POLL_MS: '50',
    NAVPLANE_TRUST_PROXY: 'loopback',
    // Specs send many refused credentials from one address: brute-force throttling is off unless a spec turns it on.
    NAVPLANE_AUTH_FAILURE_LIMIT: '0',
    ...options.env,
  });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
  let logText = '';
  const logStream = new PassThrough();
  logStream.on('data', (chunk: Buffer) => (logText += chunk.toString('utf8')));
  const runtime = await createRuntime(loaded.value, {
    logger: createLogger({ level: 'debug', stream: logStream }),
    masterKeyFile: join(dir, 'master.key'),
    ...(options.resolveAll === undefined ? {} : { resolveAll: options.resolveAll }),
  });
  const deps = await createAdminDeps(runtime);
  const app = createApp(deps);
  const ops = createOperations({ repos: runtime.repos, vault: runtime.vault, changeFeed: runtime.changeFeed });

  async function issueKey(orgId: string, scopes: Scope[], name = 'seed') {
    const issued = unwrap(await ops.keys.issue(orgId, { name, scopes }, SEED_ACTOR));
    return { key: issued.key, id: issued.record.id };
  }

  async function insertTraces(orgId: string, traces: Partial<NewTrace>[]): Promise<string[]> {
    const rows = traces.map(
      (trace, index): NewTrace => ({
        id: newId('trace', Date.parse(trace.startedAt ?? '2026-11-20T10:00:00.000Z') + index),
        orgId,
        provider: 'openai',
        route: '/v1/chat/completions',
        method: 'POST',
        status: 200,
        requestId: newId('request'),
        startedAt: '2026-11-20T10:00:00.000Z',
        latencyMs: 120.5,
        costStatus: 'unknown',
        stream: false,
        ...trace,
      }),
    );
    await runtime.repos.traces.insertBatch(rows);
    return rows.map((row) => row.id);
  }

  async function insertTrace(orgId: string, trace: Partial<NewTrace>): Promise<string> {
    const [id] = await insertTraces(orgId, [trace]);
    if (id === undefined) throw new Error('no trace written');
    return id;
  }

  return {
    testDb,
    outage,
    runtime,
    deps,
    app,
    ops,
    logs: () => logText,
    http: () => request(app),
    async seedTenant(name = 'Acme') {
      const orgId = unwrap(await ops.orgs.create({ name }, SEED_ACTOR)).id;
      const workspaceId = unwrap(await ops.workspaces.create(orgId, { name: 'ws' }, SEED_ACTOR)).id;
      const [admin, proxy, traces, analytics, target] = await Promise.all([
        issueKey(orgId, ['admin'], 'admin'),
        issueKey(orgId, ['proxy'], 'proxy'),
        issueKey(orgId, ['traces:read'], 'traces'),
        issueKey(orgId, ['analytics:read'], 'analytics'),
        issueKey(orgId, ['proxy'], 'target'),
      ]);
      unwrap(await ops.providerKeys.set(orgId, 'openai', SEEDED_OPENAI_KEY, SEED_ACTOR));
      const traceId = await insertTrace(orgId, {
        keyId: proxy.id,
        model: 'gpt-4o',
        tokensIn: 10,
        tokensOut: 5,
        costUsd: 0.0001,
        costStatus: 'estimated',
      });
      return {
        orgId,
        workspaceId,
        adminKey: admin.key,
        proxyKey: proxy.key,
        tracesKey: traces.key,
        analyticsKey: analytics.key,
        targetKeyId: target.id,
        targetKey: target.key,
        traceId,
      };
    },
    async adminToken(name = 'dashboard') {
      const created = unwrap(await ops.adminTokens.create(name, SEED_ACTOR));
      return { token: created.token, id: created.record.id };
    },
    issueKey,
    insertTraces,
    insertTrace,
    async close() {
      await outage?.end();
      await ops.close();
      await runtime.close();
      await outage?.close();
      await testDb.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
