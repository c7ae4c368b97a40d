import { TEST_DIALECTS } from '@navplane/testing';
import { bearer, BOOTSTRAP_TOKEN, startAdminHarness, type AdminHarness, type SeededTenant } from '../testing/admin-harness.fixture';
import { errorOf } from '../testing/response-body.fixture';

const asPlatform = bearer(BOOTSTRAP_TOKEN);

describe.each(TEST_DIALECTS)('provider keys: errors (%s)', (dialect) => {
  let h: AdminHarness;
  let t: SeededTenant;
  beforeAll(async () => {
    h = await startAdminHarness(dialect);
    t = await h.seedTenant();
  });
  afterAll(() => h.close());

  it('accepts only the providers of the registry', async () => {
    const put = await h.http().put(`/admin/orgs/${t.orgId}/provider-keys/acme-llm`).set(asPlatform).send({ key: 'sk-acme-0123456789' });
    const del = await h.http().delete(`/admin/orgs/${t.orgId}/provider-keys/acme-llm`).set(asPlatform);
    for (const res of [put, del]) {
      const { code, param } = errorOf(res);
      expect([res.status, code, param]).toEqual([400, 'invalid_request', 'provider']);
    }
  });

  it('rejects a missing, short, spaced or extra-field key with 400 naming the field, never echoing the key', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{}, 'key'],
      [{ key: 'short' }, 'key'],
      [{ key: 'sk-has a space-0123456789' }, 'key'],
      [{ key: 'sk-valid-key-0123456789', provider: 'openai' }, 'provider'],
    ];
    for (const [body, param] of cases) {
      const res = await h.http().put(`/admin/orgs/${t.orgId}/provider-keys/anthropic`).set(asPlatform).send(body);
      expect([res.status, errorOf(res).param]).toEqual([400, param]);
      if (typeof body['key'] === 'string') expect(JSON.stringify(res.body)).not.toContain(body['key']);
    }
    expect(await h.runtime.vault.getProviderKey(t.orgId, 'anthropic')).toEqual({ ok: false, reason: 'missing' });
  });

  it('rejects a malformed key name with 400 naming `name`, in the PUT body and the DELETE query', async () => {
    for (const name of ['', '-eu', 'e u', 'eu/1', 'a|b', 'x'.repeat(65), 'é', 42, null]) {
      const res = await h
        .http()
        .put(`/admin/orgs/${t.orgId}/provider-keys/anthropic`)
        .set(asPlatform)
        .send({ key: 'sk-valid-0123456789', name });
      const { code, param } = errorOf(res);
      expect([res.status, code, param]).toEqual([400, 'invalid_request', 'name']);
    }
    for (const name of ['', '-eu', 'e u', 'x'.repeat(65)]) {
      const res = await h.http().delete(`/admin/orgs/${t.orgId}/provider-keys/anthropic`).query({ name }).set(asPlatform);
      const { code, param } = errorOf(res);
      expect([res.status, code, param]).toEqual([400, 'invalid_request', 'name']);
    }
    expect(await h.runtime.vault.getProviderKey(t.orgId, 'anthropic')).toEqual({ ok: false, reason: 'missing' });
  });

  it('answers 404 for a key that is not stored and for an unknown org', async () => {
    const missingKey = await h.http().delete(`/admin/orgs/${t.orgId}/provider-keys/anthropic`).set(asPlatform);
    const missingName = await h.http().delete(`/admin/orgs/${t.orgId}/provider-keys/openai?name=nope`).set(asPlatform);
    const missingOrg = await h
      .http()
      .put('/admin/orgs/org_01jzzzzzzzzzzzzzzzzzzzzzzz/provider-keys/openai')
      .set(asPlatform)
      .send({ key: 'sk-valid-0123456789' });
    for (const res of [missingKey, missingName, missingOrg]) expect([res.status, errorOf(res).code]).toEqual([404, 'not_found']);
  });
});
