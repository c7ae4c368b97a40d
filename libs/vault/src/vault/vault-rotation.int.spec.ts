import { setImmediate } from 'node:timers/promises';
import {
  createRepositories,
  openDatabase,
  type ChangeFeed,
  type Database,
  type ProviderKeysRepository,
  type Repositories,
} from '@navplane/storage';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@navplane/storage/testing';
import { createKeyring, type Keyring } from '../keyring/keyring';
import { createVault } from './vault';
import type { RewrapProgress, Vault, VaultOptions } from './vault.types';
import { countingRepository, defined, FeedPool, flipBase64, masterKey, plaintextKey, seedOrg } from './vault.fixture';

const ORGS = 30;
const PROVIDERS = ['openai', 'anthropic'] as const;

describe.each(TEST_DIALECTS)('master key rotation on %s', (dialect) => {
  let test: TestDatabase;
  let gatewayDb: Database; // the gateway's own connection, as in another process
  let repos: Repositories;
  let feed: ChangeFeed;
  let gatewayFeed: ChangeFeed;
  let oldKek: Buffer;
  let newKek: Buffer;
  let oldRing: Keyring;
  let bothRing: Keyring;
  let feeds: FeedPool;
  let vaults: Vault[];

  const vaultWith = (keyring: Keyring, options: Partial<VaultOptions> = {}): Vault => {
    const vault = createVault({
      keyring,
      providerKeys: repos.providerKeys,
      changeFeed: feed,
      ...options,
    });
    vaults.push(vault);
    return vault;
  };

  /** Stores a key per org and provider under the old master key; returns pair → plaintext. */
  async function seedKeys(orgs: number): Promise<Map<string, { orgId: string; provider: string; key: string }>> {
    const admin = vaultWith(oldRing);
    const pairs = new Map<string, { orgId: string; provider: string; key: string }>();
    for (let i = 0; i < orgs; i += 1) {
      const orgId = await seedOrg(repos, `org-${i}`);
      for (const provider of PROVIDERS) {
        const key = plaintextKey(`sk-${provider}`);
        const summary = await admin.storeProviderKey({ orgId, provider, key });
        pairs.set(summary.id, { orgId, provider, key });
      }
    }
    return pairs;
  }

  // Each test gets its own database: rewrapAll covers every row there is.
  beforeEach(async () => {
    test = await createTestDatabase(dialect);
    gatewayDb = await openDatabase({ url: test.url, poolSize: 4 });
    repos = createRepositories(test.database);
    feeds = new FeedPool();
    vaults = [];
    feed = await feeds.start(test.database);
    gatewayFeed = await feeds.start(gatewayDb);
    oldKek = masterKey();
    newKek = masterKey();
    oldRing = createKeyring({ current: oldKek });
    bothRing = createKeyring({ current: newKek, previous: [oldKek] });
  });
  afterEach(async () => {
    for (const vault of vaults) vault.close();
    await feeds.closeAll();
    await gatewayDb.close();
    await test.drop();
  });

  it('re-wraps every row while another instance keeps serving every key: zero failures', async () => {
    const pairs = await seedKeys(ORGS);
    const before = await repos.providerKeys.listAllForRewrap();
    expect(before.every((row) => row.kekVersion === oldRing.currentVersion)).toBe(true);
    const sealedBefore = await test.database.db
      .selectFrom('provider_keys')
      .select(['id', 'ciphertext', 'iv', 'auth_tag'])
      .orderBy('id')
      .execute();

    // The gateway: its own connection, feed and cache (smaller than the key set, so it keeps reading rows).
    const seenVersions = new Set<number>();
    const gatewayKeys = countingRepository(createRepositories(gatewayDb).providerKeys);
    const recordingRepo: ProviderKeysRepository = {
      ...gatewayKeys.repository,
      async findByOrgAndProvider(orgId, provider, name) {
        const row = await gatewayKeys.repository.findByOrgAndProvider(orgId, provider, name);
        if (row) seenVersions.add(row.kekVersion);
        return row;
      },
    };
    const gateway = createVault({
      keyring: bothRing,
      providerKeys: recordingRepo,
      changeFeed: gatewayFeed,
      cacheSize: 16,
    });
    vaults.push(gateway);

    // The rotation, slowed a little per row so the gateway's loop interleaves with it.
    const rotatorKeys = countingRepository(repos.providerKeys, async (method) => {
      if (method === 'updateWrapping') await new Promise((resolve) => setTimeout(resolve, 2));
    });
    const rotator = vaultWith(bothRing, {
      providerKeys: rotatorKeys.repository,
    });

    const failures: string[] = [];
    let lookups = 0;
    let rotating = true;
    const sweep = async () => {
      for (const { orgId, provider, key } of pairs.values()) {
        const lookup = await gateway.getProviderKey(orgId, provider);
        lookups += 1;
        // Requests arrive as I/O events: yield like a server would (SQLite reads never leave the microtask queue).
        await setImmediate();
        if (!lookup.ok) failures.push(`${orgId}/${provider}: ${lookup.reason}`);
        else if (lookup.key !== key) failures.push(`${orgId}/${provider}: wrong key`);
      }
    };
    const load = (async () => {
      while (rotating) await sweep();
    })();

    const progress: RewrapProgress[] = [];
    let lookupsAtStart = 0;
    const readsAtStart = gatewayKeys.calls.findByOrgAndProvider;
    let lookupsDuring = 0;
    let readsDuring = 0;
    let report: Awaited<ReturnType<Vault['rewrapAll']>>;
    try {
      report = await rotator.rewrapAll({
        onProgress: (step) => {
          if (progress.length === 0) lookupsAtStart = lookups;
          progress.push(step);
        },
      });
      lookupsDuring = lookups - lookupsAtStart;
      readsDuring = gatewayKeys.calls.findByOrgAndProvider - readsAtStart;
    } finally {
      rotating = false;
      await load;
    }
    await sweep(); // and once more after the rotation

    expect(failures).toEqual([]);
    expect(report).toEqual({ rewrapped: pairs.size, skipped: 0, failed: [] });
    expect(progress).toHaveLength(pairs.size);
    expect(progress.at(-1)).toMatchObject({
      done: pairs.size,
      total: pairs.size,
    });
    // The gateway really was busy during the rotation, reading rows under both master keys.
    expect(lookupsDuring).toBeGreaterThan(pairs.size);
    expect(readsDuring).toBeGreaterThan(0);
    expect([...seenVersions].sort()).toEqual([...bothRing.versions].sort());

    const after = await repos.providerKeys.listAllForRewrap();
    expect(after).toHaveLength(pairs.size);
    expect(after.every((row) => row.kekVersion === bothRing.currentVersion)).toBe(true);
    // Only the DEK wrapping changed: the secret ciphertext, IV and tag are byte-for-byte what they were.
    const sealedAfter = await test.database.db
      .selectFrom('provider_keys')
      .select(['id', 'ciphertext', 'iv', 'auth_tag'])
      .orderBy('id')
      .execute();
    expect(sealedAfter).toEqual(sealedBefore);

    const oldOnly = vaultWith(oldRing, { cacheSize: 0 });
    const newOnly = vaultWith(createKeyring({ current: newKek }), {
      cacheSize: 0,
    });
    for (const { orgId, provider, key } of pairs.values()) {
      expect(await oldOnly.getProviderKey(orgId, provider)).toEqual({
        ok: false,
        reason: 'undecryptable',
      });
      expect(await newOnly.getProviderKey(orgId, provider)).toEqual({
        ok: true,
        key,
      });
    }
    expect((await newOnly.verifyUnlocked()).storedKeys).toMatchObject({
      ok: true,
      notCurrent: 0,
      unknownKekVersion: 0,
    });
    expect(await oldOnly.verifyUnlocked()).toMatchObject({
      ready: false,
      storedKeys: { ok: true, unknownKekVersion: pairs.size },
    });
  });

  it('is idempotent and resumable: a second run skips every row', async () => {
    const pairs = await seedKeys(3);
    const rotator = vaultWith(bothRing);
    // An interrupted run: the first two rows only.
    const [first, second] = await repos.providerKeys.listAllForRewrap();
    const partial: ProviderKeysRepository = {
      ...repos.providerKeys,
      listAllForRewrap: () => Promise.resolve([defined(first), defined(second)]),
    };
    expect(await vaultWith(bothRing, { providerKeys: partial }).rewrapAll()).toEqual({ rewrapped: 2, skipped: 0, failed: [] });
    expect(await rotator.rewrapAll()).toEqual({
      rewrapped: pairs.size - 2,
      skipped: 2,
      failed: [],
    });
    expect(await rotator.rewrapAll()).toEqual({
      rewrapped: 0,
      skipped: pairs.size,
      failed: [],
    });
  });

  it('retries a row replaced meanwhile (compare-and-set) and keeps the replacement', async () => {
    const pairs = await seedKeys(2);
    const [targetId, target] = defined([...pairs.entries()][0]);
    const replacement = plaintextKey('sk-replaced');
    // An instance still on the old key replaces the key just as the rotator is about to write its wrapping.
    const lateAdmin = vaultWith(oldRing);
    let replaced = false;
    const racing = countingRepository(repos.providerKeys, async (method, args) => {
      if (method === 'updateWrapping' && args[0] === targetId && !replaced) {
        replaced = true;
        await lateAdmin.storeProviderKey({
          orgId: target.orgId,
          provider: target.provider,
          key: replacement,
        });
      }
    });
    const report = await vaultWith(bothRing, {
      providerKeys: racing.repository,
    }).rewrapAll();
    expect(replaced).toBe(true);
    expect(report).toEqual({ rewrapped: pairs.size, skipped: 0, failed: [] });
    const stored = await repos.providerKeys.findByOrgAndProvider(target.orgId, target.provider, 'default');
    expect(stored).toMatchObject({
      id: targetId,
      kekVersion: bothRing.currentVersion,
    });
    const newOnly = vaultWith(createKeyring({ current: newKek }), {
      cacheSize: 0,
    });
    expect(await newOnly.getProviderKey(target.orgId, target.provider)).toEqual({ ok: true, key: replacement });
  });

  it('reports rows it cannot unwrap by id and reason, and re-wraps the rest', async () => {
    const pairs = await seedKeys(2);
    const [tamperedId, unknownId] = [...pairs.keys()].map((id) => defined(id));
    const victim = defined(pairs.get(defined(tamperedId)));
    const tampered = defined(await repos.providerKeys.findByOrgAndProvider(victim.orgId, victim.provider, 'default'));
    await test.database.db
      .updateTable('provider_keys')
      .set({ wrapped_dek: flipBase64(tampered.wrappedDek) })
      .where('id', '=', defined(tamperedId))
      .execute();
    // A key wrapped by a master key this keyring does not hold.
    const stranger = vaultWith(createKeyring({ current: masterKey() }));
    const unknown = defined(pairs.get(defined(unknownId)));
    await stranger.storeProviderKey({
      orgId: unknown.orgId,
      provider: unknown.provider,
      key: plaintextKey(),
    });

    const report = await vaultWith(bothRing).rewrapAll();
    expect(report.rewrapped).toBe(pairs.size - 2);
    expect(report.skipped).toBe(0);
    expect(report.failed).toEqual(
      expect.arrayContaining([
        { id: tamperedId, reason: 'integrity_check_failed' },
        { id: unknownId, reason: 'unknown_kek_version' },
      ]),
    );
    expect(report.failed).toHaveLength(2);
    expect(JSON.stringify(report)).not.toMatch(/sk-/);
  });
});
