import { expect } from '@jest/globals';
import { TEST_DIALECTS } from '@navplane/testing';
import { bearer, BOOTSTRAP_TOKEN, startAdminHarness, type AdminHarness, type SeededTenant } from '../testing/admin-harness.fixture';
import { errorOf } from '../testing/response-body.fixture';

describe.each(TEST_DIALECTS)('limits: security (%s)', (dialect) => {
  let h: AdminHarness;
  let a: SeededTenant;
  let b: SeededTenant;
  const bLimits = { limits: [{ scope: { type: 'org' }, rpm: 7 }] };
  beforeAll(async () => {
    h = await startAdminHarness(dialect);
    [a, b] = await Promise.all([h.seedTenant('A'), h.seedTenant('B')]);
    expect((await h.http().put(`/admin/orgs/${b.orgId}/limits`).set(bearer(b.adminKey)).send(bLimits)).status).toBe(200);
  });
  afterAll(() => h.close());

  it('confines an org admin key to its own org: another org’s limits are 404 to read and to write, and stay as they were', async () => {
    const read = await h.http().get(`/admin/orgs/${b.orgId}/limits`).set(bearer(a.adminKey));
    expect([read.status, errorOf(read).code]).toEqual([404, 'not_found']);
    expect(JSON.stringify(read.body)).not.toContain('"rpm"');
    const write = await h.http().put(`/admin/orgs/${b.orgId}/limits`).set(bearer(a.adminKey)).send({ limits: [] });
    expect([write.status, errorOf(write).code]).toEqual([404, 'not_found']);
    expect((await h.http().get(`/admin/orgs/${b.orgId}/limits`).set(bearer(BOOTSTRAP_TOKEN))).body).toEqual(bLimits);
    const puts = (await h.runtime.repos.auditLog.list({ orgId: b.orgId, limit: 1000 })).filter((entry) => entry.action === 'limits.put');
    expect(puts).toHaveLength(1);
  });

  it('cannot point a limit of its own org at another org’s workspace or key (400, not stored)', async () => {
    const res = await h
      .http()
      .put(`/admin/orgs/${a.orgId}/limits`)
      .set(bearer(a.adminKey))
      .send({ limits: [{ scope: { type: 'key', id: b.targetKeyId }, rpm: 1 }] });
    expect([res.status, errorOf(res).param]).toEqual([400, 'limits[0].scope.id']);
    expect((await h.http().get(`/admin/orgs/${a.orgId}/limits`).set(bearer(a.adminKey))).body).toEqual({ limits: [] });
  });

  it('requires the admin scope: proxy, traces:read and analytics:read keys get 403, no token 401', async () => {
    for (const key of [a.proxyKey, a.tracesKey, a.analyticsKey]) {
      const read = await h.http().get(`/admin/orgs/${a.orgId}/limits`).set(bearer(key));
      const write = await h.http().put(`/admin/orgs/${a.orgId}/limits`).set(bearer(key)).send({ limits: [] });
      expect([read.status, errorOf(read).code, write.status, errorOf(write).code]).toEqual([403, 'forbidden', 403, 'forbidden']);
    }
    const none = await h.http().put(`/admin/orgs/${a.orgId}/limits`).send({ limits: [] });
    expect([none.status, errorOf(none).code]).toEqual([401, 'unauthorized']);
    // A platform-admin token reaches every org.
    const platform = await h.adminToken('platform');
    expect((await h.http().get(`/admin/orgs/${b.orgId}/limits`).set(bearer(platform.token))).body).toEqual(bLimits);
  });
});
