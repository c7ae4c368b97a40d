import { TEST_DIALECTS } from '@navplane/testing';
import { usageReportSchema } from '../schemas/usage.schemas';
import { bearer, startAdminHarness, type AdminHarness, type SeededTenant } from '../testing/admin-harness.fixture';
import { bodyOf } from '../testing/response-body.fixture';

// Batch API results fetched through the gateway (docs/traces.md, "Batch usage") are in the usage report, each by its
// own model, once however often its batch was fetched.
describe.each(TEST_DIALECTS)('usage: batch results (%s)', (dialect) => {
  let h: AdminHarness;
  let t: SeededTenant;
  beforeAll(async () => {
    h = await startAdminHarness(dialect);
    t = await h.seedTenant(); // one gpt-4o trace on 2026-11-20 10:00, 10 in / 5 out, $0.0001
    const fetch = (startedAt: string) => ({
      startedAt,
      provider: 'anthropic',
      route: '/v1/messages/batches/msgbatch_1/results',
      method: 'GET',
      costUsd: 0,
      costStatus: 'exact' as const,
      batchUsage: {
        sourceId: 'msgbatch_1',
        results: [
          {
            customId: 'r1',
            model: 'claude-sonnet-4-5-20250929',
            tokensIn: 7000,
            tokensOut: 500,
            cacheReadTokens: 4000,
            cacheWriteTokens: 2000,
            costUsd: 0.0096,
            costStatus: 'estimated' as const,
          },
          {
            customId: 'r2',
            model: 'claude-haiku-4-5-20251001',
            tokensIn: 3000,
            tokensOut: 1000,
            cacheReadTokens: 0,
            cacheWriteTokens: 0,
            costUsd: 0.004,
            costStatus: 'estimated' as const,
          },
        ],
      },
    });
    await h.insertTraces(t.orgId, [fetch('2026-11-20T12:00:00.000Z'), fetch('2026-11-20T13:00:00.000Z')]);
  });
  afterAll(() => h.close());

  it('reports each result by its model at the batch price, counted once, beside the fetches', async () => {
    const res = await h
      .http()
      .get(`/admin/orgs/${t.orgId}/usage`)
      .query({ from: '2026-11-20', to: '2026-11-21', groupBy: 'model' })
      .set(bearer(t.analyticsKey));
    expect(res.status).toBe(200);
    const report = bodyOf(res, usageReportSchema);
    expect(report.data.map((r) => [r.group, r.requests, r.batchRequests, r.tokensIn, r.tokensOut, r.costUsd, r.costStatus])).toEqual([
      ['claude-haiku-4-5-20251001', 1, 1, 3000, 1000, 0.004, 'estimated'],
      ['claude-sonnet-4-5-20250929', 1, 1, 7000, 500, 0.0096, 'estimated'],
      ['gpt-4o', 1, 0, 10, 5, 0.0001, 'estimated'],
      [null, 2, 0, 0, 0, 0, 'exact'],
    ]);
    expect(report.totals).toMatchObject({ requests: 5, batchRequests: 2, tokensIn: 10010, costUsd: 0.0137 });

    const byDay = await h
      .http()
      .get(`/admin/orgs/${t.orgId}/usage`)
      .query({ from: '2026-11-20', to: '2026-11-21', groupBy: 'day' })
      .set(bearer(t.analyticsKey));
    expect(bodyOf(byDay, usageReportSchema).data).toEqual([
      expect.objectContaining({ group: '2026-11-20', requests: 5, batchRequests: 2, tokensIn: 10010 }),
    ]);
  });
});
