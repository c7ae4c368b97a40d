import { expect } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bodyAs, TEST_DIALECTS } from '@navplane/testing';
import { bearer, BOOTSTRAP_TOKEN, startAdminHarness, type AdminHarness, type SeededTenant } from '../testing/admin-harness.fixture';

const asPlatform = bearer(BOOTSTRAP_TOKEN);

// The config file's operator-defined providers (docs/configuration.md) are providers of the registry: keys can be
// stored for them; the provider ids are the configured registry's, not a fixed list.
describe.each(TEST_DIALECTS)('provider keys of operator-defined providers (%s)', (dialect) => {
  let dir: string;
  let h: AdminHarness;
  let t: SeededTenant;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'navplane-admin-providers-'));
    const file = join(dir, 'navplane.yaml');
    await writeFile(file, 'providers:\n  - { id: vllm, baseUrl: "http://127.0.0.1:8000", auth: bearer }\n');
    h = await startAdminHarness(dialect, { env: { NAVPLANE_CONFIG: file } });
    t = await h.seedTenant();
  });
  afterAll(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores, lists and deletes a key for a configured provider, and still refuses an unknown one', async () => {
    const put = await h.http().put(`/admin/orgs/${t.orgId}/provider-keys/vllm`).set(asPlatform).send({ key: 'vllm-token-0123456789VLLM' });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ provider: 'vllm', name: 'default', last4: 'VLLM', createdAt: expect.any(String), rotatedAt: null });
    expect(await h.runtime.vault.getProviderKey(t.orgId, 'vllm')).toMatchObject({ ok: true, key: 'vllm-token-0123456789VLLM' });
    const list = await h.http().get(`/admin/orgs/${t.orgId}/provider-keys`).set(asPlatform);
    expect(bodyAs<{ data: Array<{ provider: string }> }>(list).data.map((k) => k.provider)).toContain('vllm');
    const del = await h.http().delete(`/admin/orgs/${t.orgId}/provider-keys/vllm`).set(asPlatform);
    expect(del.status).toBe(204);

    const unknown = await h.http().put(`/admin/orgs/${t.orgId}/provider-keys/ollama`).set(asPlatform).send({ key: 'ollama-0123456789' });
    expect(unknown.status).toBe(400);
    expect(bodyAs<{ error: { code: string; message: string } }>(unknown).error).toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining('vllm'),
    });
  });
});
