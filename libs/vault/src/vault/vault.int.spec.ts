import { inspect } from 'node:util';
import { isAppError, ManualClock, toIso } from '@navplane/core';
import {
  CHANGE_FEED_RESYNC_TOPIC,
  CHANGE_TOPICS,
  createRepositories,
  openDatabase,
  type ChangeFeed,
  type Database,
  type JsonObject,
  type ProviderKeysRepository,
  type Repositories,
} from '@navplane/storage';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@navplane/storage/testing';
import { createKeyring, type Keyring } from '../keyring/keyring';
import { createVault } from './vault';
import type { Vault, VaultOptions } from './vault.types';
import { countingRepository, defined, FeedPool, masterKey, nextProviderKeyChange, plaintextKey, seedOrg, waitUntil } from './vault.fixture';

describe.each(TEST_DIALECTS)('vault on %s', (dialect) => {
  let test: TestDatabase;
  let other: Database; // a second connection, like another gateway process
  let repos: Repositories;
  let otherRepos: Repositories;
  let keyring: Keyring;
  let feed: ChangeFeed;
  let otherFeed: ChangeFeed;
  const feeds = new FeedPool();
  const vaults: Vault[] = [];

  const vaultOn = (options: Partial<VaultOptions> = {}): Vault => {
    const vault = createVault({
      keyring,
      providerKeys: repos.providerKeys,
      changeFeed: feed,
      ...options,
    });
    vaults.push(vault);
    return vault;
  };

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    other = await openDatabase({ url: test.url, poolSize: 4 });
    repos = createRepositories(test.database);
    otherRepos = createRepositories(other);
    keyring = createKeyring({ current: masterKey() });
    feed = await feeds.start(test.database);
    otherFeed = await feeds.start(other);
  });
  afterAll(async () => {
    for (const vault of vaults) vault.close();
    await feeds.closeAll();
    await other.close();
    await test.drop();
  });

  it('stores a key and returns it decrypted; replacing keeps the row and serves the new key', async () => {
    const vault = vaultOn();
    const orgId = await seedOrg(repos);
    const first = plaintextKey('sk-proj');
    const summary = await vault.storeProviderKey({
      orgId,
      provider: 'openai',
      key: first,
    });
    expect(summary).toMatchObject({
      orgId,
      provider: 'openai',
      last4: first.slice(-4),
      kekVersion: keyring.currentVersion,
    });
    expect(summary.id).toMatch(/^pk_/);
    expect(JSON.stringify(summary)).not.toContain(first);
    expect(await vault.getProviderKey(orgId, 'openai')).toEqual({
      ok: true,
      key: first,
    });

    const second = plaintextKey('sk-proj');
    const replaced = await vault.storeProviderKey({
      orgId,
      provider: 'openai',
      key: second,
    });
    expect(replaced.id).toBe(summary.id);
    expect(replaced.rotatedAt).not.toBeNull();
    expect(await vault.getProviderKey(orgId, 'openai')).toEqual({
      ok: true,
      key: second,
    });
    expect(await vault.getProviderKey(orgId, 'anthropic')).toEqual({
      ok: false,
      reason: 'missing',
    });
  });

  it('stores a base URL with the key, serves it with the decrypted key and lists it; a replacement replaces it', async () => {
    const vault = vaultOn();
    const orgId = await seedOrg(repos);
    const key = plaintextKey('az');
    const summary = await vault.storeProviderKey({ orgId, provider: 'azure-openai', key, baseUrl: 'https://one.openai.azure.com' });
    expect(summary.baseUrl).toBe('https://one.openai.azure.com');
    expect(await vault.getProviderKey(orgId, 'azure-openai')).toEqual({ ok: true, key, baseUrl: 'https://one.openai.azure.com' });
    const lookup = await vault.getProviderKey(orgId, 'azure-openai');
    expect(JSON.stringify(lookup)).toBe('{"ok":true,"key":"[redacted]","baseUrl":"https://one.openai.azure.com"}');
    expect(inspect(lookup)).not.toContain(key);
    await vault.storeProviderKey({ orgId, provider: 'azure-openai', key, baseUrl: 'https://two.openai.azure.com' });
    expect(await vault.getProviderKey(orgId, 'azure-openai')).toEqual({ ok: true, key, baseUrl: 'https://two.openai.azure.com' });
    expect((await repos.providerKeys.listByOrg(orgId)).map((row) => row.baseUrl)).toEqual(['https://two.openai.azure.com']);
    await expect(vault.storeProviderKey({ orgId, provider: 'azure-openai', key, baseUrl: 'https://x.example/\n' })).rejects.toMatchObject({
      code: 'invalid_request',
    });
  });

  it('uses the given rowId for a new row only', async () => {
    const vault = vaultOn();
    const orgId = await seedOrg(repos);
    const created = await vault.storeProviderKey({
      orgId,
      provider: 'anthropic',
      key: plaintextKey(),
      rowId: 'pk_given',
    });
    expect(created.id).toBe('pk_given');
    const key = plaintextKey();
    const replaced = await vault.storeProviderKey({
      orgId,
      provider: 'anthropic',
      key,
      rowId: 'pk_ignored',
    });
    expect(replaced.id).toBe('pk_given');
    expect(await vault.getProviderKey(orgId, 'anthropic')).toEqual({
      ok: true,
      key,
    });
  });

  it('deletes a key: the next lookup is missing, and the change is published', async () => {
    const vault = vaultOn();
    const orgId = await seedOrg(repos);
    const published: JsonObject[] = [];
    const unsubscribe = feed.subscribe(CHANGE_TOPICS.providerKeyChanged, (payload) => published.push(payload));
    const key = plaintextKey();
    await vault.storeProviderKey({ orgId, provider: 'openai', key });
    expect((await vault.getProviderKey(orgId, 'openai')).ok).toBe(true);
    expect(await vault.deleteProviderKey(orgId, 'openai')).toBe(true);
    expect(await vault.getProviderKey(orgId, 'openai')).toEqual({
      ok: false,
      reason: 'missing',
    });
    expect(await vault.deleteProviderKey(orgId, 'openai')).toBe(false);
    unsubscribe();
    expect(published).toEqual([
      { orgId, provider: 'openai', name: 'default' },
      { orgId, provider: 'openai', name: 'default' },
    ]);
    expect(JSON.stringify(published)).not.toContain(key);
  });

  it('serves a warm key with no database query at all', async () => {
    const counted = countingRepository(repos.providerKeys);
    const vault = vaultOn({ providerKeys: counted.repository });
    const orgId = await seedOrg(repos);
    const key = plaintextKey();
    await vault.storeProviderKey({ orgId, provider: 'openai', key });
    const queriesAfterStore = { ...counted.calls };
    expect(await vault.getProviderKey(orgId, 'openai')).toEqual({
      ok: true,
      key,
    });
    expect(counted.calls.findByOrgAndProvider).toBe(queriesAfterStore.findByOrgAndProvider + 1);
    const before = { ...counted.calls };
    for (let i = 0; i < 100; i += 1)
      expect(await vault.getProviderKey(orgId, 'openai')).toEqual({
        ok: true,
        key,
      });
    expect(counted.calls).toEqual(before);
  });

  it('serves warm keys after the database is gone; cold lookups are unavailable', async () => {
    const own = await createTestDatabase(dialect);
    try {
      const ownRepos = createRepositories(own.database);
      const ownFeed = await feeds.start(own.database);
      const errors: Error[] = [];
      const vault = vaultOn({
        providerKeys: ownRepos.providerKeys,
        changeFeed: ownFeed,
        onError: (e) => errors.push(e),
      });
      const orgId = await seedOrg(ownRepos);
      const key = plaintextKey();
      await vault.storeProviderKey({ orgId, provider: 'openai', key });
      expect(await vault.getProviderKey(orgId, 'openai')).toEqual({
        ok: true,
        key,
      });
      await ownFeed.close();
      await own.database.close();
      expect(await vault.getProviderKey(orgId, 'openai')).toEqual({
        ok: true,
        key,
      });
      expect(await vault.getProviderKey(orgId, 'anthropic')).toEqual({
        ok: false,
        reason: 'unavailable',
      });
      expect(errors).toHaveLength(1);
      expect((await vault.verifyUnlocked()).storedKeys).toEqual({
        ok: false,
        reason: 'unavailable',
      });
    } finally {
      await own.drop();
    }
  });

  it('evicts a cached key within 1 s when another instance replaces it (change feed, not TTL)', async () => {
    const writer = vaultOn();
    const counted = countingRepository(otherRepos.providerKeys);
    // A frozen clock: nothing can expire, so only the change feed can make the reader see the new key.
    const reader = vaultOn({
      providerKeys: counted.repository,
      changeFeed: otherFeed,
      clock: new ManualClock(),
    });
    const orgId = await seedOrg(repos);
    const oldKey = plaintextKey();
    const stored = nextProviderKeyChange(otherFeed, orgId);
    await writer.storeProviderKey({ orgId, provider: 'openai', key: oldKey });
    await stored; // so this first store's own event cannot evict what the reader caches next
    expect(await reader.getProviderKey(orgId, 'openai')).toEqual({
      ok: true,
      key: oldKey,
    });
    const reads = counted.calls.findByOrgAndProvider;
    expect(await reader.getProviderKey(orgId, 'openai')).toEqual({
      ok: true,
      key: oldKey,
    });
    expect(counted.calls.findByOrgAndProvider).toBe(reads);

    const newKey = plaintextKey();
    await writer.storeProviderKey({ orgId, provider: 'openai', key: newKey });
    const elapsed = await waitUntil(async () => {
      const lookup = await reader.getProviderKey(orgId, 'openai');
      return lookup.ok && lookup.key === newKey;
    }, 1000);
    expect(elapsed).toBeLessThan(1000);
  });

  it("evicts a cached 'missing' when another instance stores the key", async () => {
    const writer = vaultOn();
    const reader = vaultOn({
      providerKeys: otherRepos.providerKeys,
      changeFeed: otherFeed,
      clock: new ManualClock(),
      missCacheTtlMs: 3_600_000,
    });
    const orgId = await seedOrg(repos);
    expect(await reader.getProviderKey(orgId, 'anthropic')).toEqual({
      ok: false,
      reason: 'missing',
    });
    const key = plaintextKey('sk-ant');
    await writer.storeProviderKey({ orgId, provider: 'anthropic', key });
    await waitUntil(async () => (await reader.getProviderKey(orgId, 'anthropic')).ok, 1000);
    expect(await reader.getProviderKey(orgId, 'anthropic')).toEqual({
      ok: true,
      key,
    });

    await writer.deleteProviderKey(orgId, 'anthropic');
    await waitUntil(async () => !(await reader.getProviderKey(orgId, 'anthropic')).ok, 1000);
    expect(await reader.getProviderKey(orgId, 'anthropic')).toEqual({
      ok: false,
      reason: 'missing',
    });
  });

  it('drops every cached key on the change feed resync topic', async () => {
    const counted = countingRepository(repos.providerKeys);
    const vault = vaultOn({
      providerKeys: counted.repository,
      clock: new ManualClock(),
    });
    const orgId = await seedOrg(repos);
    await vault.storeProviderKey({
      orgId,
      provider: 'openai',
      key: plaintextKey(),
    });
    await vault.getProviderKey(orgId, 'openai');
    const reads = counted.calls.findByOrgAndProvider;
    await vault.getProviderKey(orgId, 'openai');
    expect(counted.calls.findByOrgAndProvider).toBe(reads);
    await feed.publish(CHANGE_FEED_RESYNC_TOPIC, { reason: 'gap' });
    await vault.getProviderKey(orgId, 'openai');
    expect(counted.calls.findByOrgAndProvider).toBe(reads + 1);
  });

  it('forgets every provider of one org on an org-wide change, and no other org’s, whatever its id holds', async () => {
    const counted = countingRepository(repos.providerKeys);
    const vault = vaultOn({ providerKeys: counted.repository, clock: new ManualClock() });
    const orgId = await seedOrg(repos);
    // Its cache keys are JSON: never read as a pair of the first org, though its id starts with it.
    const lookalike = `${orgId}","openai`;
    await repos.orgs.create({ id: lookalike, name: 'Lookalike', createdAt: toIso(Date.UTC(2026, 10, 23)) });
    const pairs = [
      [orgId, 'openai'],
      [orgId, 'anthropic'],
      [lookalike, 'openai'],
    ] as const;
    for (const [org, provider] of pairs) await vault.storeProviderKey({ orgId: org, provider, key: plaintextKey() });
    for (const [org, provider] of pairs) expect((await vault.getProviderKey(org, provider)).ok).toBe(true);
    const reads = counted.calls.findByOrgAndProvider;
    await feed.publish(CHANGE_TOPICS.providerKeyChanged, { orgId });
    for (const [org, provider] of pairs) expect((await vault.getProviderKey(org, provider)).ok).toBe(true);
    expect(counted.calls.findByOrgAndProvider).toBe(reads + 2);
  });

  it('does not cache a result read before a concurrent change', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let hold = false;
    // Reads the row, then waits: the change lands between the read and the caching of its result.
    const slowReads: ProviderKeysRepository = {
      ...repos.providerKeys,
      async findByOrgAndProvider(orgId, provider) {
        const row = await repos.providerKeys.findByOrgAndProvider(orgId, provider, 'default');
        if (hold) await gate;
        return row;
      },
    };
    const writer = vaultOn();
    const reader = vaultOn({
      providerKeys: slowReads,
      clock: new ManualClock(),
    });
    const orgId = await seedOrg(repos);
    const oldKey = plaintextKey();
    await writer.storeProviderKey({ orgId, provider: 'openai', key: oldKey });
    hold = true;
    const slow = reader.getProviderKey(orgId, 'openai'); // reads the old row, then waits at the gate
    await new Promise((resolve) => setTimeout(resolve, 50));
    const newKey = plaintextKey();
    await writer.storeProviderKey({ orgId, provider: 'openai', key: newKey }); // evicts while the read is in flight
    hold = false;
    release();
    expect(await slow).toEqual({ ok: true, key: oldKey });
    expect(await reader.getProviderKey(orgId, 'openai')).toEqual({
      ok: true,
      key: newKey,
    });
  });

  it('shares one database read between concurrent cold lookups', async () => {
    const counted = countingRepository(repos.providerKeys);
    const vault = vaultOn({ providerKeys: counted.repository });
    const orgId = await seedOrg(repos);
    const key = plaintextKey();
    await vault.storeProviderKey({ orgId, provider: 'openai', key });
    const reads = counted.calls.findByOrgAndProvider;
    const lookups = await Promise.all(Array.from({ length: 20 }, () => vault.getProviderKey(orgId, 'openai')));
    expect(lookups.every((lookup) => lookup.ok && lookup.key === key)).toBe(true);
    expect(counted.calls.findByOrgAndProvider).toBe(reads + 1);
  });

  it('keeps a decryptable row when two instances store the first key for a pair at once', async () => {
    const a = vaultOn();
    const b = vaultOn({
      providerKeys: otherRepos.providerKeys,
      changeFeed: otherFeed,
    });
    const orgId = await seedOrg(repos);
    const keys = [plaintextKey(), plaintextKey()];
    const [first, second] = await Promise.all([
      a.storeProviderKey({ orgId, provider: 'openai', key: defined(keys[0]) }),
      b.storeProviderKey({ orgId, provider: 'openai', key: defined(keys[1]) }),
    ]);
    expect(first.id).toBe(second.id);
    const fresh = vaultOn({ cacheSize: 0 });
    const lookup = await fresh.getProviderKey(orgId, 'openai');
    expect(lookup.ok && keys.includes(lookup.key)).toBe(true);
  });

  it('creates an org secret once, agreed by two instances racing, and rotates it', async () => {
    const vault = vaultOn();
    const otherVault = vaultOn({ providerKeys: otherRepos.providerKeys, changeFeed: otherFeed });
    const orgId = await seedOrg(repos);
    const [mine, theirs] = await Promise.all([
      vault.getOrCreateOrgSecret(orgId, 'navplane.placeholder-salt'),
      otherVault.getOrCreateOrgSecret(orgId, 'navplane.placeholder-salt'),
    ]);
    expect(mine.ok).toBe(true);
    expect(theirs).toEqual(mine);
    const salt = defined(mine.ok ? mine.key : undefined);
    expect(Buffer.from(salt, 'base64')).toHaveLength(32);
    expect(await vault.getOrCreateOrgSecret(orgId, 'navplane.placeholder-salt')).toEqual(mine);
    // Internal secrets are not provider keys: never listed, and they show none of their characters.
    expect(await repos.providerKeys.listByOrg(orgId)).toEqual([]);
    const stored = defined(await repos.providerKeys.findByOrgAndProvider(orgId, 'navplane.placeholder-salt', 'default'));
    expect(stored.last4).toBe('****');
    expect(JSON.stringify(stored)).not.toContain(salt);

    await vault.rotateOrgSecret(orgId, 'navplane.placeholder-salt');
    const rotated = await vault.getOrCreateOrgSecret(orgId, 'navplane.placeholder-salt');
    expect(rotated.ok && rotated.key !== salt).toBe(true);
    await waitUntil(async () => {
      const seen = await otherVault.getOrCreateOrgSecret(orgId, 'navplane.placeholder-salt');
      return seen.ok && rotated.ok && seen.key === rotated.key;
    }, 2000);
    expect(defined(await repos.providerKeys.findByOrgAndProvider(orgId, 'navplane.placeholder-salt', 'default')).last4).toBe('****');
    await expect(vault.getOrCreateOrgSecret(orgId, 'openai')).rejects.toThrow(/navplane\./);
  });

  it('rejects unstorable input with AppError invalid_request, never echoing the key', async () => {
    const vault = vaultOn();
    const orgId = await seedOrg(repos);
    const cases = [
      { orgId, provider: 'openai', key: 'short' },
      {
        orgId,
        provider: 'openai',
        key: `sk-${'x'.repeat(20)}\r\nX-Injected: 1`,
      },
      { orgId, provider: 'Open|AI', key: plaintextKey() },
      { orgId: 'org|x', provider: 'openai', key: plaintextKey() },
    ];
    for (const input of cases) {
      const error = await vault.storeProviderKey(input).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isAppError(error) && error.code === 'invalid_request').toBe(true);
      expect(`${String(error)} ${JSON.stringify(error)}`).not.toContain(input.key);
    }
    expect(await vault.getProviderKey('org|x', 'openai')).toEqual({
      ok: false,
      reason: 'missing',
    });
  });

  it('never prints plaintext: lookup results, the vault and the keyring show no key', async () => {
    const secret = masterKey();
    const ownKeyring = createKeyring({ current: secret });
    const vault = vaultOn({ keyring: ownKeyring });
    const orgId = await seedOrg(repos);
    const key = plaintextKey();
    await vault.storeProviderKey({ orgId, provider: 'openai', key });
    const lookup = await vault.getProviderKey(orgId, 'openai');
    expect(lookup.ok && lookup.key).toBe(key);
    const printed = [inspect(lookup), JSON.stringify(lookup), inspect(vault, { depth: 10, showHidden: true }), JSON.stringify(vault)];
    for (const text of printed) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(secret.toString('base64'));
      expect(text).not.toContain(secret.toString('hex'));
    }
    expect(JSON.stringify(lookup)).toBe('{"ok":true,"key":"[redacted]"}');
  });

  it('reports itself unlocked with counts by master-key version', async () => {
    const own = await createTestDatabase(dialect);
    try {
      const ownRepos = createRepositories(own.database);
      const oldKey = masterKey();
      const newKey = masterKey();
      const oldVault = createVault({
        keyring: createKeyring({ current: oldKey }),
        providerKeys: ownRepos.providerKeys,
        changeFeed: feed,
      });
      vaults.push(oldVault);
      const orgId = await seedOrg(ownRepos);
      await oldVault.storeProviderKey({
        orgId,
        provider: 'openai',
        key: plaintextKey(),
      });
      await oldVault.storeProviderKey({
        orgId,
        provider: 'anthropic',
        key: plaintextKey(),
      });

      const both = createKeyring({ current: newKey, previous: [oldKey] });
      const rolling = vaultOn({
        keyring: both,
        providerKeys: ownRepos.providerKeys,
      });
      const oldVersion = defined(both.versions[1]);
      expect(await rolling.verifyUnlocked()).toEqual({
        ready: true,
        unlocked: true,
        currentKekVersion: both.currentVersion,
        keyringVersions: [both.currentVersion, oldVersion],
        storedKeys: {
          ok: true,
          total: 2,
          byKekVersion: [{ kekVersion: oldVersion, count: 2, inKeyring: true }],
          unknownKekVersion: 0,
          notCurrent: 2,
        },
        problems: [],
      });

      const newOnly = vaultOn({
        keyring: createKeyring({ current: newKey }),
        providerKeys: ownRepos.providerKeys,
      });
      const status = await newOnly.verifyUnlocked();
      expect(status).toMatchObject({
        ready: false,
        unlocked: true,
        storedKeys: { ok: true, unknownKekVersion: 2 },
      });
      expect(status.problems).toEqual([expect.stringContaining('NAVPLANE_MASTER_KEY_PREVIOUS')]);
      expect(JSON.stringify(status)).not.toContain(newKey.toString('base64'));
    } finally {
      await own.drop();
    }
  });
});
