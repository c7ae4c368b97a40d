import { expect } from '@jest/globals';
import { newId, toIso } from '@navplane/core';
import { createRepositories, type NewTrace } from '@navplane/storage';
import { TEST_DIALECTS } from '@navplane/testing';
import { createCliSandbox, type CliSandbox } from '../testing/cli-sandbox.fixture';
import { recordProxiedSession, type ProxiedSession } from '../testing/proxied-session.fixture';
import type { OrgReport, ReportNumbers } from './report.command';

jest.setTimeout(60_000);

/** What `report --format json` prints (the command's own types: the test checks the values). */
interface ReportJson {
  schemaVersion: number;
  from: string;
  to: string;
  totals: ReportNumbers;
  orgs: OrgReport[];
}

describe.each(TEST_DIALECTS)('navplane report on a proxied session (%s)', (dialect) => {
  let session: ProxiedSession;
  beforeAll(async () => {
    session = await recordProxiedSession(dialect);
  });
  afterAll(async () => {
    await session?.cleanup();
  });

  it('reports requests, tokens, cost, errors, top models and keys for the last 24 h by default', async () => {
    const before = Date.now();
    const doc = await session.sandbox.json<ReportJson>(['report', '--format', 'json']);
    expect(doc.schemaVersion).toBe(1);
    expect(Date.parse(doc.to)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(doc.to) - Date.parse(doc.from)).toBe(24 * 3600 * 1000);
    expect(doc.orgs).toHaveLength(1);
    const [org] = doc.orgs;
    expect(org).toMatchObject({ orgId: session.orgId, orgName: 'Session Org', requests: 5, errors: 2, errorRate: 0.4 });
    expect(org?.tokensIn).toBeGreaterThan(0);
    expect(org?.tokensOut).toBeGreaterThan(0);
    // The reset request (upstream gone mid-request) may have been billed: its cost is unknown, so the total is too.
    expect(org).toMatchObject({ costUsd: null, costUnknownRequests: 1, costStatus: 'partial' });
    expect(org?.pricedCostUsd).toBeGreaterThan(0);
    expect(org?.avgLatencyMs).toBeGreaterThan(0);
    expect(doc.totals).toEqual({
      requests: 5,
      batchRequests: 0,
      errors: 2,
      tokensIn: org?.tokensIn,
      tokensOut: org?.tokensOut,
      costUsd: null,
      pricedCostUsd: org?.pricedCostUsd,
      costUnknownRequests: 1,
      costStatus: 'partial',
    });
    // Most requests first, then provider/model: stable on both dialects.
    expect(org?.topModels.map((m) => [m.provider, m.model, m.requests])).toEqual([
      ['openai', 'gpt-4o', 2],
      ['openai', 'gpt-4o-mini', 2],
      ['anthropic', 'claude-sonnet-4-20250514', 1],
    ]);
    expect(org?.topKeys).toEqual([
      expect.objectContaining({
        keyId: session.keyId,
        keyName: 'session',
        requests: 5,
        errors: 2,
        displayPrefix: expect.stringMatching(/^np_/),
      }),
    ]);
    expect(org?.errorClasses).toEqual([
      { errorClass: 'upstream_500', count: 1 },
      { errorClass: 'upstream_unreachable', count: 1 },
    ]);
    expect(JSON.stringify(doc)).not.toContain(session.key);
  });

  it('groups by the tags the gateway stored (X-NavPlane-Tags) and by provider', async () => {
    const doc = await session.sandbox.json<ReportJson>(['report', '--group-by', 'provider,tag', '--format', 'json']);
    const [org] = doc.orgs;
    expect(org?.byTag?.map((row) => [row.tag, row.requests, row.errors])).toEqual([
      [null, 3, 1],
      ['team:search', 2, 1],
      ['v2', 2, 1],
    ]);
    expect(org?.byProvider?.map((row) => [row.provider, row.requests])).toEqual([
      ['openai', 4],
      ['anthropic', 1],
    ]);
  });

  it('honours --from/--to, --org and --top, and prints a table by default', async () => {
    const empty = await session.sandbox.json<ReportJson>(['report', '--from', '2020-01-01', '--to', '2020-01-02', '--format', 'json']);
    expect(empty.from).toBe('2020-01-01T00:00:00.000Z');
    expect(empty.orgs[0]).toMatchObject({ requests: 0, costUsd: 0, costUnknownRequests: 0, topModels: [], topKeys: [], errorClasses: [] });

    const one = await session.sandbox.json<ReportJson>([
      'report',
      '--org',
      session.orgId,
      '--from',
      '1h',
      '--top',
      '1',
      '--format',
      'json',
    ]);
    expect(one.orgs[0]?.topModels).toHaveLength(1);

    const table = await session.sandbox.run(['report']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(session.orgId);
    expect(table.stdout).toMatch(/gpt-4o-mini/);
    expect(table.stdout).not.toContain(session.key);
  });

  it('fails clearly on an unknown org (exit 1) and on a bad time (exit 2)', async () => {
    const unknown = await session.sandbox.run(['report', '--org', 'org_nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('navplane: no org org_nope\n');
    const bad = await session.sandbox.run(['report', '--from', 'yesterday-ish']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^navplane: --from: /);
    const inverted = await session.sandbox.run(['report', '--from', '1h', '--to', '2h']);
    expect(inverted.code).toBe(2);
  });
});

describe.each(TEST_DIALECTS)('navplane report and debug on stored traces (%s)', (dialect) => {
  let sandbox: CliSandbox;
  let orgId: string;
  const base = Date.UTC(2026, 10, 23, 10);
  const trace = (offsetMs: number, fields: Partial<NewTrace>): NewTrace => ({
    id: newId('trace', base + offsetMs),
    orgId,
    provider: 'openai',
    model: 'gpt-4o',
    route: '/v1/chat/completions',
    method: 'POST',
    status: 200,
    requestId: newId('request'),
    startedAt: toIso(base + offsetMs),
    latencyMs: 10,
    costStatus: 'exact',
    costUsd: 0,
    stream: true,
    ...fields,
  });
  const stored: Record<string, NewTrace> = {};

  beforeAll(async () => {
    sandbox = await createCliSandbox(dialect);
    const repos = createRepositories(sandbox.testDb.database);
    orgId = newId('org');
    await repos.orgs.create({ id: orgId, name: 'Costs', createdAt: toIso(base) });
    Object.assign(stored, {
      priced: trace(0, { tokensIn: 10, tokensOut: 5, costUsd: 0.00125, costStatus: 'estimated', tags: ['team:a', 'job/nightly'] }),
      // A model the price table does not know: its cost is unknown, never $0.
      unpriced: trace(1000, {
        model: 'my-finetune',
        provider: 'vllm',
        tokensIn: 7,
        tokensOut: 3,
        costUsd: null,
        costStatus: 'unknown',
        tags: ['team:a'],
      }),
      // The upstream broke off a started stream: a failed request although the status was 200.
      cut: trace(2000, { errorClass: 'upstream_aborted', upstreamFailure: 'upstream_aborted', costUsd: null, costStatus: 'unknown' }),
      // The client hung up before any answer: not a failed request.
      left: trace(3000, { status: 0, errorClass: 'client_aborted', upstreamFailure: 'client_aborted' }),
    });
    await repos.traces.insertBatch(Object.values(stored));
  });
  afterAll(async () => {
    await sandbox?.cleanup();
  });

  const window = ['--from', '2026-11-23', '--to', '2026-11-24'];

  it("shows an unpriced model's cost as unknown (null), never $0, and says how many requests were unpriced", async () => {
    const doc = await sandbox.json<ReportJson>(['report', ...window, '--format', 'json']);
    const models = doc.orgs[0]?.topModels.map((m) => [
      m.model,
      m.requests,
      m.costUsd,
      m.pricedCostUsd,
      m.costUnknownRequests,
      m.costStatus,
    ]);
    expect(models).toEqual([
      ['gpt-4o', 3, null, 0.00125, 1, 'partial'],
      ['my-finetune', 1, null, 0, 1, 'unknown'],
    ]);
    expect(doc.totals).toEqual({
      requests: 4,
      batchRequests: 0,
      errors: 1,
      tokensIn: 17,
      tokensOut: 8,
      costUsd: null,
      pricedCostUsd: 0.00125,
      costUnknownRequests: 2,
      costStatus: 'partial',
    });

    const table = await sandbox.run(['report', ...window]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/my-finetune\s+1\s+7\s+3\s+unknown\s+1/);
    expect(table.stdout).toMatch(/gpt-4o\s+3\s+10\s+5\s+>= \$0\.001250\s+1/);
    expect(table.stdout).toContain('cost >= $0.001250, 2 unpriced request(s)');
    expect(table.stdout).not.toContain('$0.000000');
  });

  it('groups each org by tag (a request under each of its tags, untagged apart) and by provider with --group-by', async () => {
    const doc = await sandbox.json<ReportJson>(['report', ...window, '--group-by', 'tag,provider', '--format', 'json']);
    const [org] = doc.orgs;
    expect(org?.byTag?.map((row) => [row.tag, row.requests, row.errors, row.tokensIn, row.costUsd, row.costUnknownRequests])).toEqual([
      ['team:a', 2, 0, 17, null, 1],
      [null, 2, 1, 0, null, 1],
      ['job/nightly', 1, 0, 10, 0.00125, 0],
    ]);
    expect(org?.byProvider?.map((row) => [row.provider, row.requests, row.tokensIn])).toEqual([
      ['openai', 3, 10],
      ['vllm', 1, 7],
    ]);
    // The org's own numbers still count each request once.
    expect(org).toMatchObject({ requests: 4, tokensIn: 17 });

    const plain = await sandbox.json<ReportJson>(['report', ...window, '--format', 'json']);
    expect(plain.orgs[0]).not.toHaveProperty('byTag');
    expect(plain.orgs[0]).not.toHaveProperty('byProvider');

    const table = await sandbox.run(['report', ...window, '--group-by', 'tag']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('by tag (a request counts under each of its tags)');
    expect(table.stdout).toMatch(/team:a\s+2\s+0\s+17\s+8\s+>= \$0\.001250\s+1/);
    expect(table.stdout).toMatch(/\(untagged\)\s+2\s+1/);

    const bad = await sandbox.run(['report', '--group-by', 'tag,workspace']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('navplane: --group-by takes tag, provider (comma-separated), not workspace\n');
  });

  it('counts and lists failed requests by the one definition the admin API uses', async () => {
    const doc = await sandbox.json<ReportJson>(['report', ...window, '--format', 'json']);
    expect(doc.orgs[0]).toMatchObject({ requests: 4, errors: 1, errorRate: 0.25 });
    expect(doc.orgs[0]?.errorClasses).toEqual([{ errorClass: 'upstream_aborted', count: 1 }]);
    const debug = await sandbox.json<{ count: number; failures: Array<{ traceId: string }> }>([
      'debug',
      '--since',
      '2026-11-23',
      '--format',
      'json',
    ]);
    expect(debug.failures.map((f) => f.traceId)).toEqual([stored['cut']?.id]);
  });
});
