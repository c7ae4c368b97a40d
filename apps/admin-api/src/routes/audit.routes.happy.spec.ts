import { TEST_DIALECTS } from '@navplane/testing';
import { bearer, BOOTSTRAP_TOKEN, startAdminHarness, type AdminHarness, type SeededTenant } from '../testing/admin-harness.fixture';

describe.each(TEST_DIALECTS)('audit: happy paths (%s)', (dialect) => {
  let h: AdminHarness;
  let a: SeededTenant;
  let b: SeededTenant;
  beforeAll(async () => {
    h = await startAdminHarness(dialect);
    [a, b] = await Promise.all([h.seedTenant('A'), h.seedTenant('B')]);
    await h.adminToken('platform-record');
  });
  afterAll(() => h.close());

  it('shows a platform admin every record, platform ones included, newest first', async () => {
    const res = await h.http().get('/admin/audit').set(bearer(BOOTSTRAP_TOKEN));
    expect(res.status).toBe(200);
    const orgs = new Set(res.body.data.map((e: { orgId: string | null }) => e.orgId));
    expect(orgs).toEqual(new Set([a.orgId, b.orgId, null]));
    const times = res.body.data.map((e: { at: string }) => e.at);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('filters by org and pages by cursor', async () => {
    const first = await h.http().get(`/admin/audit?orgId=${a.orgId}&limit=3`).set(bearer(BOOTSTRAP_TOKEN));
    expect(first.body.data).toHaveLength(3);
    expect(first.body.data.every((e: { orgId: string }) => e.orgId === a.orgId)).toBe(true);
    const rest = await h.http().get('/admin/audit').query({ orgId: a.orgId, before: first.body.nextCursor }).set(bearer(BOOTSTRAP_TOKEN));
    const all = [...first.body.data, ...rest.body.data].map((e: { action: string }) => e.action);
    expect(all.sort()).toEqual(
      ['key.create', 'key.create', 'key.create', 'key.create', 'key.create', 'org.create', 'provider_key.set', 'workspace.create'].sort(),
    );
    expect(rest.body.nextCursor).toBeNull();
  });

  it("shows an org's admin key its own org's records only, by default", async () => {
    const own = await h.http().get('/admin/audit').set(bearer(a.adminKey));
    expect(own.status).toBe(200);
    expect(own.body.data.length).toBeGreaterThan(0);
    expect(own.body.data.every((e: { orgId: string }) => e.orgId === a.orgId)).toBe(true);
    expect((await h.http().get(`/admin/audit?orgId=${a.orgId}`).set(bearer(a.adminKey))).body).toEqual(own.body);
  });

  it('never carries a secret', async () => {
    const res = await h.http().get('/admin/audit?limit=1000').set(bearer(BOOTSTRAP_TOKEN));
    const text = JSON.stringify(res.body);
    for (const secret of [a.adminKey, a.proxyKey, b.adminKey, BOOTSTRAP_TOKEN]) expect(text).not.toContain(secret);
  });
});
