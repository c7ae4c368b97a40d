import { TEST_DIALECTS } from '@navplane/testing';
import { auditEntrySchema } from '../schemas/audit.schemas';
import { pageOf } from '../schemas/common.schemas';
import { bearer, BOOTSTRAP_TOKEN, startAdminHarness, type AdminHarness, type SeededTenant } from '../testing/admin-harness.fixture';
import { bodyOf } from '../testing/response-body.fixture';

const auditPage = pageOf(auditEntrySchema);

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
    const { data } = bodyOf(res, auditPage);
    expect(new Set(data.map((e) => e.orgId))).toEqual(new Set([a.orgId, b.orgId, null]));
    const times = data.map((e) => e.at);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('filters by org and pages by cursor', async () => {
    const first = await h.http().get(`/admin/audit?orgId=${a.orgId}&limit=3`).set(bearer(BOOTSTRAP_TOKEN));
    const firstPage = bodyOf(first, auditPage);
    expect(firstPage.data).toHaveLength(3);
    expect(firstPage.data.every((e) => e.orgId === a.orgId)).toBe(true);
    const rest = await h.http().get('/admin/audit').query({ orgId: a.orgId, before: firstPage.nextCursor }).set(bearer(BOOTSTRAP_TOKEN));
    const restPage = bodyOf(rest, auditPage);
    const all = [...firstPage.data, ...restPage.data].map((e) => e.action);
    expect(all.sort()).toEqual(
      ['key.create', 'key.create', 'key.create', 'key.create', 'key.create', 'org.create', 'provider_key.set', 'workspace.create'].sort(),
    );
    expect(restPage.nextCursor).toBeNull();
  });

  it("shows an org's admin key its own org's records only, by default", async () => {
    const own = await h.http().get('/admin/audit').set(bearer(a.adminKey));
    expect(own.status).toBe(200);
    const { data } = bodyOf(own, auditPage);
    expect(data.length).toBeGreaterThan(0);
    expect(data.every((e) => e.orgId === a.orgId)).toBe(true);
    expect((await h.http().get(`/admin/audit?orgId=${a.orgId}`).set(bearer(a.adminKey))).body).toEqual(own.body);
  });

  it('never carries a secret', async () => {
    const res = await h.http().get('/admin/audit?limit=1000').set(bearer(BOOTSTRAP_TOKEN));
    const text = JSON.stringify(res.body);
    for (const secret of [a.adminKey, a.proxyKey, b.adminKey, BOOTSTRAP_TOKEN]) expect(text).not.toContain(secret);
  });
});
