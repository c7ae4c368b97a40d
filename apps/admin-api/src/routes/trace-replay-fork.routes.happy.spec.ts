import { TEST_DIALECTS } from '@navplane/testing';
import { auditEntrySchema } from '../schemas/audit.schemas';
import { pageOf } from '../schemas/common.schemas';
import { forkSchema, replaySchema, traceSummarySchema } from '../schemas/trace.schemas';
import { bearer, BOOTSTRAP_TOKEN, startAdminHarness, type AdminHarness, type SeededTenant } from '../testing/admin-harness.fixture';
import { bodyOf, errorOf } from '../testing/response-body.fixture';

const requestsPage = pageOf(traceSummarySchema);

// GET /admin/traces/:traceId/replay and POST /admin/traces/:traceId/fork (the traces issue).
describe.each(TEST_DIALECTS)('trace replay and fork (%s)', (dialect) => {
  let h: AdminHarness;
  let t: SeededTenant;
  let other: SeededTenant;
  let ids: [string, string, string];

  beforeAll(async () => {
    h = await startAdminHarness(dialect);
    t = await h.seedTenant();
    other = await h.seedTenant('other');
    // A run of three steps, written out of order: the last step first.
    const at = (s: number) => new Date(Date.UTC(2026, 10, 21, 12, 0, s)).toISOString();
    const first = await h.insertTrace(t.orgId, { startedAt: at(0), runId: 'run-agent-1' });
    const second = await h.insertTrace(t.orgId, { startedAt: at(1), runId: 'run-agent-1', parentTraceId: first });
    const third = await h.insertTrace(t.orgId, { startedAt: at(2), runId: 'run-agent-1', parentTraceId: second });
    ids = [first, second, third];
  });
  afterAll(() => h.close());

  it('replays the chain up to a checkpoint, in order', async () => {
    const res = await h.http().get(`/admin/traces/${ids[1]}/replay`).set(bearer(t.tracesKey));
    expect(res.status).toBe(200);
    const replay = bodyOf(res, replaySchema);
    expect(replay.checkpoint.id).toBe(ids[1]);
    expect(replay.scope).toEqual({ kind: 'run', id: 'run-agent-1' });
    expect(replay.traces.map((x) => x.id)).toEqual([ids[0], ids[1]]);
    expect(replay.traces.map((x) => x.depth)).toEqual([0, 1]);
  });

  it('forks a checkpoint into a new run without changing any stored trace', async () => {
    const before = await h.http().get(`/admin/traces/${ids[2]}/replay`).set(bearer(BOOTSTRAP_TOKEN));
    const fork = await h.http().post(`/admin/traces/${ids[1]}/fork`).set(bearer(t.adminKey));
    expect(fork.status).toBe(201);
    const forked = bodyOf(fork, forkSchema);
    expect(forked.fork).toMatchObject({ orgId: t.orgId, sourceTraceId: ids[1] });
    expect(forked.continueWith).toEqual({ 'X-NavPlane-Run': forked.fork.newRunId, 'X-NavPlane-Parent-Trace': ids[1] });
    const after = await h.http().get(`/admin/traces/${ids[2]}/replay`).set(bearer(BOOTSTRAP_TOKEN));
    expect(after.body).toEqual(before.body);

    const audit = await h.http().get('/admin/audit').query({ orgId: t.orgId }).set(bearer(BOOTSTRAP_TOKEN));
    expect(bodyOf(audit, pageOf(auditEntrySchema)).data.some((e) => e.action === 'trace.fork')).toBe(true);
  });

  it('answers another org’s trace with 404 for replay and fork, creating nothing', async () => {
    const replay = await h.http().get(`/admin/traces/${ids[0]}/replay`).set(bearer(other.adminKey));
    expect(replay.status).toBe(404);
    expect(errorOf(replay).code).toBe('not_found');
    const fork = await h.http().post(`/admin/traces/${ids[0]}/fork`).set(bearer(other.adminKey));
    expect(fork.status).toBe(404);
    const traces = await h.http().get(`/admin/orgs/${other.orgId}/requests`).set(bearer(other.adminKey));
    expect(bodyOf(traces, requestsPage).data.every((x) => x.runId === null)).toBe(true);
  });

  it('filters the request listing by status class and model', async () => {
    await h.insertTraces(t.orgId, [{ status: 429, model: 'gpt-4o' }]);
    const failed = await h.http().get(`/admin/orgs/${t.orgId}/requests`).query({ status: 'failed' }).set(bearer(t.tracesKey));
    expect(failed.status).toBe(200);
    expect(bodyOf(failed, requestsPage).data.map((x) => x.status)).toEqual([429]);
    const byModel = await h.http().get(`/admin/orgs/${t.orgId}/requests`).query({ model: 'gpt-4o' }).set(bearer(t.tracesKey));
    expect(bodyOf(byModel, requestsPage).data.every((x) => x.model === 'gpt-4o')).toBe(true);
    const bad = await h.http().get(`/admin/orgs/${t.orgId}/requests`).query({ status: 'lots' }).set(bearer(t.tracesKey));
    expect(bad.status).toBe(400);
    expect(errorOf(bad).code).toBe('invalid_request');
  });
});
