import { createRepositories, type ChangeFeed, type Repositories } from '@navplane/storage';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@navplane/storage/testing';
import { createKeyring, type Keyring } from '../keyring/keyring';
import { createVault } from './vault';
import type { Vault } from './vault.types';
import { defined, FeedPool, flipBase64, masterKey, plaintextKey, seedOrg } from './vault.fixture';

/** The columns a test may overwrite in a provider_keys row. */
interface RowPatch {
  ciphertext?: string;
  iv?: string;
  auth_tag?: string;
  wrapped_dek?: string;
  dek_iv?: string;
  dek_auth_tag?: string;
  kek_version?: number;
  org_id?: string;
}

/** Every sealed column of a row (what an attacker with write access to the table would copy). */
const sealedColumnsOf = (row: Required<Omit<RowPatch, 'org_id'>>): RowPatch => ({
  ciphertext: row.ciphertext,
  iv: row.iv,
  auth_tag: row.auth_tag,
  wrapped_dek: row.wrapped_dek,
  dek_iv: row.dek_iv,
  dek_auth_tag: row.dek_auth_tag,
  kek_version: row.kek_version,
});

describe.each(TEST_DIALECTS)('vault integrity on %s', (dialect) => {
  let test: TestDatabase;
  let repos: Repositories;
  let currentKek: Buffer;
  let keyring: Keyring;
  let feedForVaults: ChangeFeed;
  const feeds = new FeedPool();
  const vaults: Vault[] = [];

  /** A vault with an empty cache, so every lookup reads and decrypts the row as stored now. */
  const freshVault = (ring: Keyring = keyring): Vault => {
    const vault = createVault({
      keyring: ring,
      providerKeys: repos.providerKeys,
      changeFeed: feedForVaults,
      cacheSize: 0,
    });
    vaults.push(vault);
    return vault;
  };

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    repos = createRepositories(test.database);
    currentKek = masterKey();
    // The vault holds an old master key too, so a kek_version switched to the other known version is tested.
    keyring = createKeyring({ current: currentKek, previous: [masterKey()] });
    feedForVaults = await feeds.start(test.database);
  });
  afterAll(async () => {
    for (const vault of vaults) vault.close();
    await feeds.closeAll();
    await test.drop();
  });

  async function storedPair(provider = 'openai') {
    const orgId = await seedOrg(repos);
    const key = plaintextKey();
    const summary = await freshVault().storeProviderKey({
      orgId,
      provider,
      key,
    });
    expect(await freshVault().getProviderKey(orgId, provider)).toEqual({
      ok: true,
      key,
    });
    return { orgId, key, id: summary.id };
  }

  const rowOf = (id: string) => test.database.db.selectFrom('provider_keys').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  const setColumns = (id: string, values: RowPatch) =>
    test.database.db.updateTable('provider_keys').set(values).where('id', '=', id).execute();

  it.each(['ciphertext', 'iv', 'auth_tag', 'wrapped_dek', 'dek_iv', 'dek_auth_tag'] as const)(
    "a flipped bit in %s makes the key 'undecryptable'",
    async (column) => {
      const { orgId, id } = await storedPair();
      const row = await rowOf(id);
      await setColumns(id, { [column]: flipBase64(row[column]) });
      expect(await freshVault().getProviderKey(orgId, 'openai')).toEqual({
        ok: false,
        reason: 'undecryptable',
      });
    },
  );

  it.each(['ciphertext', 'auth_tag'] as const)("a truncated %s makes the key 'undecryptable'", async (column) => {
    const { orgId, id } = await storedPair();
    const row = await rowOf(id);
    const bytes = Buffer.from(row[column], 'base64');
    await setColumns(id, {
      [column]: bytes.subarray(0, bytes.length - 4).toString('base64'),
    });
    expect(await freshVault().getProviderKey(orgId, 'openai')).toEqual({
      ok: false,
      reason: 'undecryptable',
    });
  });

  it("a kek_version switched to the other held master key, or to an unknown one, is 'undecryptable'", async () => {
    const { orgId, id } = await storedPair();
    const other = defined(keyring.versions.find((version) => version !== keyring.currentVersion));
    await setColumns(id, { kek_version: other });
    expect(await freshVault().getProviderKey(orgId, 'openai')).toEqual({
      ok: false,
      reason: 'undecryptable',
    });
    await setColumns(id, { kek_version: 12345 });
    expect(await freshVault().getProviderKey(orgId, 'openai')).toEqual({
      ok: false,
      reason: 'undecryptable',
    });
    await setColumns(id, { kek_version: keyring.currentVersion });
    expect((await freshVault().getProviderKey(orgId, 'openai')).ok).toBe(true); // only the tamper broke it
  });

  it("another org's sealed fields copied into a row are 'undecryptable' (whole envelope or ciphertext only)", async () => {
    const victim = await storedPair();
    const attacker = await storedPair();
    const source = await rowOf(victim.id);
    // Everything sealed, DEK and all: the DEK's AAD names the victim's org and row.
    await setColumns(attacker.id, sealedColumnsOf(source));
    const stolen = await freshVault().getProviderKey(attacker.orgId, 'openai');
    expect(stolen).toEqual({ ok: false, reason: 'undecryptable' });

    // Only the secret, under the attacker's own DEK: the ciphertext's AAD names the victim.
    const attackerRow = await storedPair();
    await setColumns(attackerRow.id, {
      ciphertext: source.ciphertext,
      iv: source.iv,
      auth_tag: source.auth_tag,
    });
    expect(await freshVault().getProviderKey(attackerRow.orgId, 'openai')).toEqual({ ok: false, reason: 'undecryptable' });

    // The victim is unharmed.
    expect(await freshVault().getProviderKey(victim.orgId, 'openai')).toEqual({
      ok: true,
      key: victim.key,
    });
  });

  it("a row moved to another org (org_id rewritten) is 'undecryptable' there", async () => {
    const victim = await storedPair();
    const thief = await seedOrg(repos);
    await setColumns(victim.id, { org_id: thief });
    expect(await freshVault().getProviderKey(thief, 'openai')).toEqual({
      ok: false,
      reason: 'undecryptable',
    });
  });

  it("another provider's sealed fields copied within the same org are 'undecryptable'", async () => {
    const orgId = await seedOrg(repos);
    const openaiKey = plaintextKey('sk-proj');
    const vault = freshVault();
    const openai = await vault.storeProviderKey({
      orgId,
      provider: 'openai',
      key: openaiKey,
    });
    const anthropic = await vault.storeProviderKey({
      orgId,
      provider: 'anthropic',
      key: plaintextKey('sk-ant'),
    });
    const source = await rowOf(openai.id);
    await setColumns(anthropic.id, sealedColumnsOf(source));
    expect(await freshVault().getProviderKey(orgId, 'anthropic')).toEqual({
      ok: false,
      reason: 'undecryptable',
    });
    expect(await freshVault().getProviderKey(orgId, 'openai')).toEqual({
      ok: true,
      key: openaiKey,
    });
  });

  it("a row relabelled to another provider (provider rewritten) is 'undecryptable' there", async () => {
    const { orgId, id } = await storedPair('openai');
    await test.database.db.updateTable('provider_keys').set({ provider: 'anthropic' }).where('id', '=', id).execute();
    expect(await freshVault().getProviderKey(orgId, 'anthropic')).toEqual({
      ok: false,
      reason: 'undecryptable',
    });
  });

  it("a base URL rewritten, added or removed in the row makes the key 'undecryptable' (it is bound into the AAD)", async () => {
    const orgId = await seedOrg(repos);
    const key = plaintextKey();
    const baseUrl = 'https://mine.openai.azure.com';
    const { id } = await freshVault().storeProviderKey({ orgId, provider: 'azure-openai', key, baseUrl });
    expect(await freshVault().getProviderKey(orgId, 'azure-openai')).toEqual({ ok: true, key, baseUrl });
    for (const forged of ['https://attacker.example', null]) {
      await test.database.db.updateTable('provider_keys').set({ base_url: forged }).where('id', '=', id).execute();
      expect(await freshVault().getProviderKey(orgId, 'azure-openai')).toEqual({ ok: false, reason: 'undecryptable' });
    }
    const plain = await storedPair('openai');
    await test.database.db.updateTable('provider_keys').set({ base_url: baseUrl }).where('id', '=', plain.id).execute();
    expect(await freshVault().getProviderKey(plain.orgId, 'openai')).toEqual({ ok: false, reason: 'undecryptable' });
  });

  it("the wrong master key gets 'undecryptable', never garbage; the right one as a previous key decrypts", async () => {
    const { orgId, key } = await storedPair();
    const wrong = createKeyring({ current: masterKey() });
    expect(await freshVault(wrong).getProviderKey(orgId, 'openai')).toEqual({
      ok: false,
      reason: 'undecryptable',
    });
    const rotated = createKeyring({
      current: masterKey(),
      previous: [currentKek],
    });
    expect(await freshVault(rotated).getProviderKey(orgId, 'openai')).toEqual({
      ok: true,
      key,
    });
  });
});
