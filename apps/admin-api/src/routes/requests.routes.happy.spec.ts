import { TEST_DIALECTS } from '@navplane/testing';
import { bearer, BOOTSTRAP_TOKEN, startAdminHarness, type AdminHarness, type SeededTenant } from '../testing/admin-harness.fixture';

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
    expect(first.body.data.map((r: { id: string }) => r.id)).toEqual([ids[4], ids[3], ids[2], ids[1]]);
    expect(first.body.nextCursor).toBe(ids[1]);
    expect(first.body.data.every((r: Record<string, unknown>) => !('requestBody' in r) && !('responseBody' in r))).toBe(true);
    expect(first.body.data[0]).toMatchObject({
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
      .query({ limit: 4, before: first.body.nextCursor })
      .set(bearer(BOOTSTRAP_TOKEN));
    expect(second.body.data.map((r: { id: string }) => r.id)).toEqual([ids[0], t.traceId]);
    expect(second.body.nextCursor).toBeNull();
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
    expect(res.body.data.map((r: { id: string }) => r.id)).toEqual([cut, refused]);
  });

  it('defaults to 50 per page', async () => {
    const res = await h.http().get(`/admin/orgs/${t.orgId}/requests`).set(bearer(t.adminKey));
    expect(res.body.data).toHaveLength(6);
    expect(res.body.nextCursor).toBeNull();
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
