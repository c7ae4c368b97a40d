import { newId } from '@navplane/core';
import { sql } from 'kysely';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '../testing';
import { createRepositories, type Repositories } from './create-repositories';
import { at, seedOrg } from './seed.fixture';
import type { NewTrace } from './traces.repository';

const HOUR = 3600_000;

describe.each(TEST_DIALECTS)('trace tags on %s', (dialect) => {
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
    model: 'gpt-4o-mini',
    route: '/v1/chat/completions',
    method: 'POST',
    status: 200,
    requestId: newId('request'),
    startedAt: at(offsetMs),
    latencyMs: 100,
    tokensIn: 10,
    tokensOut: 1,
    costUsd: 0.5,
    costStatus: 'estimated',
    stream: false,
    ...overrides,
  });

  const tagRowsOf = async (traceId: string) =>
    (await test.database.db.selectFrom('trace_tags').select('tag').where('trace_id', '=', traceId).orderBy('tag').execute()).map(
      (row) => row.tag,
    );

  it('stores the tags with the trace (in the order sent) and shows them in every read; none: an empty list', async () => {
    const org = await seedOrg(repos);
    const tagged = trace(org.id, 0, { tags: ['team:search', 'feature/summarize', 'v1.2'] });
    const plain = trace(org.id, 1);
    await repos.traces.insertBatch([tagged, plain]);

    expect((await repos.traces.findById(tagged.id))?.tags).toEqual(['team:search', 'feature/summarize', 'v1.2']);
    expect((await repos.traces.findById(plain.id))?.tags).toEqual([]);
    const listed = await repos.traces.listByOrg(org.id);
    expect(listed.map((t) => [t.id, t.tags])).toEqual([
      [plain.id, []],
      [tagged.id, ['team:search', 'feature/summarize', 'v1.2']],
    ]);
    expect(await tagRowsOf(tagged.id)).toEqual(['feature/summarize', 'team:search', 'v1.2']);
    expect(await tagRowsOf(plain.id)).toEqual([]);
  });

  it('a retried batch writes neither a trace nor a tag twice', async () => {
    const org = await seedOrg(repos);
    const batch = [trace(org.id, 0, { tags: ['a', 'b'] }), trace(org.id, 1, { tags: ['a'] })];
    await repos.traces.insertBatch(batch);
    await repos.traces.insertBatch(batch);
    const rows = await repos.traces.aggregate({ orgId: org.id, groupBy: ['tag'] });
    expect(rows.map((row) => [row.group[0], row.requests])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
  });

  it('writes a trace and its tags in one transaction: a batch that fails leaves neither', async () => {
    const org = await seedOrg(repos);
    const good = trace(org.id, 0, { tags: ['kept-out'] });
    // The traces' INSERT succeeds; the tags' INSERT after it fails (a null tag breaks NOT NULL): the traces roll back.
    const bad = trace(org.id, 1, { tags: [null as unknown as string] });
    await expect(repos.traces.insertBatch([good, bad])).rejects.toThrow();
    expect(await repos.traces.findById(good.id)).toBeUndefined();
    expect(await repos.traces.findById(bad.id)).toBeUndefined();
    expect(await tagRowsOf(good.id)).toEqual([]);
  });

  it('groups usage by tag over a period: a request counts once under each of its tags, untagged in the null group', async () => {
    const org = await seedOrg(repos);
    const other = await seedOrg(repos, 'Other');
    await repos.traces.insertBatch([
      trace(org.id, 0, { tags: ['alpha', 'beta'], tokensIn: 100, costUsd: 1 }),
      trace(org.id, HOUR, { tags: ['alpha'], tokensIn: 10, costUsd: null, costStatus: 'unknown' }),
      trace(org.id, 2 * HOUR, { tokensIn: 5, costUsd: 0.25, provider: 'anthropic', status: 500 }),
      // Outside the range, and another org's traffic under the same tag: neither counts.
      trace(org.id, 30 * HOUR, { tags: ['alpha'], tokensIn: 1000 }),
      trace(other.id, HOUR, { tags: ['alpha'], tokensIn: 7000 }),
    ]);
    const range = { from: at(0), to: at(24 * HOUR) };
    const byTag = await repos.traces.aggregate({ orgId: org.id, groupBy: ['tag'], ...range });
    expect(
      byTag.map((row) => [row.group[0], row.requests, row.tokensIn, row.pricedCostUsd, row.unknownCostRequests, row.failedRequests]),
    ).toEqual([
      ['alpha', 2, 110, 1, 1, 0],
      ['beta', 1, 100, 1, 0, 0],
      [null, 1, 5, 0.25, 0, 1],
    ]);
    // Totals over the tags exceed the org's: the two-tag request is in two groups.
    const [total] = await repos.traces.aggregate({ orgId: org.id, groupBy: [], ...range });
    expect(total?.requests).toBe(3);
    expect(byTag.reduce((sum, row) => sum + row.requests, 0)).toBe(4);

    // With other keys, and across orgs (the CLI), and failures only.
    const byProviderTag = await repos.traces.aggregate({ orgId: org.id, groupBy: ['provider', 'tag'], ...range });
    expect(byProviderTag.map((row) => [...row.group, row.requests])).toEqual([
      ['anthropic', null, 1],
      ['openai', 'alpha', 2],
      ['openai', 'beta', 1],
    ]);
    const everyOrg = await repos.traces.aggregate({ orgId: null, groupBy: ['org', 'tag'], ...range });
    expect(everyOrg.filter((row) => row.group[1] === 'alpha').map((row) => [row.group[0], row.tokensIn])).toEqual(
      [
        [org.id, 110],
        [other.id, 7000],
      ].sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1)),
    );
    const failed = await repos.traces.aggregate({ orgId: org.id, groupBy: ['tag'], failedOnly: true, ...range });
    expect(failed.map((row) => [row.group[0], row.requests])).toEqual([[null, 1]]);
  });

  it('counts Batch API results under the tags of the request that fetched them', async () => {
    const org = await seedOrg(repos);
    const result = (customId: string) => ({
      customId,
      model: 'claude-haiku-4-5',
      tokensIn: 100,
      tokensOut: 10,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: 0.001,
      costStatus: 'estimated' as const,
    });
    await repos.traces.insertBatch([
      trace(org.id, 0, {
        provider: 'anthropic',
        costUsd: 0,
        costStatus: 'exact',
        tokensIn: null,
        tokensOut: null,
        tags: ['batch-job'],
        batchUsage: { sourceId: 'msgbatch_1', results: [result('a'), result('b')] },
      }),
    ]);
    const byTag = await repos.traces.aggregate({ orgId: org.id, groupBy: ['tag'] });
    expect(byTag.map((row) => [row.group[0], row.requests, row.batchRequests, row.tokensIn])).toEqual([['batch-job', 3, 2, 200]]);
  });

  it('deletes the tags with their trace (retention)', async () => {
    const org = await seedOrg(repos);
    const old = trace(org.id, -48 * HOUR, { tags: ['old'] });
    const recent = trace(org.id, 0, { tags: ['recent'] });
    await repos.traces.insertBatch([old, recent]);
    await repos.traces.deleteOlderThan(at(-24 * HOUR), { batchSize: 1 });
    expect(await tagRowsOf(old.id)).toEqual([]);
    expect(await tagRowsOf(recent.id)).toEqual(['recent']);
    const orphans = await sql<{ n: number }>`select count(*) as n from trace_tags where trace_id not in (select id from traces)`.execute(
      test.database.db,
    );
    expect(Number(orphans.rows[0]?.n)).toBe(0);
  });
});
