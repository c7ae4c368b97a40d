import { ManualClock } from '@navplane/core';
import {
  CHANGE_TOPICS,
  createRepositories,
  MIGRATIONS,
  migrateToLatest,
  openDatabase,
  type ChangeFeed,
  type Database,
  type JsonObject,
  type Repositories,
} from '@navplane/storage';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@navplane/storage/testing';
import { Migrator, sql, type Migration } from 'kysely';
import { sealSecret } from '../envelope/envelope';
import { createKeyring, type Keyring } from '../keyring/keyring';
import { createVault } from './vault';
import type { Vault, VaultOptions } from './vault.types';
import { countingRepository, defined, FeedPool, masterKey, plaintextKey, seedOrg, waitUntil } from './vault.fixture';

const BEFORE_NAMES = '2026_12_07_0006_provider_key_base_url';

describe.each(TEST_DIALECTS)('named provider keys in the vault on %s', (dialect) => {
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
    const vault = createVault({ keyring, providerKeys: repos.providerKeys, changeFeed: feed, ...options });
    vaults.push(vault);
    return vault;
  };

  /** Resolves when `on` delivers the `provider_key.changed` event of `orgId`'s key named `name`. */
  const delivered = (on: ChangeFeed, orgId: string, name: string) =>
    new Promise<void>((resolve) => {
      const stop = on.subscribe(CHANGE_TOPICS.providerKeyChanged, (payload) => {
        if (payload['orgId'] === orgId && payload['name'] === name) {
          stop();
          resolve();
        }
      });
    });

  /** Collects the `provider_key.changed` payloads `feed` delivers until the returned stop is called. */
  const recordChanges = (on: ChangeFeed) => {
    const published: JsonObject[] = [];
    const stop = on.subscribe(CHANGE_TOPICS.providerKeyChanged, (payload) => published.push(payload));
    return { published, stop };
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

  it('holds two named keys per provider: each stored, served and listed by name; deletes one, then every one', async () => {
    const vault = vaultOn();
    const orgId = await seedOrg(repos);
    const changes = recordChanges(feed);
    const [def, eu] = [plaintextKey('sk-default'), plaintextKey('sk-eu')];
    const stored = await vault.storeProviderKey({ orgId, provider: 'openai', key: def });
    const storedEu = await vault.storeProviderKey({ orgId, provider: 'openai', name: 'eu', key: eu });
    expect([stored.name, storedEu.name]).toEqual(['default', 'eu']);
    expect(storedEu.id).not.toBe(stored.id);
    expect(await vault.getProviderKey(orgId, 'openai')).toEqual({ ok: true, key: def });
    expect(await vault.getProviderKey(orgId, 'openai', 'default')).toEqual({ ok: true, key: def });
    expect(await vault.getProviderKey(orgId, 'openai', 'eu')).toEqual({ ok: true, key: eu });
    expect(await vault.getProviderKey(orgId, 'openai', 'us')).toEqual({ ok: false, reason: 'missing' });
    // A name that could not be bound into an AAD was never stored.
    expect(await vault.getProviderKey(orgId, 'openai', 'a|b')).toEqual({ ok: false, reason: 'missing' });
    expect((await repos.providerKeys.listByOrg(orgId)).map((key) => `${key.provider}/${key.name}/${key.last4}`)).toEqual([
      `openai/default/${def.slice(-4)}`,
      `openai/eu/${eu.slice(-4)}`,
    ]);

    expect(await vault.deleteProviderKey(orgId, 'openai', 'eu')).toBe(true);
    expect(await vault.getProviderKey(orgId, 'openai', 'eu')).toEqual({ ok: false, reason: 'missing' });
    expect(await vault.getProviderKey(orgId, 'openai')).toEqual({ ok: true, key: def });

    await vault.storeProviderKey({ orgId, provider: 'openai', name: 'us', key: eu });
    await vault.storeProviderKey({ orgId, provider: 'anthropic', name: 'us', key: eu });
    const deleted = await vault.deleteProviderKeys(orgId, 'openai');
    expect(deleted.map((key) => key.name)).toEqual(['default', 'us']);
    for (const name of ['default', 'us'])
      expect(await vault.getProviderKey(orgId, 'openai', name)).toEqual({ ok: false, reason: 'missing' });
    expect((await vault.getProviderKey(orgId, 'anthropic', 'us')).ok).toBe(true);
    expect(await vault.deleteProviderKeys(orgId, 'openai')).toEqual([]);
    changes.stop();
    expect(changes.published).toEqual([
      { orgId, provider: 'openai', name: 'default' },
      { orgId, provider: 'openai', name: 'eu' },
      { orgId, provider: 'openai', name: 'eu' },
      { orgId, provider: 'openai', name: 'us' },
      { orgId, provider: 'anthropic', name: 'us' },
      // Deleting every key of a provider is one event without a name.
      { orgId, provider: 'openai' },
    ]);
    expect(JSON.stringify(changes.published)).not.toContain(def);
  });

  it('evicts per name across instances: replacing one name re-reads only that name; deleting all evicts every name', async () => {
    const writer = vaultOn();
    const reads: string[] = [];
    const counted = countingRepository(otherRepos.providerKeys, (method, args) => {
      if (method === 'findByOrgAndProvider') reads.push(String(args[2]));
    });
    // A frozen clock: nothing expires, so only change events can make the reader read again.
    const reader = vaultOn({ providerKeys: counted.repository, changeFeed: otherFeed, clock: new ManualClock() });
    const orgId = await seedOrg(repos);
    const [def, eu, euNext] = [plaintextKey('sk-default'), plaintextKey('sk-eu'), plaintextKey('sk-eu-next')];
    const stored = delivered(otherFeed, orgId, 'eu');
    await writer.storeProviderKey({ orgId, provider: 'openai', key: def });
    await writer.storeProviderKey({ orgId, provider: 'openai', name: 'eu', key: eu });
    // The feed delivers in order: once the second store's event is in, neither can evict what is cached next.
    await stored;
    expect(await reader.getProviderKey(orgId, 'openai')).toEqual({ ok: true, key: def });
    expect(await reader.getProviderKey(orgId, 'openai', 'eu')).toEqual({ ok: true, key: eu });
    reads.length = 0;
    expect(await reader.getProviderKey(orgId, 'openai')).toEqual({ ok: true, key: def });
    expect(await reader.getProviderKey(orgId, 'openai', 'eu')).toEqual({ ok: true, key: eu });
    expect(reads).toEqual([]); // both warm

    const changed = delivered(otherFeed, orgId, 'eu');
    await writer.storeProviderKey({ orgId, provider: 'openai', name: 'eu', key: euNext });
    await changed;
    const elapsed = await waitUntil(async () => {
      const lookup = await reader.getProviderKey(orgId, 'openai', 'eu');
      return lookup.ok && lookup.key === euNext;
    }, 1000);
    expect(elapsed).toBeLessThan(1000);
    expect(await reader.getProviderKey(orgId, 'openai')).toEqual({ ok: true, key: def });
    // Only `eu` was read again: the default key stayed cached through the other name's change.
    expect(new Set(reads)).toEqual(new Set(['eu']));

    await writer.deleteProviderKeys(orgId, 'openai');
    await waitUntil(async () => !(await reader.getProviderKey(orgId, 'openai', 'eu')).ok, 1000);
    await waitUntil(async () => !(await reader.getProviderKey(orgId, 'openai')).ok, 1000);
    expect(await reader.getProviderKey(orgId, 'openai')).toEqual({ ok: false, reason: 'missing' });
    expect(await reader.getProviderKey(orgId, 'openai', 'eu')).toEqual({ ok: false, reason: 'missing' });
  });

  it("a row renamed in the database (to another name, from or to `default`, or two names swapped) is 'undecryptable'", async () => {
    const fresh = () => vaultOn({ cacheSize: 0 });
    const orgId = await seedOrg(repos);
    const def = await fresh().storeProviderKey({ orgId, provider: 'openai', key: plaintextKey() });
    const eu = await fresh().storeProviderKey({ orgId, provider: 'openai', name: 'eu', key: plaintextKey() });
    const rename = (id: string, name: string) => test.database.db.updateTable('provider_keys').set({ name }).where('id', '=', id).execute();
    const undecryptable = { ok: false, reason: 'undecryptable' };

    await rename(eu.id, 'us');
    expect(await fresh().getProviderKey(orgId, 'openai', 'us')).toEqual(undecryptable);
    await rename(def.id, 'other');
    await rename(eu.id, 'default');
    expect(await fresh().getProviderKey(orgId, 'openai')).toEqual(undecryptable);
    await rename(eu.id, 'swap');
    await rename(def.id, 'eu');
    await rename(eu.id, 'default');
    expect(await fresh().getProviderKey(orgId, 'openai')).toEqual(undecryptable);
    expect(await fresh().getProviderKey(orgId, 'openai', 'eu')).toEqual(undecryptable);
    // Put back, both open again: nothing but the names was touched.
    await rename(def.id, 'other');
    await rename(eu.id, 'eu');
    await rename(def.id, 'default');
    expect((await fresh().getProviderKey(orgId, 'openai')).ok).toBe(true);
    expect((await fresh().getProviderKey(orgId, 'openai', 'eu')).ok).toBe(true);
  });

  it('re-wraps every named key under a new master key (vault rotate-master), each announced with its name', async () => {
    const database = await createTestDatabase(dialect);
    const rotationFeeds = new FeedPool();
    try {
      const rotationRepos = createRepositories(database.database);
      const rotationFeed = await rotationFeeds.start(database.database);
      const [oldKek, newKek] = [masterKey(), masterKey()];
      const on = (ring: Keyring, options: Partial<VaultOptions> = {}) => {
        const vault = createVault({ keyring: ring, providerKeys: rotationRepos.providerKeys, changeFeed: rotationFeed, ...options });
        vaults.push(vault);
        return vault;
      };
      const orgId = await seedOrg(rotationRepos);
      const keys = new Map<string, string>();
      const admin = on(createKeyring({ current: oldKek }));
      for (const [provider, name] of [
        ['openai', 'default'],
        ['openai', 'eu'],
        ['openai', 'us'],
        ['anthropic', 'eu'],
      ] as const) {
        const key = plaintextKey(`sk-${provider}-${name}`);
        await admin.storeProviderKey({ orgId, provider, name, key });
        keys.set(`${provider}/${name}`, key);
      }
      const changes = recordChanges(rotationFeed);
      const report = await on(createKeyring({ current: newKek, previous: [oldKek] })).rewrapAll();
      changes.stop();
      expect(report).toEqual({ rewrapped: 4, skipped: 0, failed: [] });
      const announced = changes.published.map((payload) => ({ provider: payload['provider'], name: payload['name'] }));
      const expected = [...keys.keys()].map((pair) => {
        const [provider, name] = pair.split('/');
        return { provider, name };
      });
      expect(announced).toHaveLength(expected.length);
      expect(announced).toEqual(expect.arrayContaining(expected));
      const newOnly = on(createKeyring({ current: newKek }), { cacheSize: 0 });
      for (const [pair, key] of keys) {
        const [provider, name] = pair.split('/');
        expect(await newOnly.getProviderKey(orgId, defined(provider), defined(name))).toEqual({ ok: true, key });
      }
    } finally {
      await rotationFeeds.closeAll();
      await database.drop();
    }
  });

  it('opens a key sealed before keys had names as `default` once migration 0007 has run', async () => {
    const database = await createTestDatabase(dialect, { migrate: false });
    const migrationFeeds = new FeedPool();
    try {
      const db = database.database.db;
      const migrations = Object.fromEntries(
        MIGRATIONS.map(([name, migration]): [string, Migration] => [name, { up: (on) => migration.up(on, dialect) }]),
      );
      const migrator = new Migrator({ db, provider: { getMigrations: () => Promise.resolve(migrations) } });
      expect((await migrator.migrateTo(BEFORE_NAMES)).error).toBeUndefined();
      const oldRepos = createRepositories(database.database);
      const orgId = await seedOrg(oldRepos);
      // Sealed exactly as before names existed: no name in the context, and a row without a name column.
      const sealedRow = async (id: string, provider: string, key: string, baseUrl?: string) => {
        const sealed = sealSecret(keyring, { orgId, provider, rowId: id, ...(baseUrl === undefined ? {} : { baseUrl }) }, key);
        const row = {
          id,
          org_id: orgId,
          provider,
          ciphertext: sealed.ciphertext,
          iv: sealed.iv,
          auth_tag: sealed.authTag,
          wrapped_dek: sealed.wrappedDek,
          dek_iv: sealed.dekIv,
          dek_auth_tag: sealed.dekAuthTag,
          kek_version: sealed.kekVersion,
          last4: key.slice(-4),
          created_at: '2026-12-01T00:00:00.000Z',
          base_url: baseUrl ?? null,
        };
        await sql`insert into provider_keys (${sql.join(Object.keys(row).map((column) => sql.ref(column)))})
                  values (${sql.join(Object.values(row))})`.execute(db);
      };
      const [openai, azure] = [plaintextKey('sk-before-names'), plaintextKey('az-before-names')];
      await sealedRow('pk_before_1', 'openai', openai);
      await sealedRow('pk_before_2', 'azure-openai', azure, 'https://r.openai.azure.com');

      await migrateToLatest(database.database);
      const vault = createVault({
        keyring,
        providerKeys: createRepositories(database.database).providerKeys,
        changeFeed: await migrationFeeds.start(database.database),
        cacheSize: 0,
      });
      vaults.push(vault);
      expect(await vault.getProviderKey(orgId, 'openai')).toEqual({ ok: true, key: openai });
      expect(await vault.getProviderKey(orgId, 'azure-openai', 'default')).toEqual({
        ok: true,
        key: azure,
        baseUrl: 'https://r.openai.azure.com',
      });
      // The migrated key lives beside new named ones, and replacing it keeps its row.
      await vault.storeProviderKey({ orgId, provider: 'openai', name: 'eu', key: plaintextKey() });
      const replaced = await vault.storeProviderKey({ orgId, provider: 'openai', key: plaintextKey('sk-after') });
      expect(replaced).toMatchObject({ id: 'pk_before_1', name: 'default' });
      expect(replaced.rotatedAt).not.toBeNull();
      expect((await vault.getProviderKey(orgId, 'openai', 'eu')).ok).toBe(true);
    } finally {
      await migrationFeeds.closeAll();
      await database.drop();
    }
  });
});
