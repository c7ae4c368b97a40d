import { newId } from '@navplane/core';
import { createRepositories, type NewTrace, type Repositories } from '@navplane/storage';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@navplane/testing';
import { collectUsageTraces } from './collect-usage-traces';

describe.each(TEST_DIALECTS)('collectUsageTraces (%s)', (dialect) => {
  let testDb: TestDatabase;
  let repos: Repositories;
  const orgId = newId('org');
  const start = Date.UTC(2026, 10, 1);
  const minute = 60_000;

  beforeAll(async () => {
    testDb = await createTestDatabase(dialect);
    repos = createRepositories(testDb.database);
    await repos.orgs.create({ id: orgId, name: 'bulk', createdAt: new Date(start).toISOString() });
    // 2500 traces one minute apart: more than two pages of the listing.
    const traces = Array.from({ length: 2500 }, (_, i): NewTrace => ({
      id: newId('trace', start + i * minute),
      orgId,
      provider: 'openai',
      route: '/v1/chat/completions',
      method: 'POST',
      status: 200,
      requestId: `req-${i}`,
      startedAt: new Date(start + i * minute).toISOString(),
      latencyMs: 1,
      costStatus: 'unknown',
      stream: false,
    }));
    await repos.traces.insertBatch(traces);
  });
  afterAll(() => testDb.drop());

  const at = (i: number) => new Date(start + i * minute).toISOString();

  it('pages through the listing and keeps exactly [from, to)', async () => {
    const collected = await collectUsageTraces(repos.traces, orgId, at(100), at(2400));
    if (!collected.ok) throw new Error('expected ok');
    expect(collected.traces).toHaveLength(2300);
    expect(collected.traces.at(-1)?.startedAt).toBe(at(100));
    expect(collected.traces[0]?.startedAt).toBe(at(2399));
  });

  it('refuses once more rows than allowed were read', async () => {
    expect(await collectUsageTraces(repos.traces, orgId, at(0), at(2500), 1500)).toEqual({ ok: false, reason: 'too_many' });
  });
});
