import { expect } from '@jest/globals';
import { TEST_DIALECTS } from '@navplane/testing';
import { adminSuite, bearer, BOOTSTRAP_TOKEN } from '../testing/admin-harness.fixture';
import { errorOf } from '../testing/response-body.fixture';

describe.each(TEST_DIALECTS)('limits: security (%s)', (dialect) => {
  const bLimits = { limits: [{ scope: { type: 'org' }, rpm: 7 }] };
  const suite = adminSuite(dialect, ['A', 'B']);
  beforeAll(async () => {
    const { h, b } = suite;
    expect((await h.http().put(`/admin/orgs/${b.orgId}/limits`).set(bearer(b.adminKey)).send(bLimits)).status).toBe(200);
  });

  it('confines an org admin key to its own org: another org’s limits are 404 to read and to write, and stay as they were', async () => {
    const { h, a, b } = suite;
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
    const { h, a, b } = suite;
    const res = await h
      .http()
      .put(`/admin/orgs/${a.orgId}/limits`)
      .set(bearer(a.adminKey))
      .send({ limits: [{ scope: { type: 'key', id: b.targetKeyId }, rpm: 1 }] });
    expect([res.status, errorOf(res).param]).toEqual([400, 'limits[0].scope.id']);
    expect((await h.http().get(`/admin/orgs/${a.orgId}/limits`).set(bearer(a.adminKey))).body).toEqual({ limits: [] });
  });

  it('requires the admin scope: proxy, traces:read and analytics:read keys get 403, no token 401', async () => {
    const { h, a, b } = suite;
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
