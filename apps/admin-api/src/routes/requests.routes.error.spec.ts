import { TEST_DIALECTS } from '@navplane/testing';
import { bearer, BOOTSTRAP_TOKEN, startAdminHarness, type AdminHarness, type SeededTenant } from '../testing/admin-harness.fixture';
import { errorOf } from '../testing/response-body.fixture';

const asPlatform = bearer(BOOTSTRAP_TOKEN);

describe.each(TEST_DIALECTS)('requests and traces: errors (%s)', (dialect) => {
  let h: AdminHarness;
  let t: SeededTenant;
  beforeAll(async () => {
    h = await startAdminHarness(dialect);
    t = await h.seedTenant();
  });
  afterAll(() => h.close());

  it('rejects bad paging parameters with 400 naming them', async () => {
    for (const [query, param] of [
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=ten', 'limit'],
      ['limit=1.5', 'limit'],
      ['before=aud_01jzzzzzzzzzzzzzzzzzzzzzzz', 'before'],
      ['page=2', 'page'],
      ['limit=1&limit=2', 'limit'],
    ]) {
      const res = await h.http().get(`/admin/orgs/${t.orgId}/requests?${query}`).set(asPlatform);
      const { code, param: named } = errorOf(res);
      expect([query, res.status, code, named]).toEqual([query, 400, 'invalid_request', param]);
    }
  });

  it('answers unknown orgs and traces with 404', async () => {
    const org = await h.http().get('/admin/orgs/org_01jzzzzzzzzzzzzzzzzzzzzzzz/requests').set(asPlatform);
    const trace = await h.http().get('/admin/traces/trc_01jzzzzzzzzzzzzzzzzzzzzzzz').set(asPlatform);
    for (const res of [org, trace]) expect([res.status, errorOf(res).code]).toEqual([404, 'not_found']);
  });
});
