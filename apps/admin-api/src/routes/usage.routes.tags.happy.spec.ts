import { TEST_DIALECTS } from '@navplane/testing';
import { traceSchema, traceSummarySchema } from '../schemas/trace.schemas';
import { usageReportSchema } from '../schemas/usage.schemas';
import { bearer, startAdminHarness, type AdminHarness, type SeededTenant } from '../testing/admin-harness.fixture';
import { bodyOf } from '../testing/response-body.fixture';
import { z } from 'zod';

describe.each(TEST_DIALECTS)('usage by tag and by provider, tags on traces (%s)', (dialect) => {
  let h: AdminHarness;
  let t: SeededTenant;
  let taggedId: string;
  beforeAll(async () => {
    h = await startAdminHarness(dialect);
    t = await h.seedTenant(); // one untagged openai gpt-4o trace on 2026-11-20 10:00, 10 in, $0.0001
    const inserted = await h.insertTraces(t.orgId, [
      {
        startedAt: '2026-11-20T11:00:00.000Z',
        model: 'gpt-4o',
        tokensIn: 100,
        costUsd: 0.002,
        costStatus: 'estimated',
        tags: ['team:search', 'feature/summarize'],
      },
      {
        startedAt: '2026-11-20T12:00:00.000Z',
        provider: 'anthropic',
        model: 'claude-haiku-4-5',
        tokensIn: 50,
        costUsd: 0.001,
        costStatus: 'estimated',
        tags: ['team:search'],
      },
      // Outside the range.
      { startedAt: '2026-11-25T12:00:00.000Z', model: 'gpt-4o', tokensIn: 9999, tags: ['team:search'] },
    ]);
    const [first] = inserted;
    if (first === undefined) throw new Error('insertTraces returned no id');
    taggedId = first;
  });
  afterAll(() => h.close());

  const range = { from: '2026-11-20', to: '2026-11-22' };

  it('groups by tag: a request under each of its tags, untagged as null; totals count each request once', async () => {
    const res = await h
      .http()
      .get(`/admin/orgs/${t.orgId}/usage`)
      .query({ ...range, groupBy: 'tag' })
      .set(bearer(t.analyticsKey));
    expect(res.status).toBe(200);
    const report = bodyOf(res, usageReportSchema);
    expect(report.groupBy).toBe('tag');
    expect(report.data.map((row) => [row.group, row.requests, row.tokensIn, row.costUsd])).toEqual([
      ['feature/summarize', 1, 100, 0.002],
      ['team:search', 2, 150, 0.003],
      [null, 1, 10, 0.0001],
    ]);
    expect(report.totals).toMatchObject({ requests: 3, tokensIn: 160, costUsd: 0.0031 });
    expect(report.data.reduce((sum, row) => sum + row.requests, 0)).toBeGreaterThan(report.totals.requests);
  });

  it('groups by provider', async () => {
    const res = await h
      .http()
      .get(`/admin/orgs/${t.orgId}/usage`)
      .query({ ...range, groupBy: 'provider' })
      .set(bearer(t.adminKey));
    const report = bodyOf(res, usageReportSchema);
    expect(report.data.map((row) => [row.group, row.requests, row.tokensIn])).toEqual([
      ['anthropic', 1, 50],
      ['openai', 2, 110],
    ]);
    expect(report.totals.requests).toBe(3);
  });

  it('refuses another grouping with 400 naming groupBy', async () => {
    const res = await h.http().get(`/admin/orgs/${t.orgId}/usage`).query({ groupBy: 'tags' }).set(bearer(t.adminKey));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: 'invalid_request' } });
  });

  it('shows the tags in the trace and in the request listing (empty when none)', async () => {
    const one = await h.http().get(`/admin/traces/${taggedId}`).set(bearer(t.tracesKey));
    expect(one.status).toBe(200);
    expect(bodyOf(one, traceSchema).tags).toEqual(['team:search', 'feature/summarize']);
    const untagged = await h.http().get(`/admin/traces/${t.traceId}`).set(bearer(t.tracesKey));
    expect(bodyOf(untagged, traceSchema).tags).toEqual([]);
    const listed = await h.http().get(`/admin/orgs/${t.orgId}/requests`).set(bearer(t.tracesKey));
    const page = bodyOf(listed, z.object({ data: z.array(traceSummarySchema) }));
    expect(page.data.find((trace) => trace.id === taggedId)?.tags).toEqual(['team:search', 'feature/summarize']);
  });
});
