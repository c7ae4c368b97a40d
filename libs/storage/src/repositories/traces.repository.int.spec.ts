import { newId } from '@navplane/core';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '../testing';
import { createRepositories, type Repositories } from './create-repositories';
import { at, seedOrg } from './seed.fixture';
import { createTracesRepository, TRACE_SUMMARY_COLUMNS, type NewTrace } from './traces.repository';

/** Counts the INSERT statements Kysely sends. */
/** Counts the statements a repository executes (the batch insert runs a cached statement text, so it is counted
 * where results come back, not where queries are built). Only inserts run through it in these tests. */
class InsertCounter implements KyselyPlugin {
  inserts = 0;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }
  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    this.inserts += 1;
    return Promise.resolve(args.result);
  }
}

describe.each(TEST_DIALECTS)('TracesRepository on %s', (dialect) => {
  let test: TestDatabase;
  let repos: Repositories;

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    repos = createRepositories(test.database);
  });
  afterAll(() => test.drop());

  const trace = (orgId: string, startedOffsetMs: number, overrides: Partial<NewTrace> = {}): NewTrace => ({
    id: newId('trace', Date.UTC(2026, 10, 23, 10) + startedOffsetMs),
    orgId,
    provider: 'openai',
    route: '/openai/v1/chat/completions',
    method: 'POST',
    status: 200,
    requestId: newId('request'),
    startedAt: at(startedOffsetMs),
    latencyMs: 812.25,
    costStatus: 'unknown',
    stream: false,
    ...overrides,
  });

  it('round-trips every field, nulls for what was left out, bodies only by id', async () => {
    const org = await seedOrg(repos);
    const full: NewTrace = trace(org.id, 0, {
      workspaceId: newId('workspace'),
      keyId: newId('gatewayKey'),
      model: 'gpt-4o-mini',
      ttfbMs: 120.5,
      overheadMs: 0.375,
      tokensIn: 1200,
      tokensOut: 345,
      cacheReadTokens: 1000,
      cacheWriteTokens: 0,
      costUsd: 0.000123456789,
      costStatus: 'estimated',
      errorClass: null,
      upstreamFailure: null,
      traceGroup: 'grp-1',
      threadId: 'thr-1',
      runId: 'run-1',
      parentTraceId: newId('trace'),
      policyDecisions: [{ detector: 'email', field: 'messages[0].content', action: 'redact' }],
      routeName: 'smart',
      otelTraceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      attempts: [
        { provider: 'openai', model: 'gpt-4.1', key: 'default', status: null, failure: 'connection_refused', latencyMs: 1.5, backoffMs: 0 },
        { provider: 'azure-openai', model: 'gpt-4.1', key: 'eu', status: 200, failure: null, latencyMs: 310.25, backoffMs: 0 },
      ],
      requestBody: '{"model":"gpt-4o-mini"}',
      responseBody: 'data: {"x":1}\n\n',
      tags: ['team:search', 'v2'],
      stream: true,
    });
    const sparse = trace(org.id, 1);
    await repos.traces.insertBatch([full, sparse]);

    expect(await repos.traces.findById(full.id)).toEqual(full);
    expect(await repos.traces.findById(sparse.id)).toEqual({
      ...sparse,
      workspaceId: null,
      keyId: null,
      model: null,
      ttfbMs: null,
      overheadMs: null,
      tokensIn: null,
      tokensOut: null,
      cacheReadTokens: null,
      cacheWriteTokens: null,
      costUsd: null,
      errorClass: null,
      upstreamFailure: null,
      traceGroup: null,
      threadId: null,
      runId: null,
      parentTraceId: null,
      policyDecisions: null,
      routeName: null,
      attempts: null,
      otelTraceId: null,
      tags: [],
      requestBody: null,
      responseBody: null,
    });
    const listed = await repos.traces.listByOrg(org.id);
    expect(listed.map((t) => t.id)).toEqual([sparse.id, full.id]);
    expect(listed[1]).not.toHaveProperty('requestBody');
    expect(listed[1]).not.toHaveProperty('responseBody');
    expect(listed[1]?.stream).toBe(true);
    expect(await repos.traces.findById(newId('trace'))).toBeUndefined();
  });

  it('writes a batch with one multi-row INSERT', async () => {
    const org = await seedOrg(repos);
    const counter = new InsertCounter();
    const counted = createTracesRepository(test.database.db.withPlugin(counter), test.database.capabilities);
    await counted.insertBatch(Array.from({ length: 250 }, (_, i) => trace(org.id, i)));
    expect(counter.inserts).toBe(1);
    expect(await repos.traces.listByOrg(org.id, { limit: 1000 })).toHaveLength(250);
    await counted.insertBatch([]);
    expect(counter.inserts).toBe(1);
  });

  it('splits a batch only past the bind-parameter limit', async () => {
    const org = await seedOrg(repos);
    const counter = new InsertCounter();
    const columns = TRACE_SUMMARY_COLUMNS.length + 2; // the summary columns and both bodies
    const tight = { ...test.database.capabilities, maxBindParameters: 3 * columns + 1 }; // 3 rows per statement
    const counted = createTracesRepository(test.database.db.withPlugin(counter), tight);
    await counted.insertBatch(Array.from({ length: 7 }, (_, i) => trace(org.id, i)));
    expect(counter.inserts).toBe(3);
    expect(await repos.traces.listByOrg(org.id)).toHaveLength(7);
  });

  it('finds traces by OpenTelemetry trace id, newest first, across orgs', async () => {
    const org = await seedOrg(repos);
    const other = await seedOrg(repos, 'Other');
    const otelTraceId = dialect === 'sqlite' ? '0af7651916cd43dd8448eb211c80319c' : '1af7651916cd43dd8448eb211c80319c';
    const early = trace(org.id, 1000, { otelTraceId });
    const late = trace(other.id, 5000, { otelTraceId });
    await repos.traces.insertBatch([early, late, trace(org.id, 3000)]);
    expect(await repos.traces.findIdsByOtelTraceId(otelTraceId, 10)).toEqual([late.id, early.id]);
    expect(await repos.traces.findIdsByOtelTraceId(otelTraceId, 1)).toEqual([late.id]);
    expect(await repos.traces.findIdsByOtelTraceId('ffffffffffffffffffffffffffffffff', 10)).toEqual([]);
  });

  it('finds traces by X-Request-Id since a time, newest first, across orgs', async () => {
    const org = await seedOrg(repos);
    const other = await seedOrg(repos, 'Other');
    const requestId = `req-lookup-${dialect}`;
    const early = trace(org.id, 1000, { requestId });
    const late = trace(other.id, 5000, { requestId });
    await repos.traces.insertBatch([early, late, trace(org.id, 3000)]);
    expect(await repos.traces.findIdsByRequestId(requestId, at(0), 10)).toEqual([late.id, early.id]);
    expect(await repos.traces.findIdsByRequestId(requestId, at(2000), 10)).toEqual([late.id]);
    expect(await repos.traces.findIdsByRequestId(requestId, at(0), 1)).toEqual([late.id]);
    expect(await repos.traces.findIdsByRequestId('req-unknown', at(0), 10)).toEqual([]);
  });

  it('pages newest first with a trace-id cursor, ties broken by id, scoped to the org', async () => {
    const org = await seedOrg(repos);
    const other = await seedOrg(repos, 'Other');
    const [t0, t1, t2, t3, t4] = Array.from({ length: 5 }, (_, i) => trace(org.id, i * 1000).id);
    const tie = trace(org.id, 2000); // same started_at as t2: the id breaks the tie
    const ids = [t0, t1, t2, t3, t4].map(String);
    await repos.traces.insertBatch([...ids.map((id, i) => trace(org.id, i * 1000, { id })), tie, trace(other.id, 10_000)]);
    const expected = [t4, t3, ...[String(t2), tie.id].sort().reverse(), t1, t0];

    const seen: string[] = [];
    let before: string | undefined;
    for (;;) {
      const page = await repos.traces.listByOrg(org.id, { limit: 2, before });
      if (page.length === 0) break;
      seen.push(...page.map((t) => t.id));
      before = page.at(-1)?.id;
    }
    expect(seen).toEqual(expected);

    const foreignCursor = (await repos.traces.listByOrg(other.id))[0]?.id;
    expect(await repos.traces.listByOrg(org.id, { before: foreignCursor })).toEqual([]);
    expect(await repos.traces.listByOrg(org.id, { before: 'trc_unknown' })).toEqual([]);
    expect(await repos.traces.listByOrg(org.id, { limit: 0 })).toHaveLength(1);
  });
});
