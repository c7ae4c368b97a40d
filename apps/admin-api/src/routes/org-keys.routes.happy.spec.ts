import { TEST_DIALECTS } from '@navplane/testing';
import { bearer, BOOTSTRAP_TOKEN, startAdminHarness, type AdminHarness, type SeededTenant } from '../testing/admin-harness.fixture';

const asPlatform = bearer(BOOTSTRAP_TOKEN);

describe.each(TEST_DIALECTS)('org keys: happy paths (%s)', (dialect) => {
  let h: AdminHarness;
  let t: SeededTenant;
  beforeAll(async () => {
    h = await startAdminHarness(dialect);
    t = await h.seedTenant();
  });
  afterAll(() => h.close());

  it('issues a key (201) shown once, which works at once and is listed without its secret', async () => {
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const res = await h
      .http()
      .post(`/admin/orgs/${t.orgId}/keys`)
      .set(bearer(t.adminKey))
      .send({ name: 'ci', scopes: ['proxy', 'traces:read'], workspaceId: t.workspaceId, expiresAt });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^key_/),
      key: expect.stringMatching(/^np_/),
      orgId: t.orgId,
      workspaceId: t.workspaceId,
      name: 'ci',
      displayPrefix: expect.stringMatching(/^np_/),
      scopes: ['proxy', 'traces:read'],
      status: 'active',
      createdAt: expect.any(String),
      expiresAt,
      revokedAt: null,
      lastUsedAt: null,
      rotatedFromId: null,
      graceEndsAt: null,
    });
    expect(await h.deps.verifyKey(res.body.key)).toMatchObject({ valid: true, key: { id: res.body.id } });

    const listed = await h.http().get(`/admin/orgs/${t.orgId}/keys`).set(asPlatform);
    expect(listed.status).toBe(200);
    const mine = listed.body.data.find((k: { id: string }) => k.id === res.body.id);
    expect(mine).toEqual({ ...res.body, key: undefined });
    expect(JSON.stringify(listed.body)).not.toContain(res.body.key);
    expect(listed.body.data.every((k: Record<string, unknown>) => !('key' in k) && !('secretHash' in k))).toBe(true);
  });

  it('defaults to the proxy scope', async () => {
    const res = await h.http().post(`/admin/orgs/${t.orgId}/keys`).set(asPlatform).send({ name: 'default' });
    expect(res.body.scopes).toEqual(['proxy']);
  });

  it('rotates (201) with a grace period: both keys work until it ends', async () => {
    const old = await h.issueKey(t.orgId, ['proxy'], 'rotating');
    const res = await h.http().post(`/admin/orgs/${t.orgId}/keys/${old.id}/rotate`).set(bearer(t.adminKey)).send({ graceSeconds: 3600 });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ key: expect.stringMatching(/^np_/), rotatedFromId: old.id, name: 'rotating', status: 'active' });
    expect(res.body.previous).toMatchObject({ id: old.id, status: 'rotating', graceEndsAt: expect.any(String) });
    expect((await h.deps.verifyKey(res.body.key)).valid).toBe(true);
    expect((await h.deps.verifyKey(old.key)).valid).toBe(true);
    const [audit] = await h.runtime.repos.auditLog.list({ orgId: t.orgId, limit: 1 });
    expect(audit).toMatchObject({
      action: 'key.rotate',
      targetId: old.id,
      actorType: 'gateway_key',
      details: { newKeyId: res.body.id, graceSeconds: 3600 },
    });
  });

  it('rotates without a body: the old key is revoked at once', async () => {
    const old = await h.issueKey(t.orgId, ['proxy'], 'now');
    const res = await h.http().post(`/admin/orgs/${t.orgId}/keys/${old.id}/rotate`).set(asPlatform);
    expect(res.status).toBe(201);
    expect(res.body.previous.status).toBe('revoked');
    expect(await h.deps.verifyKey(old.key)).toEqual({ valid: false, code: 'revoked' });
  });

  it('revokes (204): the key is refused at once, and revoking again is harmless', async () => {
    const key = await h.issueKey(t.orgId, ['admin'], 'doomed');
    const res = await h.http().delete(`/admin/orgs/${t.orgId}/keys/${key.id}`).set(asPlatform);
    expect([res.status, res.text]).toEqual([204, '']);
    expect((await h.http().get(`/admin/orgs/${t.orgId}`).set(bearer(key.key))).status).toBe(401);
    expect((await h.http().delete(`/admin/orgs/${t.orgId}/keys/${key.id}`).set(asPlatform)).status).toBe(204);
    const listed = await h.http().get(`/admin/orgs/${t.orgId}/keys`).set(asPlatform);
    expect(listed.body.data.find((k: { id: string }) => k.id === key.id)).toMatchObject({ status: 'revoked' });
  });
});
