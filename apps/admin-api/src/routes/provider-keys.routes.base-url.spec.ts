import { expect } from '@jest/globals';
import type { ResolveAll } from '@navplane/egress';
import { bodyAs, TEST_DIALECTS } from '@navplane/testing';
import { bearer, BOOTSTRAP_TOKEN, startAdminHarness, type AdminHarness, type SeededTenant } from '../testing/admin-harness.fixture';
import { errorOf } from '../testing/response-body.fixture';

const asPlatform = bearer(BOOTSTRAP_TOKEN);
const AZURE_KEY = '0123456789abcdef0123456789abcdef';

// A resolver the test controls: the egress guard resolves a tenant's base URL with it when the key is stored.
const DNS: Record<string, string[]> = {
  'mine.openai.azure.com': ['20.50.1.2'],
  'sneaky.example.com': ['192.168.1.20'],
  'llm.internal': ['10.0.0.7'],
};
const resolveAll: ResolveAll = (hostname) => {
  const addresses = DNS[hostname];
  if (addresses === undefined) return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
  return Promise.resolve(addresses.map((address) => ({ address, family: 4 })));
};

describe.each(TEST_DIALECTS)('provider keys: tenant base URLs (%s)', (dialect) => {
  let h: AdminHarness;
  let t: SeededTenant;
  beforeAll(async () => {
    h = await startAdminHarness(dialect, { env: { NAVPLANE_UPSTREAM_ALLOWLIST: 'llm.internal' }, resolveAll });
    t = await h.seedTenant();
  });
  afterAll(() => h.close());

  const put = (provider: string, body: Record<string, unknown>) =>
    h.http().put(`/admin/orgs/${t.orgId}/provider-keys/${provider}`).set(asPlatform).send(body);

  it.each([
    ['plain http', 'http://mine.openai.azure.com'],
    ['a private address', 'https://10.0.0.1'],
    ['the cloud metadata address', 'https://169.254.169.254'],
    ['a name that resolves to a private address', 'https://sneaky.example.com'],
    ['credentials in the URL', 'https://user:pw@mine.openai.azure.com'],
    ['a fragment', 'https://mine.openai.azure.com/#x'],
  ])('refuses %s with 400 invalid_request on baseUrl, storing nothing', async (_what, baseUrl) => {
    const res = await put('azure-openai', { key: AZURE_KEY, baseUrl });
    const { code, param } = errorOf(res);
    expect([res.status, code, param]).toEqual([400, 'invalid_request', 'baseUrl']);
    expect(JSON.stringify(res.body)).not.toContain(AZURE_KEY);
    expect(await h.runtime.vault.getProviderKey(t.orgId, 'azure-openai')).toEqual({ ok: false, reason: 'missing' });
  });

  it('requires a baseUrl for azure-openai and refuses one for a provider whose upstream is the operator’s', async () => {
    const missing = await put('azure-openai', { key: AZURE_KEY });
    const extra = await put('openai', { key: 'sk-test-openai-0123456789', baseUrl: 'https://mine.openai.azure.com' });
    for (const res of [missing, extra])
      expect([res.status, errorOf(res).code, errorOf(res).param]).toEqual([400, 'invalid_request', 'baseUrl']);
  });

  it('stores a public https endpoint and an allowlisted host, shows it in the answer and the list, and the vault serves it', async () => {
    const res = await put('azure-openai', { key: AZURE_KEY, baseUrl: 'https://mine.openai.azure.com/' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      provider: 'azure-openai',
      name: 'default',
      last4: 'cdef',
      createdAt: expect.any(String),
      rotatedAt: null,
      baseUrl: 'https://mine.openai.azure.com',
    });
    const allowlisted = await put('azure-openai', { key: AZURE_KEY, baseUrl: 'http://llm.internal:8080' });
    expect([allowlisted.status, bodyAs<{ baseUrl: string }>(allowlisted).baseUrl]).toEqual([200, 'http://llm.internal:8080']);
    const list = bodyAs<{ data: Array<Record<string, unknown>> }>(
      await h.http().get(`/admin/orgs/${t.orgId}/provider-keys`).set(asPlatform),
    );
    expect(list.data.find((row) => row['provider'] === 'azure-openai')).toMatchObject({ baseUrl: 'http://llm.internal:8080' });
    expect(list.data.find((row) => row['provider'] === 'openai')).not.toHaveProperty('baseUrl');
    expect(await h.runtime.vault.getProviderKey(t.orgId, 'azure-openai')).toEqual({
      ok: true,
      key: AZURE_KEY,
      baseUrl: 'http://llm.internal:8080',
    });
  });

  it('describes baseUrl in the OpenAPI document', async () => {
    const doc = bodyAs<Record<string, unknown>>(await h.http().get('/admin/openapi.json').set(asPlatform));
    const text = JSON.stringify(doc);
    expect(text).toContain('NAVPLANE_UPSTREAM_ALLOWLIST');
    expect(text).toMatch(/"baseUrl":\{[^}]*"type":"string"/);
  });
});
