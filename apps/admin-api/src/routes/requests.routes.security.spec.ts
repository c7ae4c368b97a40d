import { bodyAs, TEST_DIALECTS } from '@navplane/testing';
import { pageOf } from '../schemas/common.schemas';
import { traceSummarySchema } from '../schemas/trace.schemas';
import { bearer, startAdminHarness, type AdminHarness, type SeededTenant } from '../testing/admin-harness.fixture';
import { bodyOf } from '../testing/response-body.fixture';

describe.each(TEST_DIALECTS)('requests and traces: security (%s)', (dialect) => {
  let h: AdminHarness;
  let a: SeededTenant;
  let b: SeededTenant;
  beforeAll(async () => {
    h = await startAdminHarness(dialect);
    [a, b] = await Promise.all([h.seedTenant('A'), h.seedTenant('B')]);
  });
  afterAll(() => h.close());

  it("answers another org's trace exactly like a missing one, for every reading scope", async () => {
    const missing = await h.http().get('/admin/traces/trc_01jzzzzzzzzzzzzzzzzzzzzzzz').set(bearer(a.tracesKey));
    for (const key of [a.tracesKey, a.adminKey]) {
      const foreign = await h.http().get(`/admin/traces/${b.traceId}`).set(bearer(key));
      expect([foreign.status, bodyAs<unknown>(foreign)]).toEqual([404, bodyAs<unknown>(missing)]);
    }
  });

  it('does not page into another org with its cursor', async () => {
    const res = await h.http().get(`/admin/orgs/${a.orgId}/requests?before=${b.traceId}`).set(bearer(a.adminKey));
    expect(res.status).toBe(200);
    expect(bodyOf(res, pageOf(traceSummarySchema)).data).toEqual([]);
  });

  it('keeps a traces:read key to reading: no keys, no usage, no mutations', async () => {
    const asTraces = bearer(a.tracesKey);
    expect((await h.http().get(`/admin/orgs/${a.orgId}/keys`).set(asTraces)).status).toBe(403);
    expect((await h.http().get(`/admin/orgs/${a.orgId}/usage`).set(asTraces)).status).toBe(403);
    expect(
      (
        await h
          .http()
          .post(`/admin/orgs/${a.orgId}/keys`)
          .set(asTraces)
          .send({ name: 'x', scopes: ['admin'] })
      ).status,
    ).toBe(403);
    expect((await h.http().get(`/admin/orgs/${b.orgId}/requests`).set(asTraces)).status).toBe(404);
  });
});
