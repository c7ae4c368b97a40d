import { expect } from '@jest/globals';
import { TEST_DIALECTS } from '@navplane/testing';
import { createdAdminTokenSchema } from '../schemas/admin-token.schemas';
import { bearer, BOOTSTRAP_TOKEN, startAdminHarness, type AdminHarness } from '../testing/admin-harness.fixture';
import { bodyOf, errorOf } from '../testing/response-body.fixture';

describe.each(TEST_DIALECTS)('admin tokens: happy paths (%s)', (dialect) => {
  let h: AdminHarness;
  beforeAll(async () => {
    h = await startAdminHarness(dialect);
  });
  afterAll(() => h.close());

  it('creates a token (201) shown once, which works at once, lists it without the secret, and revokes it (204)', async () => {
    const created = await h.http().post('/admin/admin-tokens').set(bearer(BOOTSTRAP_TOKEN)).send({ name: 'dashboard' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^adm_/),
      name: 'dashboard',
      token: expect.stringMatching(/^npa_adm_/),
      displayPrefix: expect.stringMatching(/^npa_adm_/),
      createdAt: expect.any(String),
      revokedAt: null,
      lastUsedAt: null,
    });
    const { id, token } = bodyOf(created, createdAdminTokenSchema);
    const asNew = bearer(token);
    const listed = await h.http().get('/admin/admin-tokens').set(asNew);
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({ data: [{ ...created.body, token: undefined }] });
    expect(JSON.stringify(listed.body)).not.toMatch(/argon2|npa_adm_\w+_\w{10}/);

    const [audit] = await h.runtime.repos.auditLog.list({ limit: 1 });
    expect(audit).toMatchObject({ action: 'admin_token.create', actorType: 'bootstrap', targetId: id });

    // A stored token can revoke itself; it is refused from then on.
    expect((await h.http().delete(`/admin/admin-tokens/${id}`).set(asNew)).status).toBe(204);
    expect((await h.http().get('/admin/admin-tokens').set(asNew)).status).toBe(401);
    const [revoked] = await h.runtime.repos.auditLog.list({ limit: 1 });
    expect(revoked).toMatchObject({ action: 'admin_token.revoke', actorType: 'admin_token', actorId: id });
  });

  it('rejects a bad name and answers an unknown token with 404', async () => {
    const bad = await h.http().post('/admin/admin-tokens').set(bearer(BOOTSTRAP_TOKEN)).send({ name: '' });
    expect([bad.status, errorOf(bad).param]).toEqual([400, 'name']);
    const missing = await h.http().delete('/admin/admin-tokens/adm_01jzzzzzzzzzzzzzzzzzzzzzzz').set(bearer(BOOTSTRAP_TOKEN));
    expect([missing.status, errorOf(missing).code]).toEqual([404, 'not_found']);
  });
});
