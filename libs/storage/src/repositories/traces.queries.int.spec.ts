import { newId } from '@navplane/core';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '../testing';
import { createRepositories, type Repositories } from './create-repositories';
import { at, seedOrg } from './seed.fixture';
import { createTracesRepository, type ListTracesOptions, type NewTrace, type TraceSummary } from './traces.repository';

/** Counts the DELETE statements Kysely sends. */
class DeleteCounter implements KyselyPlugin {
  deletes = 0;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (args.node.kind === 'DeleteQueryNode') this.deletes += 1;
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

const MODELS = ['gpt-4o-mini', 'gpt-4o', 'claude-sonnet-4-6', null] as const;
const STATUSES = [200, 200, 200, 201, 302, 400, 404, 429, 500, 503] as const;

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
          }),
        );
      }
      // Another org's traces match every filter but must never show up.
      rows.push(...rows.slice(0, 20).map((row) => ({ ...row, id: newId('trace'), orgId: other })));
      // Out of order on purpose: insertion order must not matter.
      await repos.traces.insertBatch([...rows].reverse());
      all = (await repos.traces.listByOrg(orgId, { limit: 1000 })).sort(newestFirst);
      expect(all).toHaveLength(240);
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
      ['failed', { status: 'failed' }, (t) => t.status >= 400],
      [
        'time range',
        { from: at(30 * 60_000), to: at(90 * 60_000) },
        (t) => t.startedAt >= at(30 * 60_000) && t.startedAt < at(90 * 60_000),
      ],
      [
        'everything at once',
        { model: 'gpt-4o-mini', provider: 'openai', keyId: keys[0], status: 'failed', from: at(0), to: at(200 * 60_000) },
        (t) => t.model === 'gpt-4o-mini' && t.keyId === keys[0] && t.status >= 400,
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

    it('finds nothing for a filter that matches nothing, and nothing through a foreign cursor', async () => {
      expect(await repos.traces.listByOrg(orgId, { model: 'no-such-model' })).toEqual([]);
      expect(await repos.traces.listByOrg(orgId, { before: newId('trace') })).toEqual([]);
    });
  });

  describe('usage', () => {
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

      const byModel = await repos.traces.aggregateUsage(orgId, { groupBy: 'model' });
      expect(byModel).toEqual([
        {
          group: 'gpt-4o',
          requests: 3,
          tokensIn: 151,
          tokensOut: 17,
          cacheReadTokens: 7,
          cacheWriteTokens: 0,
          pricedCostUsd: 0.75,
          unknownCostRequests: 1,
          estimatedCostRequests: 1,
        },
        expect.objectContaining({ group: 'mystery', requests: 1, tokensIn: 0, pricedCostUsd: 0, unknownCostRequests: 1 }),
        expect.objectContaining({ group: null, requests: 1, cacheWriteTokens: 3, unknownCostRequests: 1 }),
      ]);

      const byDay = await repos.traces.aggregateUsage(orgId, { groupBy: 'day' });
      expect(byDay.map((row) => [row.group, row.requests, row.pricedCostUsd, row.unknownCostRequests])).toEqual([
        ['2026-11-23', 2, 0.75, 0],
        ['2026-11-24', 2, 0, 2],
        ['2026-11-25', 1, 0, 1],
      ]);

      const byKey = await repos.traces.aggregateUsage(orgId, { groupBy: 'key', from: at(0), to: at(2 * day) });
      expect(byKey.map((row) => [row.group, row.requests, row.tokensIn])).toEqual(
        [
          [k1, 3, 101],
          [k2, 1, 50],
        ].sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1)),
      );
      expect(await repos.traces.aggregateUsage(orgId, { groupBy: 'model', from: at(3 * day) })).toEqual([]);
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
      expect(counter.deletes).toBe(13); // 12 full batches, then a short one ends the loop
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
