import { TEST_DIALECTS } from '@navplane/testing';
import { usageReportSchema } from '../schemas/usage.schemas';
import { bearer, BOOTSTRAP_TOKEN, startAdminHarness, type AdminHarness, type SeededTenant } from '../testing/admin-harness.fixture';
import { bodyOf } from '../testing/response-body.fixture';

describe.each(TEST_DIALECTS)('usage: happy paths (%s)', (dialect) => {
  let h: AdminHarness;
  let t: SeededTenant;
  let other: { id: string };
  beforeAll(async () => {
    h = await startAdminHarness(dialect);
    t = await h.seedTenant(); // one gpt-4o trace on 2026-11-20 10:00, 10 in / 5 out, $0.0001
    other = await h.issueKey(t.orgId, ['proxy'], 'other');
    await h.insertTraces(t.orgId, [
      {
        startedAt: '2026-11-20T11:00:00.000Z',
        model: 'gpt-4o',
        keyId: other.id,
        tokensIn: 90,
        tokensOut: 15,
        costUsd: 0.0002,
        costStatus: 'estimated',
      },
      { startedAt: '2026-11-21T08:00:00.000Z', model: 'unpriced-model', keyId: other.id, tokensIn: 7, tokensOut: 3, costStatus: 'unknown' },
      { startedAt: '2026-11-22T08:00:00.000Z', model: 'gpt-4o', tokensIn: 1, tokensOut: 1, costUsd: 1, costStatus: 'estimated' },
      { startedAt: '2026-11-19T23:59:59.999Z', model: 'gpt-4o', tokensIn: 1000, costUsd: 5, costStatus: 'estimated' },
    ]);
  });
  afterAll(() => h.close());

  const range = { from: '2026-11-20', to: '2026-11-22T00:00:00Z' };

  it('groups by model; a group with an unknown cost reports costUsd null and counts it', async () => {
    const res = await h
      .http()
      .get(`/admin/orgs/${t.orgId}/usage`)
      .query({ ...range, groupBy: 'model' })
      .set(bearer(t.analyticsKey));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ orgId: t.orgId, from: '2026-11-20T00:00:00.000Z', to: '2026-11-22T00:00:00.000Z', groupBy: 'model' });
    const report = bodyOf(res, usageReportSchema);
    expect(report.data).toEqual([
      {
        group: 'gpt-4o',
        requests: 2,
        batchRequests: 0,
        tokensIn: 100,
        tokensOut: 20,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        costUsd: 0.0003,
        pricedCostUsd: 0.0003,
        unknownCostRequests: 0,
        costStatus: 'estimated',
      },
      {
        group: 'unpriced-model',
        requests: 1,
        batchRequests: 0,
        tokensIn: 7,
        tokensOut: 3,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        costUsd: null,
        pricedCostUsd: 0,
        unknownCostRequests: 1,
        costStatus: 'unknown',
      },
    ]);
    expect(report.totals).toMatchObject({ requests: 3, tokensIn: 107, costUsd: null, pricedCostUsd: 0.0003, unknownCostRequests: 1 });
  });

  it('groups by UTC day and by key', async () => {
    const byDay = await h
      .http()
      .get(`/admin/orgs/${t.orgId}/usage`)
      .query({ ...range, groupBy: 'day' })
      .set(bearer(t.adminKey));
    expect(bodyOf(byDay, usageReportSchema).data.map((r) => [r.group, r.requests, r.costUsd])).toEqual([
      ['2026-11-20', 2, 0.0003],
      ['2026-11-21', 1, null],
    ]);
    const byKey = await h
      .http()
      .get(`/admin/orgs/${t.orgId}/usage`)
      .query({ ...range, groupBy: 'key' })
      .set(bearer(BOOTSTRAP_TOKEN));
    const seededProxyKey = (await h.runtime.repos.traces.findById(t.traceId))?.keyId;
    expect(bodyOf(byKey, usageReportSchema).data.map((r) => [r.group, r.requests])).toEqual(
      [
        [seededProxyKey, 1],
        [other.id, 2],
      ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    );
  });

  it('defaults to the last 30 days grouped by model', async () => {
    await h.insertTraces(t.orgId, [
      { startedAt: new Date(Date.now() - 3_600_000).toISOString(), model: 'recent', costUsd: 0.5, costStatus: 'estimated' },
    ]);
    const res = await h.http().get(`/admin/orgs/${t.orgId}/usage`).set(bearer(t.adminKey));
    expect(res.status).toBe(200);
    const report = bodyOf(res, usageReportSchema);
    expect(report.groupBy).toBe('model');
    expect(Date.parse(report.to) - Date.parse(report.from)).toBe(30 * 24 * 3600 * 1000);
    expect(report.data.map((r) => r.group)).toContain('recent');
  });
});
