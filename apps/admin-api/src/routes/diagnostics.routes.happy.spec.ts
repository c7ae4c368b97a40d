import { expect } from '@jest/globals';
import { createChangeFeed, openDatabase, type ChangeFeed, type Database } from '@navplane/storage';
import { TEST_DIALECTS } from '@navplane/testing';
import { diagnosticsSchema } from '../schemas/diagnostics.schemas';
import {
  bearer,
  BOOTSTRAP_TOKEN,
  SEEDED_OPENAI_KEY,
  startAdminHarness,
  type AdminHarness,
  type SeededTenant,
} from '../testing/admin-harness.fixture';
import { bodyOf } from '../testing/response-body.fixture';

jest.setTimeout(60_000);

// A password the Postgres test server ignores (trust authentication): it must never come back in the report.
const DB_PASSWORD = 'CANARY-db-password-0123';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The URL with `DB_PASSWORD` as its password (Postgres; SQLite URLs have none). */
const withPassword = (url: string) => url.replace(/^(postgres(?:ql)?:\/\/[^@/:]+)@/, `$1:${DB_PASSWORD}@`);

// The admin API alone in its process (`serve --only admin`): its own figures, no gateway (docs/admin-api.md, "Diagnostics").
describe.each(TEST_DIALECTS)('GET /admin/diagnostics without a gateway in the process (%s)', (dialect) => {
  let h: AdminHarness;
  let t: SeededTenant;
  let other: Database;
  let otherFeed: ChangeFeed;

  beforeAll(async () => {
    h = await startAdminHarness(dialect, { databaseUrl: withPassword });
    t = await h.seedTenant();
    other = await openDatabase({ url: h.testDb.url, poolSize: 2 }); // another process on the same database
    otherFeed = createChangeFeed(other, { pollIntervalMs: 50, onError: () => undefined });
  });
  afterAll(async () => {
    await otherFeed?.close();
    await other?.close();
    await h?.close();
  });

  const diagnostics = async () => {
    const res = await h.http().get('/admin/diagnostics').set(bearer(BOOTSTRAP_TOKEN));
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    return { report: bodyOf(res, diagnosticsSchema), text: res.text };
  };

  it('describes this process: who it is, its database, its change feed and caches, and no gateway', async () => {
    const { report } = await diagnostics();
    expect(report.schemaVersion).toBe(1);
    expect(report.process).toMatchObject({ pid: process.pid, apps: ['admin'], nodeVersion: process.version });
    expect(report.process.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(report.process.scope).toContain(`pid ${process.pid}`);
    expect(report.process.scope).toContain('no gateway runs in this process');
    expect(report.gateway).toBeNull();
    expect(report.database).toMatchObject({ dialect, reachable: true, error: null, migrations: { current: true, pending: [] } });
    expect(report.database.latencyMs).toBeGreaterThanOrEqual(0);
    expect(report.changeFeed).toMatchObject({
      transport: dialect === 'postgres' ? 'listen-notify' : 'poll',
      state: 'started',
      pollIntervalMs: dialect === 'postgres' ? null : 50,
    });
    // The admin API's own caches (counts are the whole process's, like /metrics): the kill-switch states hold the org.
    const names = report.caches.map((cache) => cache.cache);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['admin_tokens', 'gateway_keys', 'org_states']));
    expect(report.caches.find((cache) => cache.cache === 'org_states')?.size).toBeGreaterThanOrEqual(1);
    for (const cache of report.caches) {
      expect(cache.instances).toBeGreaterThanOrEqual(1);
      expect(cache.hitRate).toBe(cache.hits + cache.misses === 0 ? null : cache.hits / (cache.hits + cache.misses));
    }
  });

  it('moves with the change feed: a change published here, then one from another process with its lag', async () => {
    const before = (await diagnostics()).report.changeFeed;
    const disabled = await h.http().put(`/admin/orgs/${t.orgId}/enabled`).set(bearer(BOOTSTRAP_TOKEN)).send({ enabled: false });
    expect(disabled.status).toBe(200);
    const published = (await diagnostics()).report.changeFeed;
    expect(published.published).toBeGreaterThan(before.published);
    expect(published.lastPublishedAt).not.toBeNull();
    expect(published.lastEventAt).toBe(published.lastPublishedAt);
    expect(published.lastEventAgeMs).toBeGreaterThanOrEqual(0);
    expect(published.lastEventAgeMs).toBeLessThan(10_000);

    await otherFeed.publish('orgs.changed', { orgId: t.orgId });
    let received = published;
    for (let waited = 0; received.received === published.received && waited < 3000; waited += 50) {
      await sleep(50);
      received = (await diagnostics()).report.changeFeed;
    }
    expect(received.received).toBe(published.received + 1);
    expect(received.lastReceivedAt).not.toBeNull();
    expect(received.lastReceivedLagMs).toBeGreaterThanOrEqual(0);
    expect(received.lastReceivedLagMs).toBeLessThan(1000);
    expect(received.maxReceivedLagMs).toBeGreaterThanOrEqual(received.lastReceivedLagMs ?? 0);
  });

  it('holds no secret: no token, no key, no database password', async () => {
    const { report, text } = await diagnostics();
    for (const secret of [
      BOOTSTRAP_TOKEN,
      SEEDED_OPENAI_KEY,
      t.adminKey,
      t.proxyKey,
      h.runtime.masterKey.key.toString('base64'),
      DB_PASSWORD,
    ]) {
      expect(text).not.toContain(secret);
    }
    if (dialect === 'postgres') expect(report.database.url).toMatch(/^postgres:\/\/postgres:\*\*\*@/);
  });

  it('answers org keys, even admin ones, with 403 (platform admins only)', async () => {
    for (const key of [t.adminKey, t.proxyKey]) {
      const res = await h.http().get('/admin/diagnostics').set(bearer(key));
      expect([res.status, (res.body as { error: { code: string } }).error.code]).toEqual([403, 'forbidden']);
    }
    const none = await h.http().get('/admin/diagnostics');
    expect([none.status, (none.body as { error: { code: string } }).error.code]).toEqual([401, 'unauthorized']);
  });
});
