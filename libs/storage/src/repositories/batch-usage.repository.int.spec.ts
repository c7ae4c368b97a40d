import { newId } from '@navplane/core';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '../testing';
import type { BatchResultUsageRecord } from './batch-usage.repository';
import { createRepositories, type Repositories } from './create-repositories';
import { at, seedOrg } from './seed.fixture';
import type { NewTrace } from './traces.repository';

const DAY = 24 * 3600_000;

const result = (customId: string, model: string | null, tokensIn: number, costUsd: number | null): BatchResultUsageRecord => ({
  customId,
  model,
  tokensIn,
  tokensOut: 10,
  cacheReadTokens: 1,
  cacheWriteTokens: 2,
  costUsd,
  costStatus: costUsd === null ? 'unknown' : 'estimated',
});

describe.each(TEST_DIALECTS)('batch usage on %s', (dialect) => {
  let test: TestDatabase;
  let repos: Repositories;

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    repos = createRepositories(test.database);
  });
  afterAll(() => test.drop());

  const fetchTrace = (orgId: string, offsetMs: number, overrides: Partial<NewTrace> = {}): NewTrace => ({
    id: newId('trace', Date.UTC(2026, 10, 23, 10) + offsetMs),
    orgId,
    keyId: 'key_batch',
    provider: 'anthropic',
    route: '/v1/messages/batches/msgbatch_1/results',
    method: 'GET',
    status: 200,
    requestId: newId('request'),
    startedAt: at(offsetMs),
    latencyMs: 40,
    costUsd: 0,
    costStatus: 'exact',
    stream: false,
    ...overrides,
  });

  it('adds each result once to usage, by its own model, however often its batch is fetched', async () => {
    const orgId = (await seedOrg(repos)).id;
    const results = [result('a', 'claude-haiku-4-5', 100, 0.001), result('b', 'claude-sonnet-4-6', 200, 0.003), result('c', 'x', 5, null)];
    await repos.traces.insertBatch([fetchTrace(orgId, 0, { batchUsage: { sourceId: 'msgbatch_1', results } })]);
    // Fetched again the next day (and one more result is there now), and once by a retried write of the same batch.
    const again = fetchTrace(orgId, DAY, {
      batchUsage: { sourceId: 'msgbatch_1', results: [...results, result('d', 'claude-haiku-4-5', 50, 0.0005)] },
    });
    await repos.traces.insertBatch([again]);
    await repos.traces.insertBatch([again]);

    const byModel = await repos.traces.aggregate({ orgId, groupBy: ['model'] });
    expect(
      byModel.map((row) => [row.group[0], row.requests, row.batchRequests, row.tokensIn, row.pricedCostUsd, row.unknownCostRequests]),
    ).toEqual([
      ['claude-haiku-4-5', 2, 2, 150, 0.0015, 0],
      ['claude-sonnet-4-6', 1, 1, 200, 0.003, 0],
      ['x', 1, 1, 5, 0, 1],
      [null, 2, 0, 0, 0, 0], // the two fetches
    ]);

    // Dated by the fetch that first recorded them; never failed requests; grouped by key and provider too.
    const byDay = await repos.traces.aggregate({ orgId, groupBy: ['day'] });
    expect(byDay.map((row) => [row.group[0], row.requests, row.batchRequests])).toEqual([
      ['2026-11-23', 4, 3],
      ['2026-11-24', 2, 1],
    ]);
    expect(await repos.traces.aggregate({ orgId, groupBy: ['provider', 'key'] })).toEqual([
      expect.objectContaining({ group: ['anthropic', 'key_batch'], requests: 6, batchRequests: 4, tokensIn: 355, latencyMsSum: 80 }),
    ]);
    expect(await repos.traces.aggregate({ orgId, groupBy: ['errorClass'] })).toEqual([
      expect.objectContaining({ group: [null], requests: 6, batchRequests: 4, failedRequests: 0 }),
    ]);
    expect(await repos.traces.aggregate({ orgId, groupBy: ['model'], failedOnly: true })).toEqual([]);
    expect(await repos.traces.aggregate({ orgId, groupBy: [], from: at(DAY) })).toEqual([
      expect.objectContaining({ group: [], requests: 2, batchRequests: 1, tokensIn: 50 }),
    ]);
  });

  it('keeps orgs, providers and sources apart: the same custom_id elsewhere is another result', async () => {
    const orgA = (await seedOrg(repos, 'A')).id;
    const orgB = (await seedOrg(repos, 'B')).id;
    const one = [result('same', 'm', 10, 0.1)];
    await repos.traces.insertBatch([
      fetchTrace(orgA, 0, { batchUsage: { sourceId: 's1', results: one } }),
      fetchTrace(orgA, 1, { batchUsage: { sourceId: 's2', results: one } }),
      fetchTrace(orgA, 2, { provider: 'openai', batchUsage: { sourceId: 's1', results: one } }),
      fetchTrace(orgB, 3, { batchUsage: { sourceId: 's1', results: one } }),
    ]);
    const rows = await repos.traces.aggregate({ orgId: null, groupBy: ['org', 'model'] });
    const ofModel = rows.filter((row) => row.group[1] === 'm').map((row) => [row.group[0], row.batchRequests]);
    expect(ofModel).toEqual(
      [
        [orgA, 3],
        [orgB, 1],
      ].sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1)),
    );
  });

  it('is deleted by retention with the traces, by the time it was fetched', async () => {
    const orgId = (await seedOrg(repos, 'R')).id;
    const many = Array.from({ length: 250 }, (_, i) => result(`r${i}`, 'm', 1, 0.01));
    await repos.traces.insertBatch([
      fetchTrace(orgId, -10 * DAY, { batchUsage: { sourceId: 'old', results: many } }),
      fetchTrace(orgId, 0, { batchUsage: { sourceId: 'new', results: many.slice(0, 3) } }),
    ]);
    expect(await repos.traces.deleteOlderThan(at(-DAY), { batchSize: 100 })).toBe(251);
    const left = await repos.traces.aggregate({ orgId, groupBy: [] });
    expect(left).toEqual([expect.objectContaining({ requests: 4, batchRequests: 3 })]);
  });
});
