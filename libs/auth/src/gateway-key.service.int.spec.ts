import { ManualClock, newId, toIso } from '@navplane/core';
import {
  CHANGE_TOPICS,
  createChangeFeed,
  createRepositories,
  type ChangeFeed,
  type JsonObject,
  type Org,
  type Repositories,
} from '@navplane/storage';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@navplane/storage/testing';
import { expectNoSecrets, seedOrg } from './auth-test.fixture';
import { hashGatewayKey, parseGatewayKey } from './gateway-key-format';
import { createGatewayKeyService, type GatewayKeyService } from './gateway-key.service';

describe.each(TEST_DIALECTS)('gateway key service on %s', (dialect) => {
  let test: TestDatabase;
  let repos: Repositories;
  let feed: ChangeFeed;
  let clock: ManualClock;
  let keys: GatewayKeyService;
  let org: Org;
  let published: JsonObject[];
  let unsubscribe: () => void;

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    repos = createRepositories(test.database);
    feed = createChangeFeed(test.database, { pollIntervalMs: 50 });
  });
  beforeEach(async () => {
    clock = new ManualClock(Date.UTC(2026, 0, 1));
    keys = createGatewayKeyService({ repos, changeFeed: feed, clock });
    org = await seedOrg(repos);
    published = [];
    unsubscribe = feed.subscribe(CHANGE_TOPICS.gatewayKeyChanged, (payload) => published.push(payload));
  });
  afterEach(() => unsubscribe());
  afterAll(async () => {
    await feed.close();
    await test.drop();
  });

  const secretPartsOf = (key: string) => [key, key.slice(16)];

  it('issues a key shown once, stores only its hash, and announces it', async () => {
    const result = await keys.issue({ orgId: org.id, name: '  backend  ' });
    if (!result.ok) throw result.error;
    const { key, record } = result.value;
    const parsed = parseGatewayKey(key);
    expect(parsed).toBeDefined();
    expect(record).toMatchObject({
      orgId: org.id,
      name: 'backend',
      scopes: ['proxy'],
      workspaceId: null,
      expiresAt: null,
      revokedAt: null,
      displayPrefix: `np_${parsed?.publicId}…`,
    });
    expectNoSecrets(result.value.record, secretPartsOf(key));

    const stored = await repos.gatewayKeys.findById(record.id);
    expect(stored?.secretHash).toBe(hashGatewayKey(key));
    expect(JSON.stringify(stored)).not.toContain(key.slice(16));
    expect(published).toEqual([{ orgId: org.id, keyId: record.id, publicId: parsed?.publicId }]);

    const listed = await keys.list(org.id);
    expect(listed.map((k) => k.id)).toEqual([record.id]);
    expectNoSecrets(listed, secretPartsOf(key));
  });

  it('validates name, scopes, expiry, org and workspace', async () => {
    const issue = (overrides: object) => keys.issue({ orgId: org.id, name: 'x', ...overrides });
    const param = async (overrides: object) => {
      const result = await issue(overrides);
      if (result.ok) return 'ok';
      const param = result.error.details?.['param'];
      return `${result.error.code}:${typeof param === 'string' ? param : ''}`;
    };
    expect(await param({ name: ' ' })).toBe('invalid_request:name');
    expect(await param({ name: 'n'.repeat(201) })).toBe('invalid_request:name');
    expect(await param({ scopes: ['proxy', 'root'] })).toBe('invalid_request:scopes');
    expect(await param({ scopes: [] })).toBe('invalid_request:scopes');
    expect(await param({ expiresAt: 'tomorrow' })).toBe('invalid_request:expiresAt');
    expect(await param({ expiresAt: toIso(clock.nowMs()) })).toBe('invalid_request:expiresAt');
    expect(await param({ orgId: 'org_missing' })).toBe('not_found:');

    const other = await seedOrg(repos, 'Other');
    const foreign = await repos.workspaces.create({ id: newId('workspace'), orgId: other.id, name: 'w', createdAt: toIso(clock.nowMs()) });
    expect(await param({ workspaceId: foreign.id })).toBe('invalid_request:workspaceId');
    expect(await param({ workspaceId: 'ws_missing' })).toBe('invalid_request:workspaceId');

    const scoped = await issue({ scopes: ['admin', 'proxy', 'admin'], expiresAt: '2026-02-01T00:00:00Z' });
    if (!scoped.ok) throw scoped.error;
    expect(scoped.value.record).toMatchObject({ scopes: ['proxy', 'admin'], expiresAt: '2026-02-01T00:00:00.000Z' });
    expect(published).toHaveLength(1);
  });

  it('rotates: same org, workspace, scopes and name; the old key gets its grace end; both announced', async () => {
    const workspace = await repos.workspaces.create({ id: newId('workspace'), orgId: org.id, name: 'w', createdAt: toIso(clock.nowMs()) });
    const issued = await keys.issue({
      orgId: org.id,
      name: 'ci',
      scopes: ['proxy', 'traces:read'],
      workspaceId: workspace.id,
      expiresAt: '2027-01-01T00:00:00.000Z',
    });
    if (!issued.ok) throw issued.error;
    published.length = 0;
    clock.advance(1000);
    const rotated = await keys.rotate(org.id, issued.value.record.id, { graceSeconds: 600 });
    if (!rotated.ok) throw rotated.error;
    const { key, record, previous } = rotated.value;
    expect(key).not.toBe(issued.value.key);
    expect(record).toMatchObject({
      orgId: org.id,
      workspaceId: workspace.id,
      name: 'ci',
      scopes: ['proxy', 'traces:read'],
      rotatedFromId: issued.value.record.id,
      expiresAt: '2027-01-01T00:00:00.000Z',
    });
    expect(previous).toMatchObject({ id: issued.value.record.id, revokedAt: null, graceEndsAt: toIso(clock.nowMs() + 600_000) });
    expectNoSecrets(rotated.value.record, secretPartsOf(key));
    expectNoSecrets(previous, secretPartsOf(issued.value.key));
    expect(published.map((p) => p['keyId'])).toEqual([issued.value.record.id, record.id]);

    // A key in grace is not rotated again; a revoked one neither; nor another org's.
    expect(await keys.rotate(org.id, issued.value.record.id)).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const other = await seedOrg(repos, 'Other');
    expect(await keys.rotate(other.id, record.id)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await keys.rotate(org.id, record.id, { graceSeconds: -1 })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(await keys.rotate(org.id, record.id, { graceSeconds: 1.5 })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(await keys.rotate(org.id, record.id, { graceSeconds: 31 * 24 * 3600 })).toMatchObject({
      ok: false,
      error: { code: 'invalid_request' },
    });
    expect((await keys.revoke(org.id, record.id)).ok).toBe(true);
    expect(await keys.rotate(org.id, record.id)).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });

  it('stores a validated model allowlist, carries it over on rotation and audits it', async () => {
    const actor = { type: 'admin_token', id: 'adm_x', ip: '127.0.0.1' };
    const param = async (models: unknown) => {
      const result = await keys.issue({ orgId: org.id, name: 'x', models: models as string[] });
      return result.ok ? 'ok' : `${result.error.code}:${String(result.error.details?.['param'])}`;
    };
    expect(await param([])).toBe('invalid_request:models');
    expect(await param(['gpt-4.1', ''])).toBe('invalid_request:models');
    expect(await param('gpt-4.1')).toBe('invalid_request:models');
    expect(await param([7])).toBe('invalid_request:models');

    const issued = await keys.issue({ orgId: org.id, name: 'limited', models: [' gpt-4.1 ', 'claude-sonnet-4-5', 'gpt-4.1'], actor });
    if (!issued.ok) throw issued.error;
    expect(issued.value.record.models).toEqual(['gpt-4.1', 'claude-sonnet-4-5']);
    const open = await keys.issue({ orgId: org.id, name: 'open', models: null });
    if (!open.ok) throw open.error;
    expect(open.value.record.models).toBeNull();

    clock.advance(1);
    const rotated = await keys.rotate(org.id, issued.value.record.id, { actor });
    if (!rotated.ok) throw rotated.error;
    expect(rotated.value.record.models).toEqual(['gpt-4.1', 'claude-sonnet-4-5']);
    expect((await repos.gatewayKeys.findById(rotated.value.record.id))?.models).toEqual(['gpt-4.1', 'claude-sonnet-4-5']);
    const entries = await repos.auditLog.list({ orgId: org.id });
    expect(entries.map((entry) => [entry.action, entry.details?.['models']])).toEqual([
      ['key.rotate', ['gpt-4.1', 'claude-sonnet-4-5']],
      ['key.create', ['gpt-4.1', 'claude-sonnet-4-5']],
    ]);
  });

  it('rotation with grace 0 revokes the old key now and can clear the expiry', async () => {
    const issued = await keys.issue({ orgId: org.id, name: 'ci', expiresAt: '2027-01-01T00:00:00.000Z' });
    if (!issued.ok) throw issued.error;
    const rotated = await keys.rotate(org.id, issued.value.record.id, { expiresAt: null });
    if (!rotated.ok) throw rotated.error;
    expect(rotated.value.previous.revokedAt).toBe(toIso(clock.nowMs()));
    expect(rotated.value.record.expiresAt).toBeNull();
  });

  it('revokes idempotently within the org, announcing every time', async () => {
    const issued = await keys.issue({ orgId: org.id, name: 'ci' });
    if (!issued.ok) throw issued.error;
    const other = await seedOrg(repos, 'Other');
    expect(await keys.revoke(other.id, issued.value.record.id)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await keys.revoke(org.id, 'key_missing')).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect((await repos.gatewayKeys.findById(issued.value.record.id))?.revokedAt).toBeNull();
    published.length = 0;

    const first = await keys.revoke(org.id, issued.value.record.id);
    const again = await keys.revoke(org.id, issued.value.record.id);
    if (!first.ok || !again.ok) throw new Error('revoke failed');
    expect(first.value.revokedAt).toBe(toIso(clock.nowMs()));
    expect(again.value.revokedAt).toBe(first.value.revokedAt);
    expectNoSecrets(first.value, secretPartsOf(issued.value.key));
    expect(published).toHaveLength(2);
  });

  it('writes the audit record with the mutation when an actor is given, never a secret', async () => {
    const actor = { type: 'admin_token', id: 'adm_x', ip: '127.0.0.1' };
    const issued = await keys.issue({ orgId: org.id, name: 'audited', actor });
    if (!issued.ok) throw issued.error;
    clock.advance(1); // audit records list newest first, by time
    const rotated = await keys.rotate(org.id, issued.value.record.id, { graceSeconds: 60, actor });
    if (!rotated.ok) throw rotated.error;
    clock.advance(1);
    await keys.revoke(org.id, rotated.value.record.id, { actor });
    const entries = await repos.auditLog.list({ orgId: org.id });
    expect(entries.map((e) => [e.action, e.targetId, e.actorType, e.actorId, e.ip])).toEqual([
      ['key.revoke', rotated.value.record.id, 'admin_token', 'adm_x', '127.0.0.1'],
      ['key.rotate', issued.value.record.id, 'admin_token', 'adm_x', '127.0.0.1'],
      ['key.create', issued.value.record.id, 'admin_token', 'adm_x', '127.0.0.1'],
    ]);
    expectNoSecrets(entries, [...secretPartsOf(issued.value.key), ...secretPartsOf(rotated.value.key)]);
  });

  it('rolls the new key back when the old one was revoked between read and write', async () => {
    const issued = await keys.issue({ orgId: org.id, name: 'race' });
    if (!issued.ok) throw issued.error;
    // Another admin revokes the key right after this service has read it.
    const racing: Repositories = {
      ...repos,
      gatewayKeys: {
        ...repos.gatewayKeys,
        async findById(id) {
          const found = await repos.gatewayKeys.findById(id);
          await repos.gatewayKeys.revoke(org.id, id, toIso(clock.nowMs()));
          return found;
        },
      },
    };
    const racingKeys = createGatewayKeyService({ repos: racing, changeFeed: feed, clock });
    const rotated = await racingKeys.rotate(org.id, issued.value.record.id, { graceSeconds: 60 });
    expect(rotated).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect((await keys.list(org.id)).map((k) => k.id)).toEqual([issued.value.record.id]);
  });
});
