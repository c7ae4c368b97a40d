import { expect } from '@jest/globals';
import { bodyAs, TEST_DIALECTS } from '@navplane/testing';
import {
  bearer,
  BOOTSTRAP_TOKEN,
  SEEDED_OPENAI_KEY,
  startAdminHarness,
  type AdminHarness,
  type SeededTenant,
} from '../testing/admin-harness.fixture';

const ANTHROPIC_KEY = 'sk-ant-admin-api-test-0123456789LAST';
const asPlatform = bearer(BOOTSTRAP_TOKEN);

describe.each(TEST_DIALECTS)('provider keys: happy paths (%s)', (dialect) => {
  let h: AdminHarness;
  let t: SeededTenant;
  beforeAll(async () => {
    h = await startAdminHarness(dialect);
    t = await h.seedTenant();
  });
  afterAll(() => h.close());

  it('stores a key (200) that the vault serves at once, showing only its last 4 characters', async () => {
    const res = await h.http().put(`/admin/orgs/${t.orgId}/provider-keys/anthropic`).set(bearer(t.adminKey)).send({ key: ANTHROPIC_KEY });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ provider: 'anthropic', last4: 'LAST', createdAt: expect.any(String), rotatedAt: null });
    expect(await h.runtime.vault.getProviderKey(t.orgId, 'anthropic')).toMatchObject({ ok: true, key: ANTHROPIC_KEY });
    const [audit] = await h.runtime.repos.auditLog.list({ orgId: t.orgId, limit: 1 });
    expect(audit).toMatchObject({
      action: 'provider_key.set',
      actorType: 'gateway_key',
      details: { provider: 'anthropic', last4: 'LAST', replaced: false },
    });
  });

  it('replaces a key: rotatedAt is set and the new key is served', async () => {
    const replacement = 'sk-replacement-openai-key-0123NEW1';
    const res = await h.http().put(`/admin/orgs/${t.orgId}/provider-keys/openai`).set(asPlatform).send({ key: replacement });
    expect(res.body).toMatchObject({ provider: 'openai', last4: 'NEW1', rotatedAt: expect.any(String) });
    expect(await h.runtime.vault.getProviderKey(t.orgId, 'openai')).toMatchObject({ ok: true, key: replacement });
  });

  it('lists provider, last4 and times only', async () => {
    const res = await h.http().get(`/admin/orgs/${t.orgId}/provider-keys`).set(asPlatform);
    expect(res.status).toBe(200);
    // As sent: every field of each listed key, so nothing beyond these four can slip in.
    const { data } = bodyAs<{ data: Array<Record<string, unknown>> }>(res);
    expect(data.map((k) => Object.keys(k).sort())).toEqual([
      ['createdAt', 'last4', 'provider', 'rotatedAt'],
      ['createdAt', 'last4', 'provider', 'rotatedAt'],
    ]);
    expect(data.map((k) => k['provider'])).toEqual(['anthropic', 'openai']);
  });

  it('deletes a key (204): the vault reports it missing (the gateway answers provider_key_missing)', async () => {
    const res = await h.http().delete(`/admin/orgs/${t.orgId}/provider-keys/anthropic`).set(asPlatform);
    expect([res.status, res.text]).toEqual([204, '']);
    expect(await h.runtime.vault.getProviderKey(t.orgId, 'anthropic')).toEqual({ ok: false, reason: 'missing' });
    expect(JSON.stringify(await h.runtime.repos.auditLog.list({ limit: 1000 }))).not.toContain(SEEDED_OPENAI_KEY);
  });

  it('stores and deletes a key of every provider of the registry: mistral', async () => {
    const put = await h
      .http()
      .put(`/admin/orgs/${t.orgId}/provider-keys/mistral`)
      .set(asPlatform)
      .send({ key: 'mistral-key-0123456789MSTR' });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ provider: 'mistral', last4: 'MSTR', createdAt: expect.any(String), rotatedAt: null });
    expect(await h.runtime.vault.getProviderKey(t.orgId, 'mistral')).toMatchObject({ ok: true, key: 'mistral-key-0123456789MSTR' });
    const del = await h.http().delete(`/admin/orgs/${t.orgId}/provider-keys/mistral`).set(asPlatform);
    expect(del.status).toBe(204);
  });
});
