import { expect } from '@jest/globals';
import { bodyAs, TEST_DIALECTS } from '@navplane/testing';
import { issuedKeySchema, rotatedKeySchema } from '../schemas/key.schemas';
import { bearer, BOOTSTRAP_TOKEN, startAdminHarness, type AdminHarness, type SeededTenant } from '../testing/admin-harness.fixture';
import { bodyOf } from '../testing/response-body.fixture';

/** A key listing as sent, every field included (the tests look for fields that must not be there). */
type RawKeyList = { data: Array<Record<string, unknown>> };

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
      models: null,
    });
    const issued = bodyOf(res, issuedKeySchema);
    expect(await h.deps.verifyKey(issued.key)).toMatchObject({ valid: true, key: { id: issued.id } });

    const listed = await h.http().get(`/admin/orgs/${t.orgId}/keys`).set(asPlatform);
    expect(listed.status).toBe(200);
    const { data } = bodyAs<RawKeyList>(listed);
    expect(data.find((k) => k.id === issued.id)).toEqual({ ...res.body, key: undefined });
    expect(JSON.stringify(listed.body)).not.toContain(issued.key);
    expect(data.every((k) => !('key' in k) && !('secretHash' in k))).toBe(true);
  });

  it('issues a key with a model allowlist (trimmed, deduplicated), lists it, audits it and keeps it on rotation', async () => {
    const res = await h
      .http()
      .post(`/admin/orgs/${t.orgId}/keys`)
      .set(asPlatform)
      .send({ name: 'limited', models: [' gpt-4.1-mini', 'claude-sonnet-4-5', 'gpt-4.1-mini '] });
    expect(res.status).toBe(201);
    const issued = bodyOf(res, issuedKeySchema);
    expect(issued.models).toEqual(['gpt-4.1-mini', 'claude-sonnet-4-5']);
    const verified = await h.deps.verifyKey(issued.key);
    expect(verified).toMatchObject({ valid: true, key: { models: new Set(['gpt-4.1-mini', 'claude-sonnet-4-5']) } });

    const listed = bodyAs<RawKeyList>(await h.http().get(`/admin/orgs/${t.orgId}/keys`).set(asPlatform));
    expect(listed.data.find((k) => k.id === issued.id)?.['models']).toEqual(['gpt-4.1-mini', 'claude-sonnet-4-5']);

    const audit = await h.http().get(`/admin/audit?orgId=${t.orgId}`).set(asPlatform);
    expect(JSON.stringify(audit.body)).toContain('"models":["gpt-4.1-mini","claude-sonnet-4-5"]');

    const rotated = await h.http().post(`/admin/orgs/${t.orgId}/keys/${issued.id}/rotate`).set(asPlatform).send({});
    expect(bodyOf(rotated, rotatedKeySchema).models).toEqual(['gpt-4.1-mini', 'claude-sonnet-4-5']);

    const explicitNull = await h.http().post(`/admin/orgs/${t.orgId}/keys`).set(asPlatform).send({ name: 'any', models: null });
    expect(bodyOf(explicitNull, issuedKeySchema).models).toBeNull();
  });

  it('defaults to the proxy scope', async () => {
    const res = await h.http().post(`/admin/orgs/${t.orgId}/keys`).set(asPlatform).send({ name: 'default' });
    expect(bodyOf(res, issuedKeySchema).scopes).toEqual(['proxy']);
  });

  it('rotates (201) with a grace period: both keys work until it ends', async () => {
    const old = await h.issueKey(t.orgId, ['proxy'], 'rotating');
    const res = await h.http().post(`/admin/orgs/${t.orgId}/keys/${old.id}/rotate`).set(bearer(t.adminKey)).send({ graceSeconds: 3600 });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ key: expect.stringMatching(/^np_/), rotatedFromId: old.id, name: 'rotating', status: 'active' });
    const rotated = bodyOf(res, rotatedKeySchema);
    expect(rotated.previous).toMatchObject({ id: old.id, status: 'rotating', graceEndsAt: expect.any(String) });
    expect((await h.deps.verifyKey(rotated.key)).valid).toBe(true);
    expect((await h.deps.verifyKey(old.key)).valid).toBe(true);
    const [audit] = await h.runtime.repos.auditLog.list({ orgId: t.orgId, limit: 1 });
    expect(audit).toMatchObject({
      action: 'key.rotate',
      targetId: old.id,
      actorType: 'gateway_key',
      details: { newKeyId: rotated.id, graceSeconds: 3600 },
    });
  });

  it('rotates without a body: the old key is revoked at once', async () => {
    const old = await h.issueKey(t.orgId, ['proxy'], 'now');
    const res = await h.http().post(`/admin/orgs/${t.orgId}/keys/${old.id}/rotate`).set(asPlatform);
    expect(res.status).toBe(201);
    expect(bodyOf(res, rotatedKeySchema).previous.status).toBe('revoked');
    expect(await h.deps.verifyKey(old.key)).toEqual({ valid: false, code: 'revoked' });
  });

  it('revokes (204): the key is refused at once, and revoking again is harmless', async () => {
    const key = await h.issueKey(t.orgId, ['admin'], 'doomed');
    const res = await h.http().delete(`/admin/orgs/${t.orgId}/keys/${key.id}`).set(asPlatform);
    expect([res.status, res.text]).toEqual([204, '']);
    expect((await h.http().get(`/admin/orgs/${t.orgId}`).set(bearer(key.key))).status).toBe(401);
    expect((await h.http().delete(`/admin/orgs/${t.orgId}/keys/${key.id}`).set(asPlatform)).status).toBe(204);
    const listed = await h.http().get(`/admin/orgs/${t.orgId}/keys`).set(asPlatform);
    expect(bodyAs<RawKeyList>(listed).data.find((k) => k.id === key.id)).toMatchObject({ status: 'revoked' });
  });
});
