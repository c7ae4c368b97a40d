import { TEST_DIALECTS } from '@navplane/testing';
import {
  bearer,
  BOOTSTRAP_TOKEN,
  SEEDED_OPENAI_KEY,
  startAdminHarness,
  type AdminHarness,
  type SeededTenant,
} from '../testing/admin-harness.fixture';

describe.each(TEST_DIALECTS)('provider keys: security (%s)', (dialect) => {
  let h: AdminHarness;
  let a: SeededTenant;
  let b: SeededTenant;
  beforeAll(async () => {
    h = await startAdminHarness(dialect);
    [a, b] = await Promise.all([h.seedTenant('A'), h.seedTenant('B')]);
  });
  afterAll(() => h.close());

  it('never returns, audits or logs a provider key or its ciphertext', async () => {
    const key = 'sk-never-shown-anywhere-0123456789';
    const put = await h.http().put(`/admin/orgs/${a.orgId}/provider-keys/openai`).set(bearer(a.adminKey)).send({ key });
    const list = await h.http().get(`/admin/orgs/${a.orgId}/provider-keys`).set(bearer(BOOTSTRAP_TOKEN));
    const stored = await h.runtime.repos.providerKeys.findByOrgAndProvider(a.orgId, 'openai', 'default');
    const shown = JSON.stringify([put.body, list.body, await h.runtime.repos.auditLog.list({ limit: 1000 })]) + h.logs();
    for (const secret of [key, SEEDED_OPENAI_KEY, stored?.ciphertext, stored?.wrappedDek]) expect(shown).not.toContain(secret);
    expect(shown).not.toMatch(/ciphertext|wrappedDek|kekVersion/);
  });

  it("cannot replace or delete another org's key", async () => {
    const asA = bearer(a.adminKey);
    expect((await h.http().put(`/admin/orgs/${b.orgId}/provider-keys/openai`).set(asA).send({ key: 'sk-hijack-0123456789' })).status).toBe(
      404,
    );
    expect((await h.http().delete(`/admin/orgs/${b.orgId}/provider-keys/openai`).set(asA)).status).toBe(404);
    expect(await h.runtime.vault.getProviderKey(b.orgId, 'openai')).toMatchObject({ ok: true, key: SEEDED_OPENAI_KEY });
  });
});
