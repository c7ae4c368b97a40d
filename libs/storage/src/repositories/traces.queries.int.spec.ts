import { newId } from '@navplane/core';
import {
  CompiledQuery,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '../testing';
import { createRepositories, type Repositories } from './create-repositories';
import { at, seedOrg } from './seed.fixture';
import { createTracesRepository, type ListTracesOptions, type NewTrace, type TraceSummary } from './traces.repository';

/** Keeps the last SELECT a repository built, to look at its plan. */
class SelectRecorder implements KyselyPlugin {
  last: PluginTransformQueryArgs | undefined;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (args.node.kind === 'SelectQueryNode') this.last = args;
    return args.node;
  }
  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

/** Counts the DELETE statements Kysely sends. */
class DeleteCounter implements KyselyPlugin {
  deletes = 0;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (args.node.kind === 'DeleteQueryNode') this.deletes += 1;
    return args.node;
  }
  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

const MODELS = ['gpt-4o-mini', 'gpt-4o', 'claude-sonnet-4-6', null] as const;
const STATUSES = [200, 200, 200, 201, 302, 400, 404, 429, 500, 503] as const;
// Every 7th trace (a cycle prime to the statuses') broke or was abandoned: the status alone does not say it failed.
const ERROR_CLASSES = [null, null, null, 'upstream_aborted', 'client_aborted', null, null] as const;

/** The one definition of a failed request (docs/traces.md): status >= 400, or broken after it started. */
const failed = (t: Pick<TraceSummary, 'status' | 'errorClass'>) =>
  t.status >= 400 || (t.errorClass !== null && t.errorClass !== 'client_aborted');

const newestFirst = (a: TraceSummary, b: TraceSummary) =>
  a.startedAt === b.startedAt ? (a.id < b.id ? 1 : -1) : a.startedAt < b.startedAt ? 1 : -1;

describe.each(TEST_DIALECTS)('TracesRepository queries on %s', (dialect) => {
  let test: TestDatabase;
  let repos: Repositories;

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    repos = createRepositories(test.database);
  });
  afterAll(() => test.drop());

  const trace = (orgId: string, offsetMs: number, overrides: Partial<NewTrace> = {}): NewTrace => ({
    id: newId('trace', Date.UTC(2026, 10, 23, 10) + offsetMs),
    orgId,
    provider: 'openai',
    route: '/v1/chat/completions',
    method: 'POST',
    status: 200,
    requestId: newId('request'),
    startedAt: at(offsetMs),
    latencyMs: 10,
    costStatus: 'unknown',
    stream: false,
    ...overrides,
  });

  describe('the filtered request listing', () => {
    let orgId: string;
    let all: TraceSummary[];
    const keys = [newId('gatewayKey'), newId('gatewayKey'), newId('gatewayKey')];

    beforeAll(async () => {
      orgId = (await seedOrg(repos)).id;
      const other = (await seedOrg(repos, 'Other')).id;
      const rows: NewTrace[] = [];
      for (let i = 0; i < 240; i += 1) {
        const model = MODELS[i % MODELS.length] ?? null;
        rows.push(
          trace(orgId, Math.floor(i / 2) * 60_000, {
            // pairs share started_at so the id tie-break is exercised under every filter
            model,
            provider: model?.startsWith('claude') ? 'anthropic' : 'openai',
            keyId: keys[i % keys.length],
            status: STATUSES[i % STATUSES.length],
            errorClass: ERROR_CLASSES[i % ERROR_CLASSES.length] ?? null,
          }),
        );
      }
      // A client that gave up before any response: status 0, not a failed request.
      rows.push(trace(orgId, 121 * 60_000, { status: 0, errorClass: 'client_aborted' }));
      // Another org's traces match every filter but must never show up.
      rows.push(...rows.slice(0, 20).map((row) => ({ ...row, id: newId('trace'), orgId: other })));
      // Out of order on purpose: insertion order must not matter.
      await repos.traces.insertBatch([...rows].reverse());
      all = (await repos.traces.listByOrg(orgId, { limit: 1000 })).sort(newestFirst);
      expect(all).toHaveLength(241);
    });

    const cases: Array<[string, ListTracesOptions, (t: TraceSummary) => boolean]> = [
      ['no filter', {}, () => true],
      ['model', { model: 'gpt-4o' }, (t) => t.model === 'gpt-4o'],
      ['provider', { provider: 'anthropic' }, (t) => t.provider === 'anthropic'],
      ['key', { keyId: keys[1] }, (t) => t.keyId === keys[1]],
      ['exact status', { status: 429 }, (t) => t.status === 429],
      ['exact 2xx status', { status: 201 }, (t) => t.status === 201],
      ['status class 4xx', { status: '4xx' }, (t) => t.status >= 400 && t.status < 500],
      ['status class 5xx', { status: '5xx' }, (t) => t.status >= 500 && t.status < 600],
      ['status class 2xx', { status: '2xx' }, (t) => t.status >= 200 && t.status < 300],
      ['failed', { status: 'failed' }, failed],
      [
        'time range',
        { from: at(30 * 60_000), to: at(90 * 60_000) },
        (t) => t.startedAt >= at(30 * 60_000) && t.startedAt < at(90 * 60_000),
      ],
      [
        'everything at once',
        { model: 'gpt-4o-mini', provider: 'openai', keyId: keys[0], status: 'failed', from: at(0), to: at(200 * 60_000) },
        (t) => t.model === 'gpt-4o-mini' && t.keyId === keys[0] && failed(t),
      ],
    ];

    it.each(cases)('filters by %s, newest first, and pages through every match with the cursor', async (_name, filter, predicate) => {
      const expected = all.filter(predicate).map((t) => t.id);
      expect(expected.length).toBeGreaterThan(0);
      const first = await repos.traces.listByOrg(orgId, { ...filter, limit: 1000 });
      expect(first.map((t) => t.id)).toEqual(expected);

      const seen: string[] = [];
      let before: string | undefined;
      for (let pages = 0; pages < 500; pages += 1) {
        const page = await repos.traces.listByOrg(orgId, { ...filter, limit: 7, before });
        seen.push(...page.map((t) => t.id));
        if (page.length < 7) break;
        before = page.at(-1)?.id;
      }
      expect(seen).toEqual(expected);
    });

    it('counts a response that broke mid-stream as failed, and neither a client abort nor a success', async () => {
      const listed = await repos.traces.listByOrg(orgId, { status: 'failed', limit: 1000 });
      expect(listed.some((t) => t.status === 200 && t.errorClass === 'upstream_aborted')).toBe(true);
      expect(listed.some((t) => t.status === 500 && t.errorClass === 'client_aborted')).toBe(true);
      expect(listed.some((t) => t.status < 400 && (t.errorClass === null || t.errorClass === 'client_aborted'))).toBe(false);
    });

    it('lists failures newest first, of one org or of every org, from a time on', async () => {
      const mine = await repos.traces.listFailures({ orgId, limit: 1000 });
      expect(mine.map((t) => t.id)).toEqual(all.filter(failed).map((t) => t.id));
      const recent = await repos.traces.listFailures({ orgId, from: at(100 * 60_000), limit: 3 });
      expect(recent.map((t) => t.id)).toEqual(
        all
          .filter((t) => failed(t) && t.startedAt >= at(100 * 60_000))
          .slice(0, 3)
          .map((t) => t.id),
      );
      const everyOrg = await repos.traces.listFailures({ orgId: null, limit: 1000 });
      expect(everyOrg.length).toBeGreaterThan(mine.length);
      expect(everyOrg.every(failed)).toBe(true);
      expect(new Set(everyOrg.map((t) => t.orgId)).size).toBeGreaterThan(1);
    });

    if (dialect === 'sqlite') {
      it('reads failed requests through the partial index of failed rows', async () => {
        const recorder = new SelectRecorder();
        const recorded = createTracesRepository(test.database.db.withPlugin(recorder), test.database.capabilities);
        const plans: string[] = [];
        for (const status of ['failed', '5xx', 429] as const) {
          await recorded.listByOrg(orgId, { status });
          const args = recorder.last as PluginTransformQueryArgs;
          const query = test.database.db.getExecutor().compileQuery(args.node, args.queryId);
          const plan = await test.database.db.executeQuery<{ detail: string }>(
            CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]),
          );
          plans.push(plan.rows.map((row) => row.detail).join('; '));
        }
        for (const plan of plans) expect(plan).toContain('traces_org_failed_idx');
      });
    }

    it('finds nothing for a filter that matches nothing, and nothing through a foreign cursor', async () => {
      expect(await repos.traces.listByOrg(orgId, { model: 'no-such-model' })).toEqual([]);
      expect(await repos.traces.listByOrg(orgId, { before: newId('trace') })).toEqual([]);
    });
  });

  describe('aggregates', () => {
    it('sums tokens and known costs in SQL, counts unknown costs instead of adding 0, by model, day and key', async () => {
      const orgId = (await seedOrg(repos)).id;
      const other = (await seedOrg(repos, 'Other')).id;
      const day = 24 * 3600_000;
      const [k1, k2] = [newId('gatewayKey'), newId('gatewayKey')];
      await repos.traces.insertBatch([
        trace(orgId, 0, { model: 'gpt-4o', keyId: k1, tokensIn: 100, tokensOut: 10, costUsd: 0.25, costStatus: 'estimated' }),
        trace(orgId, 1000, {
          model: 'gpt-4o',
          keyId: k2,
          tokensIn: 50,
          tokensOut: 5,
          cacheReadTokens: 7,
          costUsd: 0.5,
          costStatus: 'exact',
        }),
        trace(orgId, day, { model: 'gpt-4o', keyId: k1, tokensIn: 1, tokensOut: 2, costUsd: null, costStatus: 'unknown' }),
        trace(orgId, day + 5, { model: 'mystery', keyId: k1, tokensIn: null, tokensOut: null, costStatus: 'unknown' }),
        trace(orgId, 2 * day, { model: null, keyId: null, cacheWriteTokens: 3 }),
        trace(other, 0, { model: 'gpt-4o', tokensIn: 1_000_000, costUsd: 99, costStatus: 'estimated' }),
      ]);

      const byModel = await repos.traces.aggregate({ orgId, groupBy: ['model'] });
      expect(byModel).toEqual([
        {
          group: ['gpt-4o'],
          requests: 3,
          batchRequests: 0,
          failedRequests: 0,
          tokensIn: 151,
          tokensOut: 17,
          cacheReadTokens: 7,
          cacheWriteTokens: 0,
          pricedCostUsd: 0.75,
          unknownCostRequests: 1,
          estimatedCostRequests: 1,
          latencyMsSum: 30,
        },
        expect.objectContaining({ group: ['mystery'], requests: 1, tokensIn: 0, pricedCostUsd: 0, unknownCostRequests: 1 }),
        expect.objectContaining({ group: [null], requests: 1, cacheWriteTokens: 3, unknownCostRequests: 1 }),
      ]);

      const byDay = await repos.traces.aggregate({ orgId, groupBy: ['day'] });
      expect(byDay.map((row) => [row.group, row.requests, row.pricedCostUsd, row.unknownCostRequests])).toEqual([
        [['2026-11-23'], 2, 0.75, 0],
        [['2026-11-24'], 2, 0, 2],
        [['2026-11-25'], 1, 0, 1],
      ]);

      const byKey = await repos.traces.aggregate({ orgId, groupBy: ['key'], from: at(0), to: at(2 * day) });
      expect(byKey.map((row) => [row.group[0], row.requests, row.tokensIn])).toEqual(
        [
          [k1, 3, 101],
          [k2, 1, 50],
        ].sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1)),
      );
      expect(await repos.traces.aggregate({ orgId, groupBy: ['model'], from: at(3 * day) })).toEqual([]);
    });

    it('groups every org by several keys, counts failed requests once defined, and sums failures only on request', async () => {
      const orgA = (await seedOrg(repos, 'A')).id;
      const orgB = (await seedOrg(repos, 'B')).id;
      const from = at(400 * 24 * 3600_000);
      const to = at(401 * 24 * 3600_000);
      const t = (orgId: string, offset: number, overrides: Partial<NewTrace>) => trace(orgId, 400 * 24 * 3600_000 + offset, overrides);
      await repos.traces.insertBatch([
        t(orgA, 0, { provider: 'openai', model: 'gpt-4o', latencyMs: 10 }),
        t(orgA, 1, { provider: 'openai', model: 'gpt-4o', status: 500, errorClass: 'upstream_500', latencyMs: 20 }),
        t(orgA, 2, { provider: 'openai', model: 'gpt-4o', status: 200, errorClass: 'upstream_aborted', latencyMs: 30 }),
        t(orgA, 3, { provider: 'openai', model: 'gpt-4o', status: 0, errorClass: 'client_aborted', latencyMs: 40 }),
        t(orgA, 4, { provider: 'anthropic', model: 'gpt-4o', status: 429, errorClass: 'rate_limited' }),
        t(orgB, 5, { provider: 'openai', model: 'o3', status: 502, errorClass: 'upstream_unreachable' }),
        t(orgB, 6 + 24 * 3600_000, { provider: 'openai', model: 'o3', status: 500 }), // outside [from, to)
      ]);
      const scope = { orgId: null, from, to } as const;

      const byOrg = await repos.traces.aggregate({ ...scope, groupBy: ['org'] });
      const rowOf = (orgId: string) => byOrg.find((row) => row.group[0] === orgId);
      expect(rowOf(orgA)).toMatchObject({ requests: 5, failedRequests: 3, latencyMsSum: 110 });
      expect(rowOf(orgB)).toMatchObject({ requests: 1, failedRequests: 1 });

      const byModel = await repos.traces.aggregate({ ...scope, orgId: orgA, groupBy: ['provider', 'model'] });
      expect(byModel.map((row) => [...row.group, row.requests, row.failedRequests])).toEqual([
        ['anthropic', 'gpt-4o', 1, 1],
        ['openai', 'gpt-4o', 4, 2],
      ]);

      const classes = await repos.traces.aggregate({ ...scope, groupBy: ['org', 'errorClass'], failedOnly: true });
      expect(classes.filter((row) => row.group[0] === orgA).map((row) => [row.group[1], row.requests])).toEqual([
        ['rate_limited', 1],
        ['upstream_500', 1],
        ['upstream_aborted', 1],
      ]);

      const [all] = await repos.traces.aggregate({ ...scope, groupBy: [] });
      expect(all).toMatchObject({ group: [], requests: 6, failedRequests: 4 });
    });
  });

  describe('lineage selects', () => {
    it('lists a run oldest first within the org, children with or without their own lineage, and summaries by id', async () => {
      const orgId = (await seedOrg(repos)).id;
      const other = (await seedOrg(repos, 'Other')).id;
      const root = trace(orgId, 0, { runId: 'run-a', threadId: 'th-1', traceGroup: 'g-1' });
      const child = trace(orgId, 2000, { runId: 'run-a', parentTraceId: root.id });
      const tie = trace(orgId, 2000, { runId: 'run-a', parentTraceId: root.id });
      const inheriting = trace(orgId, 3000, { parentTraceId: child.id });
      const elsewhere = trace(orgId, 3500, { runId: 'run-b', parentTraceId: child.id });
      const foreign = trace(other, 1000, { runId: 'run-a', parentTraceId: root.id });
      await repos.traces.insertBatch([elsewhere, inheriting, tie, child, foreign, root]);

      const run = await repos.traces.listByLineage(orgId, 'run', 'run-a');
      expect(run.map((t) => t.id)).toEqual([root.id, ...[child.id, tie.id].sort()]);
      expect((await repos.traces.listByLineage(orgId, 'thread', 'th-1')).map((t) => t.id)).toEqual([root.id]);
      expect((await repos.traces.listByLineage(orgId, 'group', 'g-1')).map((t) => t.id)).toEqual([root.id]);
      expect(await repos.traces.listByLineage(orgId, 'run', 'run-a', 1)).toHaveLength(1);
      expect(await repos.traces.listByLineage(orgId, 'run', 'nope')).toEqual([]);
      // Every org (platform reads): the other org's trace of the same run id too.
      const everyOrg = await repos.traces.listByLineage(null, 'run', 'run-a');
      expect(everyOrg.map((t) => t.id)).toEqual([root.id, foreign.id, ...[child.id, tie.id].sort()]);

      const children = await repos.traces.listChildren(orgId, [child.id, root.id]);
      expect(children.map((t) => t.id).sort()).toEqual([child.id, tie.id, inheriting.id, elsewhere.id].sort());
      const inheritors = await repos.traces.listChildren(orgId, [child.id], 'run');
      expect(inheritors.map((t) => t.id)).toEqual([inheriting.id]);

      const found = await repos.traces.findSummaries(orgId, [root.id, foreign.id, newId('trace')]);
      expect(found.map((t) => t.id)).toEqual([root.id]);
      expect(found[0]).not.toHaveProperty('requestBody');
    });
  });

  describe('retention', () => {
    it('deletes only traces older than the cutoff, one short statement per batch', async () => {
      const orgId = (await seedOrg(repos)).id;
      const old = Array.from({ length: 1234 }, (_, i) => trace(orgId, -10 * 24 * 3600_000 + i));
      const recent = Array.from({ length: 50 }, (_, i) => trace(orgId, i));
      await repos.traces.insertBatch([...old, ...recent]);
      const counter = new DeleteCounter();
      const counted = createTracesRepository(test.database.db.withPlugin(counter), test.database.capabilities);

      const deleted = await counted.deleteOlderThan(at(-24 * 3600_000), { batchSize: 100 });
      expect(deleted).toBe(1234);
      // 12 full batches, then a short one ends the loop; each batch is two short statements (batch usage, then traces).
      expect(counter.deletes).toBe(26);
      expect(await repos.traces.findById(old[0]!.id)).toBeUndefined();
      expect((await repos.traces.listByOrg(orgId, { limit: 1000 })).map((t) => t.id).sort()).toEqual(recent.map((t) => t.id).sort());
      expect(await counted.deleteOlderThan(at(-24 * 3600_000), { batchSize: 100 })).toBe(0);
    });

    it('stops between batches when asked to', async () => {
      const orgId = (await seedOrg(repos)).id;
      await repos.traces.insertBatch(Array.from({ length: 30 }, (_, i) => trace(orgId, -20 * 24 * 3600_000 + i)));
      let batches = 0;
      const deleted = await repos.traces.deleteOlderThan(at(-24 * 3600_000), { batchSize: 10, shouldStop: () => batches++ >= 1 });
      expect(deleted).toBe(10);
      expect(await repos.traces.listByOrg(orgId)).toHaveLength(20);
    });
  });
});
