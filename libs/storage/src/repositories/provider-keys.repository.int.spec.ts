import { newId } from '@navplane/core';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '../testing';
import { createRepositories, type Repositories } from './create-repositories';
import type { UpsertProviderKey } from './provider-keys.repository';
import { at, seedOrg } from './seed.fixture';

describe.each(TEST_DIALECTS)('ProviderKeysRepository on %s', (dialect) => {
  let test: TestDatabase;
  let repos: Repositories;

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    repos = createRepositories(test.database);
  });
  afterAll(() => test.drop());

  const sealed = (orgId: string, provider: string, tag: string, when = at(), name = 'default'): UpsertProviderKey => ({
    id: newId('providerKey'),
    orgId,
    provider,
    name,
    ciphertext: Buffer.from(`cipher-${tag}`).toString('base64'),
    iv: Buffer.alloc(12, 1).toString('base64'),
    authTag: Buffer.alloc(16, 2).toString('base64'),
    wrappedDek: Buffer.from(`dek-${tag}`).toString('base64'),
    dekIv: Buffer.alloc(12, 3).toString('base64'),
    dekAuthTag: Buffer.alloc(16, 4).toString('base64'),
    kekVersion: 1,
    last4: tag.slice(-4),
    at: when,
  });

  it('stores a key, returns it encrypted, and lists only summaries', async () => {
    const org = await seedOrg(repos);
    const input = sealed(org.id, 'openai', 'sk-1234');
    const summary = await repos.providerKeys.upsert(input);
    expect(summary).toEqual({
      id: input.id,
      orgId: org.id,
      provider: 'openai',
      name: 'default',
      last4: '1234',
      kekVersion: 1,
      createdAt: at(),
      rotatedAt: null,
      baseUrl: null,
    });
    const stored = await repos.providerKeys.findByOrgAndProvider(org.id, 'openai', 'default');
    const { id: _id, at: _at, orgId: _org, provider: _p, name: _n, baseUrl: _b, ...secret } = input;
    expect(stored).toEqual({ ...summary, ...secret });
    await repos.providerKeys.upsert(sealed(org.id, 'anthropic', 'sk-ant-9999'));
    const listed = await repos.providerKeys.listByOrg(org.id);
    expect(listed.map((key) => key.provider)).toEqual(['anthropic', 'openai']);
    for (const key of listed) expect(Object.keys(key).sort()).toEqual(Object.keys(summary).sort());
  });

  it('inserts an internal secret only once (first writer wins) and never lists it as a provider key', async () => {
    const org = await seedOrg(repos);
    const first = sealed(org.id, 'navplane.placeholder-salt', 'salt-aaaa');
    const second = sealed(org.id, 'navplane.placeholder-salt', 'salt-bbbb');
    const results = await Promise.all([repos.providerKeys.insertIfAbsent(first), repos.providerKeys.insertIfAbsent(second)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const stored = await repos.providerKeys.findByOrgAndProvider(org.id, 'navplane.placeholder-salt', 'default');
    const winner = results[0] ? first : second;
    expect(stored?.id).toBe(winner.id);
    expect(stored?.ciphertext).toBe(winner.ciphertext);
    expect(await repos.providerKeys.insertIfAbsent(sealed(org.id, 'navplane.placeholder-salt', 'salt-cccc'))).toBe(false);
    await repos.providerKeys.upsert(sealed(org.id, 'openai', 'sk-5678'));
    expect((await repos.providerKeys.listByOrg(org.id)).map((key) => key.provider)).toEqual(['openai']);
    expect((await repos.providerKeys.listAllForRewrap()).some((row) => row.id === winner.id)).toBe(true);
  });

  it('replaces an existing key in place: same id, new secret, rotatedAt set', async () => {
    const org = await seedOrg(repos);
    const first = await repos.providerKeys.upsert(sealed(org.id, 'openai', 'sk-aaaa'));
    const second = await repos.providerKeys.upsert(sealed(org.id, 'openai', 'sk-bbbb', at(5000)));
    expect(second).toMatchObject({ id: first.id, last4: 'bbbb', createdAt: at(), rotatedAt: at(5000) });
    const stored = await repos.providerKeys.findByOrgAndProvider(org.id, 'openai', 'default');
    expect(stored?.ciphertext).toBe(Buffer.from('cipher-sk-bbbb').toString('base64'));
    expect(await repos.providerKeys.listByOrg(org.id)).toHaveLength(1);
  });

  it('stores the base URL with the key, lists it, and replaces it with the key', async () => {
    const org = await seedOrg(repos);
    const first = await repos.providerKeys.upsert({
      ...sealed(org.id, 'azure-openai', 'az-aaaa'),
      baseUrl: 'https://one.openai.azure.com',
    });
    expect(first.baseUrl).toBe('https://one.openai.azure.com');
    expect((await repos.providerKeys.findByOrgAndProvider(org.id, 'azure-openai', 'default'))?.baseUrl).toBe(
      'https://one.openai.azure.com',
    );
    expect((await repos.providerKeys.listByOrg(org.id)).map((key) => key.baseUrl)).toEqual(['https://one.openai.azure.com']);
    const second = await repos.providerKeys.upsert({
      ...sealed(org.id, 'azure-openai', 'az-bbbb', at(5000)),
      baseUrl: 'https://two.openai.azure.com',
    });
    expect(second).toMatchObject({ id: first.id, baseUrl: 'https://two.openai.azure.com', rotatedAt: at(5000) });
    // A replacement without a base URL clears it: the URL belongs to the key it was stored with.
    expect((await repos.providerKeys.upsert(sealed(org.id, 'azure-openai', 'az-cccc', at(6000)))).baseUrl).toBeNull();
  });

  it('deletes a key', async () => {
    const org = await seedOrg(repos);
    await repos.providerKeys.upsert(sealed(org.id, 'openai', 'sk-dddd'));
    expect(await repos.providerKeys.delete(org.id, 'openai', 'default')).toBe(true);
    expect(await repos.providerKeys.delete(org.id, 'openai', 'default')).toBe(false);
    expect(await repos.providerKeys.findByOrgAndProvider(org.id, 'openai', 'default')).toBeUndefined();
  });

  it('holds several named keys per provider: stored, replaced and listed by provider then name, each its own row', async () => {
    const org = await seedOrg(repos);
    const eu = await repos.providerKeys.upsert(sealed(org.id, 'openai', 'sk-eu-1111', at(), 'eu'));
    const def = await repos.providerKeys.upsert(sealed(org.id, 'openai', 'sk-df-2222'));
    await repos.providerKeys.upsert(sealed(org.id, 'anthropic', 'sk-an-3333', at(), 'team.b_2-x'));
    expect(eu).toMatchObject({ provider: 'openai', name: 'eu', last4: '1111', rotatedAt: null });
    expect(def.id).not.toBe(eu.id);
    // Replacing one name leaves the other alone.
    const euAgain = await repos.providerKeys.upsert(sealed(org.id, 'openai', 'sk-eu-4444', at(5000), 'eu'));
    expect(euAgain).toMatchObject({ id: eu.id, name: 'eu', last4: '4444', rotatedAt: at(5000) });
    expect((await repos.providerKeys.findByOrgAndProvider(org.id, 'openai', 'default'))?.last4).toBe('2222');
    expect((await repos.providerKeys.findByOrgAndProvider(org.id, 'openai', 'eu'))?.name).toBe('eu');
    expect(await repos.providerKeys.findByOrgAndProvider(org.id, 'openai', 'us')).toBeUndefined();
    const listed = await repos.providerKeys.listByOrg(org.id);
    expect(listed.map((key) => [key.provider, key.name, key.last4])).toEqual([
      ['anthropic', 'team.b_2-x', '3333'],
      ['openai', 'default', '2222'],
      ['openai', 'eu', '4444'],
    ]);
    // Names are case-sensitive and per org: another org's `eu` is another row.
    const other = await seedOrg(repos);
    await repos.providerKeys.upsert(sealed(other.id, 'openai', 'sk-ot-5555', at(), 'eu'));
    await repos.providerKeys.upsert(sealed(org.id, 'openai', 'sk-EU-6666', at(), 'EU'));
    expect((await repos.providerKeys.listByOrg(org.id)).map((key) => key.name)).toEqual(['team.b_2-x', 'EU', 'default', 'eu']);
    expect(
      (await repos.providerKeys.listAllForRewrap())
        .filter((row) => row.orgId === org.id)
        .map((row) => row.name)
        .sort(),
    ).toEqual(['EU', 'default', 'eu', 'team.b_2-x']);
  });

  it('deletes one named key, or every key of a provider (returning what it deleted), never another provider or org', async () => {
    const org = await seedOrg(repos);
    const other = await seedOrg(repos);
    for (const name of ['default', 'eu', 'us']) await repos.providerKeys.upsert(sealed(org.id, 'openai', `sk-${name}-0000`, at(), name));
    await repos.providerKeys.upsert(sealed(org.id, 'anthropic', 'sk-an-7777', at(), 'eu'));
    await repos.providerKeys.upsert(sealed(other.id, 'openai', 'sk-ot-8888', at(), 'eu'));
    expect(await repos.providerKeys.delete(org.id, 'openai', 'us')).toBe(true);
    expect(await repos.providerKeys.delete(org.id, 'openai', 'us')).toBe(false);
    expect((await repos.providerKeys.listByOrg(org.id)).map((key) => `${key.provider}/${key.name}`)).toEqual([
      'anthropic/eu',
      'openai/default',
      'openai/eu',
    ]);
    const deleted = await repos.providerKeys.deleteAllOfProvider(org.id, 'openai');
    expect(deleted.map((key) => [key.orgId, key.provider, key.name])).toEqual([
      [org.id, 'openai', 'default'],
      [org.id, 'openai', 'eu'],
    ]);
    expect(Object.keys(deleted[0] ?? {}).sort()).toEqual(
      ['baseUrl', 'createdAt', 'id', 'kekVersion', 'last4', 'name', 'orgId', 'provider', 'rotatedAt'].sort(),
    );
    expect(await repos.providerKeys.deleteAllOfProvider(org.id, 'openai')).toEqual([]);
    expect((await repos.providerKeys.listByOrg(org.id)).map((key) => `${key.provider}/${key.name}`)).toEqual(['anthropic/eu']);
    expect((await repos.providerKeys.listByOrg(other.id)).map((key) => key.name)).toEqual(['eu']);
  });

  it('re-wraps DEKs with compare-and-set', async () => {
    const org = await seedOrg(repos);
    const key = await repos.providerKeys.upsert(sealed(org.id, 'openai', 'sk-wrap'));
    const current = (await repos.providerKeys.listAllForRewrap()).find((row) => row.id === key.id);
    expect(current).toEqual({
      id: key.id,
      orgId: org.id,
      provider: 'openai',
      name: 'default',
      kekVersion: 1,
      wrappedDek: Buffer.from('dek-sk-wrap').toString('base64'),
      dekIv: Buffer.alloc(12, 3).toString('base64'),
      dekAuthTag: Buffer.alloc(16, 4).toString('base64'),
    });
    const rewrapped = { wrappedDek: 'bmV3LWRlaw==', dekIv: 'aXY=', dekAuthTag: 'dGFn' };
    // A stale expectation (the key was replaced meanwhile) must not overwrite anything.
    expect(await repos.providerKeys.updateWrapping(key.id, rewrapped, 2, { wrappedDek: 'c3RhbGU=', kekVersion: 1 })).toBe(false);
    expect(await repos.providerKeys.updateWrapping(key.id, rewrapped, 2, { wrappedDek: current?.wrappedDek ?? '', kekVersion: 1 })).toBe(
      true,
    );
    const stored = await repos.providerKeys.findByOrgAndProvider(org.id, 'openai', 'default');
    expect(stored).toMatchObject({ ...rewrapped, kekVersion: 2, rotatedAt: null });
    expect(stored?.ciphertext).toBe(Buffer.from('cipher-sk-wrap').toString('base64'));
  });
});
