import { ManualClock, newId, toIso } from '@navplane/core';
import {
  CHANGE_FEED_RESYNC_TOPIC,
  CHANGE_TOPICS,
  createChangeFeed,
  createRepositories,
  type ChangeFeed,
  type Org,
  type Repositories,
} from '@navplane/storage';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@navplane/storage/testing';
import { countingRepositories, seedOrg, waitFor } from './auth-test.fixture';
import { checksumOf } from './checksum';
import { generateGatewayKey } from './gateway-key-format';
import { createGatewayKeyService, type GatewayKeyService } from './gateway-key.service';
import { createKeyVerifier, type KeyVerifier, type KeyVerifierOptions } from './key-verifier';

describe.each(TEST_DIALECTS)('key verifier on %s', (dialect) => {
  let test: TestDatabase;
  let repos: Repositories;
  let feed: ChangeFeed;
  let clock: ManualClock;
  let keys: GatewayKeyService;
  let org: Org;
  const verifiers: KeyVerifier[] = [];

  /** A started verifier on the shared feed and clock, over counting repositories. */
  async function startedVerifier(options: Partial<KeyVerifierOptions> = {}) {
    const counting = countingRepositories(repos);
    const verifier = createKeyVerifier({ repos: counting.repos, changeFeed: feed, clock, ...options });
    verifiers.push(verifier);
    await verifier.start();
    counting.calls.length = 0;
    return { verifier, calls: counting.calls };
  }

  async function issue(overrides: Partial<Parameters<GatewayKeyService['issue']>[0]> = {}) {
    const result = await keys.issue({ orgId: org.id, name: 'ci', ...overrides });
    if (!result.ok) throw result.error;
    return result.value;
  }

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    repos = createRepositories(test.database);
    feed = createChangeFeed(test.database, { pollIntervalMs: 50 });
    await feed.start();
  });
  beforeEach(async () => {
    clock = new ManualClock(Date.UTC(2026, 0, 1));
    keys = createGatewayKeyService({ repos, changeFeed: feed, clock });
    org = await seedOrg(repos);
  });
  afterEach(async () => {
    await Promise.all(verifiers.splice(0).map((verifier) => verifier.close()));
  });
  afterAll(async () => {
    await feed.close();
    await test.drop();
  });

  it('accepts an issued key and returns who it is, nothing secret', async () => {
    const workspace = await repos.workspaces.create({
      id: newId('workspace'),
      orgId: org.id,
      name: 'prod',
      createdAt: toIso(clock.nowMs()),
    });
    const issued = await issue({ name: 'backend', scopes: ['traces:read', 'proxy'], workspaceId: workspace.id });
    const { verifier } = await startedVerifier();
    const result = await verifier.verify(issued.key);
    expect(result).toEqual({
      valid: true,
      key: { id: issued.record.id, orgId: org.id, workspaceId: workspace.id, scopes: ['proxy', 'traces:read'], name: 'backend' },
    });
  });

  it('carries a key’s model allowlist, and none for a key without one', async () => {
    const limited = await issue({ models: ['gpt-4.1', 'claude-sonnet-4-5'] });
    const open = await issue();
    const { verifier } = await startedVerifier();
    const verified = await verifier.verify(limited.key);
    if (!verified.valid) throw new Error(verified.code);
    expect(verified.key.models).toEqual(new Set(['gpt-4.1', 'claude-sonnet-4-5']));
    const verifiedOpen = await verifier.verify(open.key);
    if (!verifiedOpen.valid) throw new Error(verifiedOpen.code);
    expect(verifiedOpen.key).not.toHaveProperty('models');
    // The rotated key carries the same list.
    const rotated = await keys.rotate(org.id, limited.record.id, { graceSeconds: 60 });
    if (!rotated.ok) throw rotated.error;
    const verifiedRotated = await verifier.verify(rotated.value.key);
    expect(verifiedRotated).toMatchObject({ valid: true, key: { models: new Set(['gpt-4.1', 'claude-sonnet-4-5']) } });
  });

  it('refuses malformed text and typos without touching the database', async () => {
    const issued = await issue();
    const { verifier, calls } = await startedVerifier();
    const typo = issued.key.slice(0, 20) + (issued.key[20] === 'a' ? 'b' : 'a') + issued.key.slice(21);
    for (const text of ['', 'sk-live-123', `Bearer ${issued.key}`, typo, issued.key.slice(0, -1)]) {
      expect(await verifier.verify(text)).toEqual({ valid: false, code: 'malformed' });
    }
    expect(calls).toEqual([]);
  });

  it('does no database query at all for a warm key', async () => {
    const issued = await issue();
    const { verifier, calls } = await startedVerifier();
    expect((await verifier.verify(issued.key)).valid).toBe(true);
    await verifier.flushLastUsed();
    expect(calls).toEqual(['gatewayKeys.findByPublicId', 'gatewayKeys.touchLastUsed']);
    calls.length = 0;
    for (let i = 0; i < 100; i += 1) expect((await verifier.verify(issued.key)).valid).toBe(true);
    expect(calls).toEqual([]);
    expect(verifier.stats()).toMatchObject({ cachedKeys: 1, hits: 100, misses: 1 });
  });

  it('batches last_used_at: one write per key per interval, off the request path', async () => {
    const issued = await issue();
    const { verifier, calls } = await startedVerifier();
    clock.advance(1000);
    for (let i = 0; i < 5; i += 1) await verifier.verify(issued.key);
    expect(calls.filter((call) => call === 'gatewayKeys.touchLastUsed')).toEqual([]);
    await verifier.flushLastUsed();
    expect(calls.filter((call) => call === 'gatewayKeys.touchLastUsed')).toHaveLength(1);
    expect((await repos.gatewayKeys.findById(issued.record.id))?.lastUsedAt).toBe(toIso(clock.nowMs()));
  });

  it('shares one read between concurrent verifications of a cold key', async () => {
    const issued = await issue();
    const { verifier, calls } = await startedVerifier();
    const results = await Promise.all(Array.from({ length: 20 }, () => verifier.verify(issued.key)));
    expect(results.every((result) => result.valid)).toBe(true);
    expect(calls.filter((call) => call === 'gatewayKeys.findByPublicId')).toHaveLength(1);
  });

  it('calls an unknown key unknown, remembers that for negativeTtlMs, and forgets it when the key appears', async () => {
    const { verifier, calls } = await startedVerifier({ negativeTtlMs: 30_000 });
    const stray = generateGatewayKey(); // well-formed, never stored
    expect(await verifier.verify(stray.key)).toEqual({ valid: false, code: 'unknown' });
    expect(await verifier.verify(stray.key)).toEqual({ valid: false, code: 'unknown' });
    expect(calls).toEqual(['gatewayKeys.findByPublicId']);
    clock.advance(30_000);
    expect(await verifier.verify(stray.key)).toEqual({ valid: false, code: 'unknown' });
    expect(calls).toEqual(['gatewayKeys.findByPublicId', 'gatewayKeys.findByPublicId']);

    // The key now exists (as if issued elsewhere): its change event evicts the negative entry at once.
    const id = newId('gatewayKey');
    await repos.gatewayKeys.insert({
      id,
      orgId: org.id,
      name: 'late',
      publicId: stray.publicId,
      secretHash: stray.secretHash,
      displayPrefix: stray.displayPrefix,
      scopes: ['proxy'],
      createdAt: toIso(clock.nowMs()),
    });
    await feed.publish(CHANGE_TOPICS.gatewayKeyChanged, { orgId: org.id, keyId: id, publicId: stray.publicId });
    expect((await verifier.verify(stray.key)).valid).toBe(true);
  });

  it('calls a right public id with a wrong secret unknown', async () => {
    const issued = await issue();
    const { verifier } = await startedVerifier();
    expect((await verifier.verify(issued.key)).valid).toBe(true);
    const forged = generateGatewayKey();
    // Same public id, another secret, valid checksum: only the hash comparison can refuse it.
    const body = `np_${issued.key.slice(3, 15)}_${forged.key.slice(16, 48)}`;
    expect(await verifier.verify(body + checksumOf(body))).toEqual({ valid: false, code: 'unknown' });
  });

  it('refuses a revoked key at once, warm or cold', async () => {
    const warm = await issue();
    const cold = await issue();
    const { verifier } = await startedVerifier();
    expect((await verifier.verify(warm.key)).valid).toBe(true);
    expect((await keys.revoke(org.id, warm.record.id)).ok).toBe(true);
    expect((await keys.revoke(org.id, cold.record.id)).ok).toBe(true);
    expect(await verifier.verify(warm.key)).toEqual({ valid: false, code: 'revoked' });
    expect(await verifier.verify(cold.key)).toEqual({ valid: false, code: 'revoked' });
  });

  it('refuses a key from its expiresAt on, checked against the clock from the cached record', async () => {
    const issued = await issue({ expiresAt: toIso(clock.nowMs() + 3_600_000) });
    const { verifier, calls } = await startedVerifier();
    expect((await verifier.verify(issued.key)).valid).toBe(true);
    await verifier.flushLastUsed();
    calls.length = 0;
    clock.advance(3_599_999);
    expect((await verifier.verify(issued.key)).valid).toBe(true);
    clock.advance(1);
    expect(await verifier.verify(issued.key)).toEqual({ valid: false, code: 'expired' });
    expect(calls.filter((call) => call !== 'gatewayKeys.touchLastUsed')).toEqual([]);
  });

  it('rotation with grace: the new key works at once, the old one until the grace ends, then is expired', async () => {
    const old = await issue({ scopes: ['proxy', 'analytics:read'] });
    const { verifier } = await startedVerifier();
    expect((await verifier.verify(old.key)).valid).toBe(true);
    const rotated = await keys.rotate(org.id, old.record.id, { graceSeconds: 300 });
    if (!rotated.ok) throw rotated.error;
    const fresh = await verifier.verify(rotated.value.key);
    expect(fresh).toEqual({
      valid: true,
      key: { id: rotated.value.record.id, orgId: org.id, workspaceId: null, scopes: ['proxy', 'analytics:read'], name: 'ci' },
    });
    expect((await verifier.verify(old.key)).valid).toBe(true);
    clock.advance(299_999);
    expect((await verifier.verify(old.key)).valid).toBe(true);
    clock.advance(1);
    expect(await verifier.verify(old.key)).toEqual({ valid: false, code: 'expired' });
    expect((await verifier.verify(rotated.value.key)).valid).toBe(true);
  });

  it('rotation without grace revokes the old key now', async () => {
    const old = await issue();
    const { verifier } = await startedVerifier();
    expect((await verifier.verify(old.key)).valid).toBe(true);
    const rotated = await keys.rotate(org.id, old.record.id);
    if (!rotated.ok) throw rotated.error;
    expect(await verifier.verify(old.key)).toEqual({ valid: false, code: 'revoked' });
    expect((await verifier.verify(rotated.value.key)).valid).toBe(true);
  });

  it('follows the org kill switch both ways', async () => {
    const issued = await issue();
    const { verifier } = await startedVerifier();
    expect((await verifier.verify(issued.key)).valid).toBe(true);
    await repos.orgs.setEnabled(org.id, false, toIso(clock.nowMs()));
    await feed.publish(CHANGE_TOPICS.orgChanged, { orgId: org.id });
    await waitFor(async () => (await verifier.verify(issued.key)).valid === false);
    expect(await verifier.verify(issued.key)).toMatchObject({ valid: false, code: 'org_disabled', key: { id: issued.record.id } });
    await repos.orgs.setEnabled(org.id, true, toIso(clock.nowMs()));
    await feed.publish(CHANGE_TOPICS.orgChanged, { orgId: org.id });
    await waitFor(async () => (await verifier.verify(issued.key)).valid);
  });

  it('knows orgs created after start (reads the org once, then from memory)', async () => {
    const { verifier, calls } = await startedVerifier();
    const later = await seedOrg(repos, 'Later');
    const result = await keys.issue({ orgId: later.id, name: 'new' });
    if (!result.ok) throw result.error;
    expect((await verifier.verify(result.value.key)).valid).toBe(true);
    expect((await verifier.verify(result.value.key)).valid).toBe(true);
    expect(calls.filter((call) => call.startsWith('orgs.')).length).toBeLessThanOrEqual(1);
  });

  it('does not cache an answer that a change overtook while it was being read', async () => {
    const issued = await issue();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let first = true;
    const slowRepos: Repositories = {
      ...repos,
      gatewayKeys: {
        ...repos.gatewayKeys,
        async findByPublicId(publicId) {
          const record = await repos.gatewayKeys.findByPublicId(publicId);
          if (first) {
            first = false;
            await gate; // the read has happened; the revocation lands before we answer
          }
          return record;
        },
      },
    };
    const verifier = createKeyVerifier({ repos: slowRepos, changeFeed: feed, clock });
    verifiers.push(verifier);
    await verifier.start();
    const verifying = verifier.verify(issued.key);
    await waitFor(() => !first);
    expect((await keys.revoke(org.id, issued.record.id)).ok).toBe(true);
    release();
    expect(await verifying).toEqual({ valid: false, code: 'revoked' });
    expect(await verifier.verify(issued.key)).toEqual({ valid: false, code: 'revoked' });
  });

  it('drops everything on a change-feed resync', async () => {
    const issued = await issue();
    const { verifier, calls } = await startedVerifier();
    await verifier.verify(issued.key);
    calls.length = 0;
    await feed.publish(CHANGE_FEED_RESYNC_TOPIC, { reason: 'gap' });
    expect(verifier.stats().cachedKeys).toBe(0);
    expect((await verifier.verify(issued.key)).valid).toBe(true);
    expect(calls).toContain('gatewayKeys.findByPublicId');
  });

  it('refuses a cache size that is not a positive integer', () => {
    for (const cacheSize of [0, 1.5, -1]) {
      expect(() => createKeyVerifier({ repos, changeFeed: feed, clock, cacheSize })).toThrow(/positive integer/);
    }
  });

  it('bounds the cache: the least recently used key is read again', async () => {
    const a = await issue();
    const b = await issue();
    const { verifier, calls } = await startedVerifier({ cacheSize: 1 });
    await verifier.verify(a.key);
    await verifier.verify(b.key);
    expect(verifier.stats().cachedKeys).toBe(1);
    calls.length = 0;
    expect((await verifier.verify(a.key)).valid).toBe(true);
    expect(calls).toContain('gatewayKeys.findByPublicId');
  });
});

describe.each(TEST_DIALECTS)('key verifier without a database on %s', (dialect) => {
  it('keeps serving warm keys and answers unavailable for the others (fail closed)', async () => {
    const test = await createTestDatabase(dialect);
    const repos = createRepositories(test.database);
    const feed = createChangeFeed(test.database, { pollIntervalMs: 50 });
    const clock = new ManualClock();
    const keys = createGatewayKeyService({ repos, changeFeed: feed, clock });
    const verifier = createKeyVerifier({ repos, changeFeed: feed, clock });
    try {
      const org = await seedOrg(repos);
      const warm = await keys.issue({ orgId: org.id, name: 'warm' });
      const cold = await keys.issue({ orgId: org.id, name: 'cold' });
      if (!warm.ok || !cold.ok) throw new Error('issue failed');
      await verifier.start();
      expect((await verifier.verify(warm.value.key)).valid).toBe(true);
      await verifier.flushLastUsed();

      await test.database.close(); // the key store is gone

      expect((await verifier.verify(warm.value.key)).valid).toBe(true);
      expect(await verifier.verify(cold.value.key)).toEqual({ valid: false, code: 'unavailable' });
      expect(await verifier.verify(generateGatewayKey().key)).toEqual({ valid: false, code: 'unavailable' });
      expect(await verifier.verify('np_nonsense')).toEqual({ valid: false, code: 'malformed' });
      expect(verifier.stats().unavailable).toBe(2);
      clock.advance(1);
      await verifier.verify(warm.value.key);
      await verifier.flushLastUsed(); // the write fails: counted, never thrown
      expect(verifier.stats().lastUsedFailures).toBe(1);
    } finally {
      await verifier.close();
      await feed.close();
      await test.drop();
    }
  });
});
