import { bodyAs, TEST_DIALECTS } from '@navplane/testing';
import { pageOf } from '../schemas/common.schemas';
import { traceSummarySchema } from '../schemas/trace.schemas';
import { bearer, BOOTSTRAP_TOKEN, startAdminHarness, type AdminHarness, type SeededTenant } from '../testing/admin-harness.fixture';
import { bodyOf } from '../testing/response-body.fixture';

const requestsPage = pageOf(traceSummarySchema);

describe.each(TEST_DIALECTS)('requests and traces: happy paths (%s)', (dialect) => {
  let h: AdminHarness;
  let t: SeededTenant;
  let ids: string[];
  beforeAll(async () => {
    h = await startAdminHarness(dialect);
    t = await h.seedTenant();
    ids = await h.insertTraces(
      t.orgId,
      Array.from({ length: 5 }, (_, i) => ({
        startedAt: new Date(Date.UTC(2026, 10, 21, 12, 0, i)).toISOString(),
        model: 'gpt-4o-mini',
        requestBody: `{"messages":[{"content":"[EMAIL:1a2b3c4d] #${i}"}]}`,
        responseBody: '{"ok":true}',
      })),
    );
  });
  afterAll(() => h.close());

  it('lists the newest requests first without bodies, paged by cursor', async () => {
    const first = await h.http().get(`/admin/orgs/${t.orgId}/requests?limit=4`).set(bearer(t.tracesKey));
    expect(first.status).toBe(200);
    const firstPage = bodyOf(first, requestsPage);
    expect(firstPage.data.map((r) => r.id)).toEqual([ids[4], ids[3], ids[2], ids[1]]);
    expect(firstPage.nextCursor).toBe(ids[1]);
    // As sent, every field included: no listed request carries a body.
    const sent = bodyAs<{ data: Array<Record<string, unknown>> }>(first).data;
    expect(sent.every((r) => !('requestBody' in r) && !('responseBody' in r))).toBe(true);
    expect(firstPage.data[0]).toMatchObject({
      orgId: t.orgId,
      provider: 'openai',
      model: 'gpt-4o-mini',
      status: 200,
      stream: false,
      costStatus: 'unknown',
      costUsd: null,
    });

    const second = await h
      .http()
      .get(`/admin/orgs/${t.orgId}/requests`)
      .query({ limit: 4, before: firstPage.nextCursor })
      .set(bearer(BOOTSTRAP_TOKEN));
    const secondPage = bodyOf(second, requestsPage);
    expect(secondPage.data.map((r) => r.id)).toEqual([ids[0], t.traceId]);
    expect(secondPage.nextCursor).toBeNull();
  });

  it('lists failed requests by the one definition the CLI uses too: status >= 400 or broken mid-stream', async () => {
    const other = await h.seedTenant('failures');
    const at = (s: number) => new Date(Date.UTC(2026, 10, 22, 12, 0, s)).toISOString();
    const [refused, cut] = await h.insertTraces(other.orgId, [
      { startedAt: at(0), status: 429, errorClass: 'rate_limited' },
      { startedAt: at(1), status: 200, stream: true, errorClass: 'upstream_aborted', upstreamFailure: 'upstream_aborted' },
      { startedAt: at(2), status: 0, errorClass: 'client_aborted', upstreamFailure: 'client_aborted' },
      { startedAt: at(3), status: 200 },
    ]);
    const res = await h.http().get(`/admin/orgs/${other.orgId}/requests`).query({ status: 'failed' }).set(bearer(other.tracesKey));
    expect(res.status).toBe(200);
    expect(bodyOf(res, requestsPage).data.map((r) => r.id)).toEqual([cut, refused]);
  });

  it('defaults to 50 per page', async () => {
    const res = await h.http().get(`/admin/orgs/${t.orgId}/requests`).set(bearer(t.adminKey));
    const page = bodyOf(res, requestsPage);
    expect(page.data).toHaveLength(6);
    expect(page.nextCursor).toBeNull();
  });

  it('returns one trace with its stored (redacted) bodies', async () => {
    const res = await h.http().get(`/admin/traces/${ids[2]}`).set(bearer(t.tracesKey));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: ids[2],
      orgId: t.orgId,
      requestBody: '{"messages":[{"content":"[EMAIL:1a2b3c4d] #2"}]}',
      responseBody: '{"ok":true}',
    });
  });
});
