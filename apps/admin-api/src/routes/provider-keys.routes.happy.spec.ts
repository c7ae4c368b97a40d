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
    expect(res.body).toEqual({ provider: 'anthropic', name: 'default', last4: 'LAST', createdAt: expect.any(String), rotatedAt: null });
    expect(await h.runtime.vault.getProviderKey(t.orgId, 'anthropic')).toMatchObject({ ok: true, key: ANTHROPIC_KEY });
    const [audit] = await h.runtime.repos.auditLog.list({ orgId: t.orgId, limit: 1 });
    expect(audit).toMatchObject({
      action: 'provider_key.set',
      actorType: 'gateway_key',
      details: { provider: 'anthropic', name: 'default', last4: 'LAST', replaced: false },
    });
  });

  it('replaces a key: rotatedAt is set and the new key is served', async () => {
    const replacement = 'sk-replacement-openai-key-0123NEW1';
    const res = await h.http().put(`/admin/orgs/${t.orgId}/provider-keys/openai`).set(asPlatform).send({ key: replacement });
    expect(res.body).toMatchObject({ provider: 'openai', last4: 'NEW1', rotatedAt: expect.any(String) });
    expect(await h.runtime.vault.getProviderKey(t.orgId, 'openai')).toMatchObject({ ok: true, key: replacement });
  });

  it('lists provider, name, last4 and times only', async () => {
    const res = await h.http().get(`/admin/orgs/${t.orgId}/provider-keys`).set(asPlatform);
    expect(res.status).toBe(200);
    // As sent: every field of each listed key, so nothing beyond these five can slip in.
    const { data } = bodyAs<{ data: Array<Record<string, unknown>> }>(res);
    expect(data.map((k) => Object.keys(k).sort())).toEqual([
      ['createdAt', 'last4', 'name', 'provider', 'rotatedAt'],
      ['createdAt', 'last4', 'name', 'provider', 'rotatedAt'],
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
    expect(put.body).toEqual({ provider: 'mistral', name: 'default', last4: 'MSTR', createdAt: expect.any(String), rotatedAt: null });
    expect(await h.runtime.vault.getProviderKey(t.orgId, 'mistral')).toMatchObject({ ok: true, key: 'mistral-key-0123456789MSTR' });
    const del = await h.http().delete(`/admin/orgs/${t.orgId}/provider-keys/mistral`).set(asPlatform);
    expect(del.status).toBe(204);
  });

  it('holds named keys: PUT with a name, listed by provider then name, DELETE ?name= one (404 when absent), DELETE all', async () => {
    const url = `/admin/orgs/${t.orgId}/provider-keys/anthropic`;
    const eu = await h.http().put(url).set(asPlatform).send({ key: 'sk-ant-eu-0123456789EU01', name: 'eu' });
    expect([eu.status, eu.body]).toEqual([
      200,
      { provider: 'anthropic', name: 'eu', last4: 'EU01', createdAt: expect.any(String), rotatedAt: null },
    ]);
    await h.http().put(url).set(asPlatform).send({ key: 'sk-ant-default-0123456789DF01' }).expect(200);
    await h.http().put(url).set(bearer(t.adminKey)).send({ key: 'sk-ant-us-0123456789US01', name: 'us-1' }).expect(200);
    expect(await h.runtime.vault.getProviderKey(t.orgId, 'anthropic', 'eu')).toMatchObject({ ok: true, key: 'sk-ant-eu-0123456789EU01' });
    const list = await h.http().get(`/admin/orgs/${t.orgId}/provider-keys`).set(asPlatform);
    const listed = bodyAs<{ data: Array<{ provider: string; name: string; last4: string }> }>(list).data;
    expect(listed.map((k) => `${k.provider}/${k.name}/${k.last4}`)).toEqual([
      'anthropic/default/DF01',
      'anthropic/eu/EU01',
      'anthropic/us-1/US01',
      `openai/default/${listed.find((k) => k.provider === 'openai')?.last4 ?? ''}`,
    ]);

    const one = await h.http().delete(`${url}?name=eu`).set(asPlatform);
    expect([one.status, one.text]).toEqual([204, '']);
    expect(await h.runtime.vault.getProviderKey(t.orgId, 'anthropic', 'eu')).toEqual({ ok: false, reason: 'missing' });
    expect(await h.runtime.vault.getProviderKey(t.orgId, 'anthropic')).toMatchObject({ ok: true, key: 'sk-ant-default-0123456789DF01' });
    const [audit] = await h.runtime.repos.auditLog.list({ orgId: t.orgId, limit: 1 });
    expect(audit).toMatchObject({ action: 'provider_key.delete', details: { provider: 'anthropic', name: 'eu', last4: 'EU01' } });
    const gone = await h.http().delete(`${url}?name=eu`).set(asPlatform);
    expect([gone.status, bodyAs<{ error: { code: string } }>(gone).error.code]).toEqual([404, 'not_found']);

    const all = await h.http().delete(url).set(asPlatform);
    expect(all.status).toBe(204);
    for (const name of ['default', 'us-1']) {
      expect(await h.runtime.vault.getProviderKey(t.orgId, 'anthropic', name)).toEqual({ ok: false, reason: 'missing' });
    }
    const audits = await h.runtime.repos.auditLog.list({ orgId: t.orgId, limit: 2 });
    expect(audits.map((a) => [a.action, a.details?.['name']]).sort()).toEqual([
      ['provider_key.delete', 'default'],
      ['provider_key.delete', 'us-1'],
    ]);
    const after = bodyAs<{ data: Array<{ provider: string }> }>(await h.http().get(`/admin/orgs/${t.orgId}/provider-keys`).set(asPlatform));
    expect(after.data.map((k) => k.provider)).toEqual(['openai']);
    expect((await h.http().delete(url).set(asPlatform)).status).toBe(404);
  });
});
