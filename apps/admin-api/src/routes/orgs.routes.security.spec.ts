import { bodyAs, TEST_DIALECTS } from '@navplane/testing';
import { bearer, BOOTSTRAP_TOKEN, startAdminHarness, type AdminHarness, type SeededTenant } from '../testing/admin-harness.fixture';

describe.each(TEST_DIALECTS)('orgs: security (%s)', (dialect) => {
  let h: AdminHarness;
  let a: SeededTenant;
  let b: SeededTenant;
  beforeAll(async () => {
    h = await startAdminHarness(dialect);
    [a, b] = await Promise.all([h.seedTenant('A'), h.seedTenant('B')]);
  });
  afterAll(() => h.close());

  it('keeps an org admin key out of platform routes: no org listing, no org creation, no kill switch (not even its own)', async () => {
    const asA = bearer(a.adminKey);
    expect((await h.http().get('/admin/orgs').set(asA)).status).toBe(403);
    expect((await h.http().post('/admin/orgs').set(asA).send({ name: 'Rogue' })).status).toBe(403);
    expect((await h.http().put(`/admin/orgs/${a.orgId}/enabled`).set(asA).send({ enabled: false })).status).toBe(403);
    expect((await h.runtime.repos.orgs.findById(a.orgId))?.enabled).toBe(true);
    expect((await h.runtime.repos.orgs.list()).map((o) => o.name).sort()).toEqual(['A', 'B']);
  });

  it("answers another org's objects exactly like missing ones", async () => {
    const foreign = await h.http().get(`/admin/orgs/${b.orgId}`).set(bearer(a.adminKey));
    const missing = await h.http().get('/admin/orgs/org_01jzzzzzzzzzzzzzzzzzzzzzzz').set(bearer(a.adminKey));
    expect([foreign.status, bodyAs<unknown>(foreign)]).toEqual([missing.status, bodyAs<unknown>(missing)]);
  });

  it('does not accept the bootstrap token from another header or in the query string', async () => {
    expect((await h.http().get('/admin/orgs').set('X-Api-Key', BOOTSTRAP_TOKEN)).status).toBe(401);
    expect((await h.http().get(`/admin/orgs?token=${BOOTSTRAP_TOKEN}`)).status).toBe(401);
    expect(h.logs()).not.toContain(BOOTSTRAP_TOKEN);
  });
});
