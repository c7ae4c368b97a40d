import { newId, toIso } from '@navplane/core';
import { createRepositories, type NewTrace, type Repositories } from '@navplane/storage';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@navplane/storage/testing';
import { createBatchingTraceWriter } from './batching-trace-writer';
import { newTrace } from './new-trace.fixture';
import type { ChainView } from './trace-lineage';
import { createTraceQueries, type TraceQueries } from './trace-queries';

jest.setTimeout(30_000);

const BASE = Date.UTC(2026, 10, 23, 10);

const trace = (orgId: string, offsetMs: number, fields: Partial<NewTrace> = {}) => newTrace(orgId, BASE + offsetMs, fields);

/** Writes through the real batching writer, in the given order, in small batches. */
async function writeThroughWriter(repos: Repositories, traces: readonly NewTrace[]): Promise<void> {
  const writer = createBatchingTraceWriter({ traces: repos.traces, queueSize: 1_000, batchSize: 2, flushIntervalMs: 1 });
  for (const item of traces) writer.enqueue(item);
  await writer.close(5000);
  expect(writer.stats().written).toBe(traces.length);
}

const ids = (view: Pick<ChainView, 'traces'>) => view.traces.map((t) => t.id);

describe.each(TEST_DIALECTS)('trace queries on %s', (dialect) => {
  let test: TestDatabase;
  let repos: Repositories;
  let queries: TraceQueries;
  let orgA: string;
  let orgB: string;

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    repos = createRepositories(test.database);
    queries = createTraceQueries({ repos });
    orgA = newId('org');
    orgB = newId('org');
    for (const [id, name] of [
      [orgA, 'A'],
      [orgB, 'B'],
    ] as const) {
      await repos.orgs.create({ id, name, createdAt: toIso(BASE) });
    }
  });
  afterAll(() => test.drop());

  describe('lineage', () => {
    // A run that started from a lineage-free context trace; some traces carry only a parent (partial lineage),
    // one has a skewed clock, one points at a parent that was never written, one belongs to another run.
    let t: Record<'ctx' | 'r1' | 'r2' | 'r3' | 'r4' | 'r5' | 'r6' | 'r7' | 'x1', NewTrace>;
    const run = `run-${newId('request')}`;

    beforeAll(async () => {
      const ctx = trace(orgA, 0);
      const r1 = trace(orgA, 1000, { runId: run, threadId: 'th-1', parentTraceId: ctx.id });
      const r2 = trace(orgA, 2000, { runId: run, parentTraceId: r1.id });
      const r3 = trace(orgA, 3000, { parentTraceId: r2.id }); // no run header: inherits the run
      const r4 = trace(orgA, 2500, { runId: run, parentTraceId: r2.id });
      const r5 = trace(orgA, 4000, { runId: run, parentTraceId: r3.id });
      const r6 = trace(orgA, 1500, { runId: run, parentTraceId: r5.id }); // its clock is behind
      const r7 = trace(orgA, 5000, { runId: run, parentTraceId: newId('trace') }); // parent never written
      const x1 = trace(orgA, 3500, { runId: 'another-run', parentTraceId: r2.id });
      t = { ctx, r1, r2, r3, r4, r5, r6, r7, x1 };
      // Out of order: children before parents, across batches and across two writer sessions.
      await writeThroughWriter(repos, [r6, r7, r5, x1, r4, r2]);
      await writeThroughWriter(repos, [r3, r1, ctx]);
    });

    it('reconstructs a run in the deterministic order, whatever order it was written in', async () => {
      const chain = await queries.chain({ orgId: orgA, run });
      expect(chain.ok).toBe(true);
      if (!chain.ok) return;
      expect(ids(chain.value)).toEqual([t.ctx, t.r1, t.r2, t.r4, t.r3, t.r5, t.r6, t.r7].map((x) => x.id));
      expect(chain.value.traces.map((x) => x.depth)).toEqual([0, 1, 2, 3, 3, 4, 5, 0]);
      expect(chain.value.roots).toEqual([t.ctx.id, t.r7.id]);
      expect(chain.value.orphans).toEqual([{ traceId: t.r7.id, missingParentId: t.r7.parentTraceId }]);
      expect(chain.value.cycles).toEqual([]);
      expect(chain.value.scope).toEqual({ kind: 'run', id: run });
      expect(chain.value.forkedFrom).toBeNull();
    });

    it('keeps traces of another run out, and reports their parent as outside that chain', async () => {
      const other = await queries.chain({ orgId: orgA, run: 'another-run' });
      expect(other.ok && ids(other.value)).toEqual([t.x1.id]);
      expect(other.ok && other.value.orphans).toEqual([{ traceId: t.x1.id, missingParentId: t.r2.id }]);
      const thread = await queries.chain({ orgId: orgA, thread: 'th-1' });
      // r1 carries the thread; its descendants without a thread id inherit it, its parent (no thread) is the context.
      expect(thread.ok && ids(thread.value)).toEqual([t.ctx, t.r1, t.r2, t.r4, t.r3, t.x1, t.r5, t.r6].map((x) => x.id));
    });

    it('replays the chain as it stood at a checkpoint: everything before it in chain order, and it', async () => {
      const at = async (checkpoint: NewTrace) => {
        const replay = await queries.replay(orgA, checkpoint.id);
        if (!replay.ok) throw replay.error;
        expect(replay.value.checkpoint.id).toBe(checkpoint.id);
        return ids(replay.value);
      };
      expect(await at(t.r3)).toEqual([t.ctx, t.r1, t.r2, t.r4, t.r3].map((x) => x.id));
      expect(await at(t.r4)).toEqual([t.ctx, t.r1, t.r2, t.r4].map((x) => x.id));
      expect(await at(t.r1)).toEqual([t.ctx, t.r1].map((x) => x.id));
      expect(await at(t.ctx)).toEqual([t.ctx.id]); // no lineage ids: its ancestors (none)
      expect(await at(t.x1)).toEqual([t.x1.id]);

      // Later traces of the run do not change a replay of an earlier checkpoint.
      await writeThroughWriter(repos, [trace(orgA, 9000, { runId: run, parentTraceId: t.r7.id })]);
      expect(await at(t.r3)).toEqual([t.ctx, t.r1, t.r2, t.r4, t.r3].map((x) => x.id));
    });

    it('forks without changing any stored row; the new run continues from the checkpoint', async () => {
      const snapshot = () => test.database.db.selectFrom('traces').selectAll().orderBy('id').execute();
      const before = await snapshot();

      const forked = await queries.fork(orgA, t.r3.id, { type: 'admin_token', id: 'adm_test', ip: '127.0.0.1' });
      if (!forked.ok) throw forked.error;
      const { fork, continueWith } = forked.value;
      expect(fork).toMatchObject({ orgId: orgA, sourceTraceId: t.r3.id, createdBy: 'admin_token:adm_test' });
      expect(fork.newRunId).toMatch(/^run_[0-9a-z]{26}$/);
      expect(fork.id).toMatch(/^frk_[0-9a-z]{26}$/);
      expect(continueWith).toEqual({ 'X-NavPlane-Run': fork.newRunId, 'X-NavPlane-Parent-Trace': t.r3.id });
      expect(await snapshot()).toEqual(before);
      const audit = await repos.auditLog.list({ orgId: orgA });
      expect(audit[0]).toMatchObject({ action: 'trace.fork', targetType: 'trace', targetId: t.r3.id, actorId: 'adm_test' });

      // The fork's run before any trace: the checkpoint's replay, all inherited.
      const empty = await queries.chain({ orgId: orgA, run: fork.newRunId });
      if (!empty.ok) throw empty.error;
      expect(ids(empty.value)).toEqual([t.ctx, t.r1, t.r2, t.r4, t.r3].map((x) => x.id));
      expect(empty.value.traces.every((x) => x.inherited)).toBe(true);
      expect(empty.value.forkedFrom).toMatchObject({ forkId: fork.id, sourceTraceId: t.r3.id, sourceMissing: false });

      // Clients continue it with the headers; one of them sends only the parent.
      const f1 = trace(orgA, 10_000, { runId: fork.newRunId, parentTraceId: t.r3.id });
      const f2 = trace(orgA, 11_000, { parentTraceId: f1.id });
      await writeThroughWriter(repos, [f2, f1]);
      const replay = await queries.replay(orgA, f2.id);
      if (!replay.ok) throw replay.error;
      expect(ids(replay.value)).toEqual([t.ctx, t.r1, t.r2, t.r4, t.r3, f1, f2].map((x) => x.id));
      expect(replay.value.traces.map((x) => x.inherited)).toEqual([true, true, true, true, true, false, false]);
      expect(replay.value.traces.find((x) => x.id === f1.id)?.depth).toBe(4); // under r3 (depth 3), not a new root
      expect(replay.value.orphans).toEqual([]);

      // The original run is untouched by the fork's traces.
      const original = await queries.replay(orgA, t.r5.id);
      expect(original.ok && ids(original.value)).toEqual([t.ctx, t.r1, t.r2, t.r4, t.r3, t.r5].map((x) => x.id));

      // A fork of the fork inherits both prefixes.
      const again = await queries.fork(null, f1.id, { type: 'cli', id: null });
      if (!again.ok) throw again.error;
      expect(again.value.fork.createdBy).toBe('cli');
      const g1 = trace(orgA, 12_000, { runId: again.value.fork.newRunId, parentTraceId: f1.id });
      await writeThroughWriter(repos, [g1]);
      const nested = await queries.replay(orgA, g1.id);
      expect(nested.ok && ids(nested.value)).toEqual([t.ctx, t.r1, t.r2, t.r4, t.r3, f1, g1].map((x) => x.id));
      // Every row that existed before the forks is still there, unchanged.
      const beforeIds = new Set(before.map((row) => row.id));
      expect((await snapshot()).filter((row) => beforeIds.has(row.id))).toEqual(before);
    });

    it('answers another org exactly like a missing trace, and creates nothing for it', async () => {
      for (const result of [
        await queries.getTrace(orgB, t.r1.id),
        await queries.replay(orgB, t.r1.id),
        await queries.fork(orgB, t.r1.id, { type: 'admin_token', id: 'adm_b' }),
        await queries.getTrace(orgA, newId('trace')),
        await queries.replay(orgA, 'not-an-id'),
      ]) {
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.error.code).toBe('not_found');
      }
      expect(await repos.traceForks.listBySourceTrace(orgA, t.r1.id)).toEqual([]);
      expect(await repos.traceForks.listBySourceTrace(orgB, t.r1.id)).toEqual([]);
      const foreignChain = await queries.chain({ orgId: orgB, run });
      expect(foreignChain.ok && foreignChain.value.traces).toEqual([]);
      // The platform (orgId null) reaches every org.
      const platform = await queries.getTrace(null, t.r1.id);
      expect(platform.ok && platform.value.orgId).toBe(orgA);
      expect((await queries.getTrace(orgA, t.r1.id)).ok).toBe(true);
    });

    it('refuses a chain request without exactly one lineage id', async () => {
      // @ts-expect-error a chain request that names no lineage id, as an untyped caller can send it
      const none = await queries.chain({ orgId: orgA });
      expect(!none.ok && none.error.code).toBe('invalid_request');
      // @ts-expect-error a chain request that names two lineage ids, as an untyped caller can send it
      const two = await queries.chain({ orgId: orgA, run, thread: 'th-1' });
      expect(!two.ok && two.error.code).toBe('invalid_request');
    });
  });

  describe('requests and usage', () => {
    let org: string;
    const key = newId('gatewayKey');

    beforeAll(async () => {
      org = newId('org');
      await repos.orgs.create({ id: org, name: 'usage', createdAt: toIso(BASE) });
      const day = 24 * 3600_000;
      await repos.traces.insertBatch([
        trace(org, 0, { model: 'gpt-4o', keyId: key, tokensIn: 10, tokensOut: 1, costUsd: 0.1, costStatus: 'estimated', tags: ['a', 'b'] }),
        trace(org, 1, { model: 'gpt-4o', keyId: key, tokensIn: 20, tokensOut: 2, costUsd: 0.2, costStatus: 'estimated', tags: ['a'] }),
        trace(org, day, { model: 'gpt-4o', tokensIn: 5, tokensOut: 5, status: 500, tags: ['b'] }),
        trace(org, day + 1, { model: 'o-unknown', status: 429 }),
        trace(org, 2 * day, { model: 'claude-haiku', provider: 'anthropic', costUsd: 0.3, costStatus: 'exact' }),
      ]);
    });

    it('lists requests newest first with filters and a cursor that reaches every page', async () => {
      const pages: string[][] = [];
      let before: string | undefined;
      for (;;) {
        const page = await queries.listRequests(org, { limit: 2, before });
        if (!page.ok) throw page.error;
        pages.push(page.value.data.map((x) => x.model ?? ''));
        if (page.value.nextCursor === null) break;
        before = page.value.nextCursor;
      }
      expect(pages.flat()).toEqual(['claude-haiku', 'o-unknown', 'gpt-4o', 'gpt-4o', 'gpt-4o']);

      const failed = await queries.listRequests(org, { status: 'failed' });
      expect(failed.ok && failed.value.data.map((x) => x.status)).toEqual([429, 500]);
      const exact = await queries.listRequests(org, { status: '500' });
      expect(exact.ok && exact.value.data.map((x) => x.status)).toEqual([500]);
      const byKey = await queries.listRequests(org, { keyId: key, model: 'gpt-4o', provider: 'openai' });
      expect(byKey.ok && byKey.value.data).toHaveLength(2);
      const range = await queries.listRequests(org, { from: '2026-11-24', to: '2026-11-25T00:00:00Z' });
      expect(range.ok && range.value.data.map((x) => x.model)).toEqual(['o-unknown', 'gpt-4o']);
    });

    it('refuses bad filters as invalid_request naming the parameter', async () => {
      for (const [input, param] of [
        [{ before: 'x' }, 'before'],
        [{ status: '6xx' }, 'status'],
        [{ status: 99 }, 'status'],
        [{ from: '2026-11-24T10:00:00' }, 'from'], // no zone
        [{ from: '2026-11-25', to: '2026-11-24' }, 'from'],
        [{ limit: 0 }, 'limit'],
        [{ limit: 1001 }, 'limit'],
        [{ model: '' }, 'model'],
      ] as const) {
        const result = await queries.listRequests(org, input);
        expect(result.ok).toBe(false);
        if (!result.ok) expect([result.error.code, result.error.details?.['param']]).toEqual(['invalid_request', param]);
      }
      // @ts-expect-error a grouping the type does not allow, as an untyped caller can send it
      const usage = await queries.usage(org, { groupBy: 'week' });
      expect(!usage.ok && usage.error.code).toBe('invalid_request');
    });

    it('reports usage by model, day and key; an unknown cost is shown as unknown, never summed as 0', async () => {
      const byModel = await queries.usage(org, { groupBy: 'model' });
      if (!byModel.ok) throw byModel.error;
      expect(byModel.value.rows.map((row) => [row.group, row.requests, row.costUsd, row.pricedCostUsd, row.costStatus])).toEqual([
        ['claude-haiku', 1, 0.3, 0.3, 'exact'],
        ['gpt-4o', 3, null, 0.3, 'partial'],
        ['o-unknown', 1, null, 0, 'unknown'],
      ]);
      expect(byModel.value.totals).toMatchObject({
        requests: 5,
        tokensIn: 35,
        tokensOut: 8,
        costUsd: null,
        pricedCostUsd: 0.6,
        unknownCostRequests: 2,
        costStatus: 'partial',
      });

      const firstDay = await queries.usage(org, { groupBy: 'day', from: '2026-11-23', to: '2026-11-24' });
      if (!firstDay.ok) throw firstDay.error;
      expect(firstDay.value).toMatchObject({ from: '2026-11-23T00:00:00.000Z', to: '2026-11-24T00:00:00.000Z' });
      expect(firstDay.value.rows).toEqual([
        expect.objectContaining({ group: '2026-11-23', requests: 2, costUsd: 0.3, costStatus: 'estimated' }),
      ]);

      const byKey = await queries.usage(org, { groupBy: 'key' });
      expect(byKey.ok && byKey.value.rows.map((row) => [row.group, row.requests])).toEqual([
        [key, 2],
        [null, 3],
      ]);
      const nothing = await queries.usage(org, { groupBy: 'model', from: '2030-01-01' });
      expect(nothing.ok && nothing.value.totals).toMatchObject({ requests: 0, costUsd: 0, costStatus: 'exact' });
    });

    it('reports usage by tag (a request under each of its tags; totals count it once) and by provider', async () => {
      const byTag = await queries.usage(org, { groupBy: 'tag' });
      if (!byTag.ok) throw byTag.error;
      expect(byTag.value.rows.map((row) => [row.group, row.requests, row.tokensIn, row.costUsd, row.costStatus])).toEqual([
        ['a', 2, 30, 0.3, 'estimated'],
        ['b', 2, 15, null, 'partial'],
        [null, 2, 0, null, 'partial'], // untagged
      ]);
      expect(byTag.value.totals).toMatchObject({ requests: 5, tokensIn: 35, pricedCostUsd: 0.6, unknownCostRequests: 2 });

      const byProvider = await queries.usage(org, { groupBy: 'provider' });
      expect(byProvider.ok && byProvider.value.rows.map((row) => [row.group, row.requests, row.pricedCostUsd])).toEqual([
        ['anthropic', 1, 0.3],
        ['openai', 4, 0.3],
      ]);
      expect(byProvider.ok && byProvider.value.totals.requests).toBe(5);

      const summary = await queries.summarize({ orgId: org, groupBy: ['provider', 'tag'] });
      if (!summary.ok) throw summary.error;
      expect(summary.value.rows.map((row) => [...row.group, row.requests, row.failedRequests])).toEqual([
        ['anthropic', null, 1, 0],
        ['openai', 'a', 2, 0],
        ['openai', 'b', 2, 1],
        ['openai', null, 1, 1],
      ]);
      expect(summary.value.totals).toMatchObject({ requests: 5, failedRequests: 2 });
    });
  });

  describe('failed requests, traffic summaries and platform reads (the admin API and the CLI alike)', () => {
    const OFFSET = 100 * 24 * 3600_000; // a window of its own: platform reads see every org
    const from = toIso(BASE + OFFSET);
    const to = toIso(BASE + OFFSET + 3600_000);
    const at = (orgId: string, ms: number, fields: Partial<NewTrace>) => trace(orgId, OFFSET + ms, fields);
    let org: string;
    let other: string;
    let t: Record<'ok' | 'cut' | 'left' | 'refused' | 'unpriced' | 'foreign' | 'run', NewTrace>;

    beforeAll(async () => {
      org = newId('org');
      other = newId('org');
      await repos.orgs.create({ id: org, name: 'failures', createdAt: toIso(BASE) });
      await repos.orgs.create({ id: other, name: 'other', createdAt: toIso(BASE) });
      t = {
        ok: at(org, 0, { model: 'gpt-4o', costUsd: 0.1, costStatus: 'estimated', latencyMs: 10 }),
        // The upstream broke mid-stream after a 200: failed. The client hung up: not a failure of the request.
        cut: at(org, 1000, { model: 'gpt-4o', errorClass: 'upstream_aborted', upstreamFailure: 'upstream_aborted', latencyMs: 20 }),
        left: at(org, 2000, { model: 'gpt-4o', status: 0, errorClass: 'client_aborted', latencyMs: 30 }),
        refused: at(org, 3000, { model: 'gpt-4o', status: 502, errorClass: 'upstream_unreachable', costUsd: 0, costStatus: 'exact' }),
        unpriced: at(org, 4000, { model: 'my-finetune', tokensIn: 5, tokensOut: 5, costUsd: null, costStatus: 'unknown' }),
        foreign: at(other, 5000, { status: 500, errorClass: 'upstream_500', runId: 'shared-run', costUsd: 0, costStatus: 'exact' }),
        run: at(org, 6000, { runId: 'shared-run', costUsd: 0.2, costStatus: 'exact' }),
      };
      await repos.traces.insertBatch(Object.values(t));
    });

    it('lists the same failed requests through the request listing and the failure list', async () => {
      const listed = await queries.listRequests(org, { status: 'failed', from, to });
      const failures = await queries.failures({ orgId: org, from });
      expect(listed.ok && listed.value.data.map((x) => x.id)).toEqual([t.refused.id, t.cut.id]);
      expect(failures.ok && failures.value.map((x) => x.id)).toEqual([t.refused.id, t.cut.id]);
      const everyOrg = await queries.failures({ orgId: null, from, limit: 2 });
      expect(everyOrg.ok && everyOrg.value.map((x) => x.id)).toEqual([t.foreign.id, t.refused.id]);
      for (const [input, param] of [
        [{ orgId: org, limit: 0 }, 'limit'],
        [{ orgId: org, from: 'yesterday' }, 'from'],
      ] as const) {
        const refused = await queries.failures(input);
        expect(!refused.ok && [refused.error.code, refused.error.details?.['param']]).toEqual(['invalid_request', param]);
      }
    });

    it('summarizes traffic by org and model: failures once defined, an unpriced cost unknown, never $0', async () => {
      const summary = await queries.summarize({ orgId: null, groupBy: ['org', 'model'], from, to });
      if (!summary.ok) throw summary.error;
      const mine = summary.value.rows.filter((row) => row.group[0] === org);
      expect(
        mine.map((row) => [row.group[1], row.requests, row.failedRequests, row.costUsd, row.unknownCostRequests, row.costStatus]),
      ).toEqual([
        ['gpt-4o', 4, 2, null, 2, 'partial'],
        ['gpt-4o-mini', 1, 0, 0.2, 0, 'exact'],
        ['my-finetune', 1, 0, null, 1, 'unknown'],
      ]);
      expect(mine[0]).toMatchObject({ pricedCostUsd: 0.1, avgLatencyMs: 16.25 }); // (10 + 20 + 30 + 5) / 4;
      expect(summary.value.totals).toMatchObject({
        requests: 7,
        failedRequests: 3,
        costUsd: null,
        pricedCostUsd: 0.3,
        unknownCostRequests: 3,
      });

      const why = await queries.summarize({ orgId: org, groupBy: ['errorClass'], from, to, failedOnly: true });
      expect(why.ok && why.value.rows.map((row) => [row.group[0], row.requests])).toEqual([
        ['upstream_aborted', 1],
        ['upstream_unreachable', 1],
      ]);
      const none = await queries.summarize({ orgId: org, groupBy: ['org'], from: '2030-01-01' });
      expect(none.ok && none.value).toMatchObject({ rows: [], totals: { requests: 0, costUsd: 0, avgLatencyMs: null } });

      for (const groupBy of [['week'], ['org', 'org'], ['org', 'model', 'key', 'day']]) {
        // @ts-expect-error groupings the type does not allow, as an untyped caller can send them
        const refused = await queries.summarize({ orgId: org, groupBy });
        expect(!refused.ok && [refused.error.code, refused.error.details?.['param']]).toEqual(['invalid_request', 'groupBy']);
      }
    });

    it('reads a lineage id of one org, or of every org for the platform', async () => {
      const mine = await queries.lineageTraces(org, 'run', 'shared-run');
      expect(mine.ok && mine.value).toEqual({ traces: [expect.objectContaining({ id: t.run.id })], truncated: false });
      const everyOrg = await queries.lineageTraces(null, 'run', 'shared-run');
      expect(everyOrg.ok && everyOrg.value.traces.map((x) => x.id)).toEqual([t.foreign.id, t.run.id]);
      const bad = await queries.lineageTraces(null, 'run', '');
      expect(!bad.ok && bad.error.code).toBe('invalid_request');
    });
  });
});
