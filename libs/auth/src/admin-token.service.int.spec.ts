import { ManualClock } from '@navplane/core';
import { createChangeFeed, createRepositories, openDatabase, type ChangeFeed, type Database, type Repositories } from '@navplane/storage';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@navplane/storage/testing';
import { countingRepositories, expectNoSecrets, waitFor } from './auth-test.fixture';
import { parseAdminToken } from './admin-token-format';
import { checksumOf } from './checksum';
import { createAdminTokenService, type AdminTokenService } from './admin-token.service';

const BOOTSTRAP = 'bootstrap-token-0123456789abcdef';

describe.each(TEST_DIALECTS)('admin token service on %s', (dialect) => {
  let test: TestDatabase;
  let repos: Repositories;
  let feed: ChangeFeed;
  let clock: ManualClock;
  const services: AdminTokenService[] = [];

  function service(options: Partial<Parameters<typeof createAdminTokenService>[0]> = {}) {
    const created = createAdminTokenService({ repos, changeFeed: feed, clock, bootstrapToken: BOOTSTRAP, ...options });
    services.push(created);
    return created;
  }

  async function create(tokens: AdminTokenService, name = 'ops') {
    const result = await tokens.create(name);
    if (!result.ok) throw result.error;
    return result.value;
  }

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    repos = createRepositories(test.database);
    feed = createChangeFeed(test.database, { pollIntervalMs: 50 });
    await feed.start();
  });
  beforeEach(() => {
    clock = new ManualClock();
  });
  afterEach(async () => {
    await Promise.all(services.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await feed.close();
    await test.drop();
  });

  it('creates a token shown once and stores only its argon2id hash (OWASP parameters)', async () => {
    const tokens = service();
    const { token, record } = await create(tokens, ' ops ');
    expect(parseAdminToken(token)?.id).toBe(record.id);
    expect(record).toMatchObject({ name: 'ops', displayPrefix: `npa_${record.id}…`, revokedAt: null });
    expectNoSecrets(record, [token, token.slice(35)]);
    const stored = await repos.adminTokens.findById(record.id);
    expect(stored?.tokenHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(stored?.tokenHash).not.toContain(token.slice(35));
    const listed = await tokens.list();
    expect(listed.map((t) => t.id)).toContain(record.id);
    expectNoSecrets(listed, [token]);
    expect(await tokens.create('')).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
  });

  it('verifies a token, then answers from memory (no query, no argon2) until it changes', async () => {
    const { token, record } = await create(service());
    const counting = countingRepositories(repos);
    const tokens = service({ repos: counting.repos });
    expect(await tokens.verify(token)).toEqual({ valid: true, actor: { type: 'admin_token', id: record.id } });
    await tokens.flushLastUsed();
    expect(counting.calls).toEqual(['adminTokens.findById', 'adminTokens.touchLastUsed']);
    counting.calls.length = 0;
    for (let i = 0; i < 20; i += 1) expect((await tokens.verify(token)).valid).toBe(true);
    expect(counting.calls).toEqual([]);
    // After cacheTtlMs the token is verified against the store again.
    clock.advance(300_000);
    expect((await tokens.verify(token)).valid).toBe(true);
    expect(counting.calls).toContain('adminTokens.findById');
  });

  it('shares one store read and argon2 run between concurrent verifications of a cold token', async () => {
    const { token, record } = await create(service());
    const counting = countingRepositories(repos);
    const tokens = service({ repos: counting.repos });
    const results = await Promise.all(Array.from({ length: 10 }, () => tokens.verify(token)));
    expect(results.every((result) => result.valid && result.actor.id === record.id)).toBe(true);
    expect(counting.calls.filter((call) => call === 'adminTokens.findById')).toHaveLength(1);
  });

  it('does not cache a verification that a revocation overtook: it is checked again and refused', async () => {
    const issuer = service();
    const { token, record } = await create(issuer);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let first = true;
    const slowRepos: Repositories = {
      ...repos,
      adminTokens: {
        ...repos.adminTokens,
        async findById(id) {
          const row = await repos.adminTokens.findById(id);
          if (first) {
            first = false;
            await gate; // the row was read before the revocation lands
          }
          return row;
        },
      },
    };
    const tokens = service({ repos: slowRepos });
    const verifying = tokens.verify(token);
    await waitFor(() => !first);
    expect((await issuer.revoke(record.id)).ok).toBe(true);
    release();
    expect(await verifying).toEqual({ valid: false, code: 'revoked' });
    expect(await tokens.verify(token)).toEqual({ valid: false, code: 'revoked' });
  });

  it('refuses wrong secrets, unknown ids and malformed text', async () => {
    const tokens = service();
    const { token } = await create(tokens);
    const { token: other } = await create(tokens);
    const body = `${token.slice(0, 35)}${other.slice(35, 67)}`; // right id, another secret
    expect(await tokens.verify(body + checksumOf(body))).toEqual({ valid: false, code: 'unknown' });
    const unknownBody = `npa_adm_${'0'.repeat(26)}_${other.slice(35, 67)}`;
    expect(await tokens.verify(unknownBody + checksumOf(unknownBody))).toEqual({ valid: false, code: 'unknown' });
    expect(await tokens.verify(`${token.slice(0, -1)}#`)).toEqual({ valid: false, code: 'malformed' });
    expect(await tokens.verify('')).toEqual({ valid: false, code: 'malformed' });
  });

  it('refuses a revoked token even when its verification was cached, and revoke is idempotent', async () => {
    const tokens = service();
    const { token, record } = await create(tokens);
    expect((await tokens.verify(token)).valid).toBe(true);
    const revoked = await tokens.revoke(record.id);
    if (!revoked.ok) throw revoked.error;
    expect(revoked.value.revokedAt).not.toBeNull();
    expectNoSecrets(revoked.value, [token]);
    expect(await tokens.verify(token)).toEqual({ valid: false, code: 'revoked' });
    expect((await tokens.revoke(record.id)).ok).toBe(true);
    expect(await tokens.revoke('adm_missing')).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect((await tokens.list()).map((t) => t.id)).not.toContain(record.id);
  });

  it('accepts the bootstrap token in constant time without ever storing it', async () => {
    const tokens = service();
    expect(await tokens.verify(BOOTSTRAP)).toEqual({ valid: true, actor: { type: 'bootstrap', id: null } });
    expect(await tokens.verify(`${BOOTSTRAP.slice(0, -1)}X`)).toEqual({ valid: false, code: 'malformed' });
    expect(await tokens.verify(BOOTSTRAP.slice(0, -1))).toEqual({ valid: false, code: 'malformed' });
    const withoutBootstrap = service({ bootstrapToken: undefined });
    expect(await withoutBootstrap.verify(BOOTSTRAP)).toEqual({ valid: false, code: 'malformed' });
    const { db } = test.database;
    const rows = [
      ...(await db.selectFrom('admin_tokens').selectAll().execute()),
      ...(await db.selectFrom('audit_log').selectAll().execute()),
    ];
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain(BOOTSTRAP);
    expect(() => service({ bootstrapToken: 'short' })).toThrow(/at least 16/);
  });

  it('writes audit records with the mutation when an actor is given', async () => {
    const tokens = service();
    const actor = { type: 'bootstrap', id: null };
    const created = await tokens.create('audited', { actor });
    if (!created.ok) throw created.error;
    clock.advance(1); // audit records list newest first, by time
    await tokens.revoke(created.value.record.id, { actor });
    const entries = (await repos.auditLog.list()).filter((e) => e.targetId === created.value.record.id);
    expect(entries.map((e) => [e.action, e.actorType, e.actorId, e.orgId])).toEqual([
      ['admin_token.revoke', 'bootstrap', null, null],
      ['admin_token.create', 'bootstrap', null, null],
    ]);
    expectNoSecrets(entries, [created.value.token]);
  });

  it('answers unavailable when the store cannot be read and the token is not cached', async () => {
    const own = await createTestDatabase(dialect);
    const ownFeed = createChangeFeed(own.database, { pollIntervalMs: 50 });
    const tokens = createAdminTokenService({
      repos: createRepositories(own.database),
      changeFeed: ownFeed,
      clock,
      bootstrapToken: BOOTSTRAP,
    });
    try {
      const { token } = await create(tokens);
      await own.database.close();
      expect(await tokens.verify(token)).toEqual({ valid: false, code: 'unavailable' });
      expect((await tokens.verify(BOOTSTRAP)).valid).toBe(true); // needs no store
    } finally {
      await tokens.close();
      await ownFeed.close();
      await own.drop();
    }
  });

  describe('across instances', () => {
    let otherDatabase: Database;
    let otherFeed: ChangeFeed;

    beforeAll(async () => {
      otherDatabase = await openDatabase({ url: test.url, poolSize: 2 });
      otherFeed = createChangeFeed(otherDatabase, { pollIntervalMs: 50 });
      await otherFeed.start();
    });
    afterAll(async () => {
      await otherFeed.close();
      await otherDatabase.close();
    });

    it('a revocation through one instance evicts the cached verification on the other within 1 s', async () => {
      const tokens = service();
      const other = createAdminTokenService({ repos: createRepositories(otherDatabase), changeFeed: otherFeed, clock });
      services.push(other);
      const { token, record } = await create(tokens);
      expect((await other.verify(token)).valid).toBe(true);
      expect((await tokens.revoke(record.id)).ok).toBe(true);
      const elapsed = await waitFor(async () => (await other.verify(token)).valid === false, 5000);
      expect(elapsed).toBeLessThan(1000);
      expect(await other.verify(token)).toEqual({ valid: false, code: 'revoked' });
    });
  });
});
