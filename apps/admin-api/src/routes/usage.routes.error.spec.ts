import { TEST_DIALECTS } from '@navplane/testing';
import { bearer, BOOTSTRAP_TOKEN, startAdminHarness, type AdminHarness, type SeededTenant } from '../testing/admin-harness.fixture';
import { errorOf } from '../testing/response-body.fixture';

describe.each(TEST_DIALECTS)('usage: errors (%s)', (dialect) => {
  let h: AdminHarness;
  let t: SeededTenant;
  beforeAll(async () => {
    h = await startAdminHarness(dialect);
    t = await h.seedTenant();
  });
  afterAll(() => h.close());

  it('rejects bad ranges and groupings with 400 naming the parameter', async () => {
    for (const [query, param] of [
      [{ groupBy: 'workspace' }, 'groupBy'],
      [{ from: 'yesterday' }, 'from'],
      [{ to: '2026-13-01' }, 'to'],
      [{ from: '2026-11-22', to: '2026-11-20' }, 'from'],
      [{ from: '2026-11-20', to: '2026-11-20' }, 'from'],
      [{ orgId: t.orgId }, 'orgId'],
    ] as const) {
      const res = await h.http().get(`/admin/orgs/${t.orgId}/usage`).query(query).set(bearer(BOOTSTRAP_TOKEN));
      const { code, param: named } = errorOf(res);
      expect([res.status, code, named]).toEqual([400, 'invalid_request', param]);
    }
  });

  it('answers an unknown org with 404', async () => {
    const res = await h.http().get('/admin/orgs/org_01jzzzzzzzzzzzzzzzzzzzzzzz/usage').set(bearer(BOOTSTRAP_TOKEN));
    expect([res.status, errorOf(res).code]).toEqual([404, 'not_found']);
  });
});
