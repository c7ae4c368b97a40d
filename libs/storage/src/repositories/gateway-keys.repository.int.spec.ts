import { expect } from '@jest/globals';
import { newId } from '@navplane/core';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '../testing';
import { createRepositories, type Repositories } from './create-repositories';
import type { NewGatewayKey } from './gateway-keys.repository';
import { at, seedOrg } from './seed.fixture';

describe.each(TEST_DIALECTS)('GatewayKeysRepository on %s', (dialect) => {
  let test: TestDatabase;
  let repos: Repositories;

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    repos = createRepositories(test.database);
  });
  afterAll(() => test.drop());

  const newKey = (orgId: string, overrides: Partial<NewGatewayKey> = {}): NewGatewayKey => ({
    id: newId('gatewayKey'),
    orgId,
    name: 'ci',
    publicId: newId('request'),
    secretHash: 'sha256:deadbeef',
    displayPrefix: 'np_abc1',
    scopes: ['proxy', 'traces:read'],
    createdAt: at(),
    ...overrides,
  });

  it('stores a key and finds it by public id and id, hash and scopes included', async () => {
    const org = await seedOrg(repos);
    const key = newKey(org.id, { expiresAt: at(86_400_000) });
    const summary = await repos.gatewayKeys.insert(key);
    expect(summary).not.toHaveProperty('secretHash');
    expect(summary).toMatchObject({ id: key.id, scopes: ['proxy', 'traces:read'], revokedAt: null, workspaceId: null });
    const found = await repos.gatewayKeys.findByPublicId(key.publicId);
    expect(found).toEqual({
      ...summary,
      publicId: key.publicId,
      secretHash: 'sha256:deadbeef',
    });
    expect(await repos.gatewayKeys.findById(key.id)).toEqual(found);
    expect(await repos.gatewayKeys.findByPublicId('nope')).toBeUndefined();
  });

  it('stores a model allowlist as given and reads a key without one as null (any model)', async () => {
    const org = await seedOrg(repos);
    const limited = newKey(org.id, { models: ['gpt-4.1-mini', 'claude-sonnet-4-5'] });
    const summary = await repos.gatewayKeys.insert(limited);
    expect(summary.models).toEqual(['gpt-4.1-mini', 'claude-sonnet-4-5']);
    expect((await repos.gatewayKeys.findByPublicId(limited.publicId))?.models).toEqual(['gpt-4.1-mini', 'claude-sonnet-4-5']);
    const open = newKey(org.id);
    expect((await repos.gatewayKeys.insert(open)).models).toBeNull();
    expect((await repos.gatewayKeys.findById(open.id))?.models).toBeNull();
    const listed = await repos.gatewayKeys.listByOrg(org.id);
    // Listed by created_at: two keys made in the same millisecond may come in either order, so compare by id.
    expect(Object.fromEntries(listed.map((key) => [key.id, key.models]))).toEqual({
      [limited.id]: ['gpt-4.1-mini', 'claude-sonnet-4-5'],
      [open.id]: null,
    });
  });

  it('reads a stored allowlist that is not a list of names as one that allows nothing (fails closed)', async () => {
    const org = await seedOrg(repos);
    const key = newKey(org.id, { models: ['a'] });
    await repos.gatewayKeys.insert(key);
    await test.database.db.updateTable('gateway_keys').set({ models: '{"any":true}' }).where('id', '=', key.id).execute();
    expect((await repos.gatewayKeys.findById(key.id))?.models).toEqual([]);
  });

  it('rejects a second key with the same public id', async () => {
    const org = await seedOrg(repos);
    const key = newKey(org.id);
    await repos.gatewayKeys.insert(key);
    await expect(repos.gatewayKeys.insert({ ...key, id: newId('gatewayKey') })).rejects.toMatchObject({
      message: expect.stringMatching(/unique|duplicate key/i),
    });
  });

  it('lists an org’s keys oldest first without hash or public id', async () => {
    const org = await seedOrg(repos);
    const workspace = await repos.workspaces.create({ id: newId('workspace'), orgId: org.id, name: 'w', createdAt: at() });
    const b = await repos.gatewayKeys.insert(newKey(org.id, { createdAt: at(2), workspaceId: workspace.id }));
    const a = await repos.gatewayKeys.insert(newKey(org.id, { createdAt: at(1) }));
    const listed = await repos.gatewayKeys.listByOrg(org.id);
    expect(listed).toEqual([a, b]);
    for (const key of listed) {
      expect(key).not.toHaveProperty('secretHash');
      expect(key).not.toHaveProperty('publicId');
    }
    expect(listed[1]?.workspaceId).toBe(workspace.id);
  });

  it('revokes only within the key’s org and only once', async () => {
    const org = await seedOrg(repos);
    const other = await seedOrg(repos, 'Other');
    const key = await repos.gatewayKeys.insert(newKey(org.id));
    expect(await repos.gatewayKeys.revoke(other.id, key.id, at(10))).toBe(false);
    expect(await repos.gatewayKeys.revoke(org.id, key.id, at(10))).toBe(true);
    expect(await repos.gatewayKeys.revoke(org.id, key.id, at(20))).toBe(false);
    expect((await repos.gatewayKeys.findById(key.id))?.revokedAt).toBe(at(10));
  });

  it('records rotation: the new key points at the old one, the old one gets a grace end', async () => {
    const org = await seedOrg(repos);
    const old = await repos.gatewayKeys.insert(newKey(org.id));
    const replacement = await repos.gatewayKeys.insert(newKey(org.id, { rotatedFromId: old.id, createdAt: at(100) }));
    expect(await repos.gatewayKeys.markRotated(old.id, at(3_600_000))).toBe(true);
    expect((await repos.gatewayKeys.findById(old.id))?.graceEndsAt).toBe(at(3_600_000));
    expect((await repos.gatewayKeys.findById(replacement.id))?.rotatedFromId).toBe(old.id);
    await repos.gatewayKeys.revoke(org.id, old.id, at(200));
    expect(await repos.gatewayKeys.markRotated(old.id, at(7_200_000))).toBe(false);
  });

  it('moves last_used_at forward only', async () => {
    const org = await seedOrg(repos);
    const key = await repos.gatewayKeys.insert(newKey(org.id));
    await repos.gatewayKeys.touchLastUsed(key.id, at(500));
    await repos.gatewayKeys.touchLastUsed(key.id, at(100));
    expect((await repos.gatewayKeys.findById(key.id))?.lastUsedAt).toBe(at(500));
  });
});
