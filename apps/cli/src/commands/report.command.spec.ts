import { TEST_DIALECTS } from '@navplane/testing';
import { recordProxiedSession, type ProxiedSession } from '../testing/proxied-session.fixture';

jest.setTimeout(60_000);

interface Totals {
  requests: number;
  errors: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  costUnknownRequests: number;
}

interface ReportJson {
  schemaVersion: number;
  from: string;
  to: string;
  totals: Totals;
  orgs: Array<
    Totals & {
      orgId: string;
      orgName: string | null;
      errorRate: number;
      avgLatencyMs: number | null;
      topModels: Array<Totals & { provider: string; model: string | null }>;
      topKeys: Array<Totals & { keyId: string | null; keyName: string | null; displayPrefix: string | null }>;
      errorClasses: Array<{ errorClass: string; count: number }>;
    }
  >;
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
    expect(org?.costUsd).toBeGreaterThan(0);
    expect(org?.avgLatencyMs).toBeGreaterThan(0);
    expect(doc.totals).toEqual({
      requests: 5,
      errors: 2,
      tokensIn: org?.tokensIn,
      tokensOut: org?.tokensOut,
      costUsd: org?.costUsd,
      costUnknownRequests: org?.costUnknownRequests,
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

  it('honours --from/--to, --org and --top, and prints a table by default', async () => {
    const empty = await session.sandbox.json<ReportJson>(['report', '--from', '2020-01-01', '--to', '2020-01-02', '--format', 'json']);
    expect(empty.from).toBe('2020-01-01T00:00:00.000Z');
    expect(empty.orgs[0]).toMatchObject({ requests: 0, costUsd: 0, topModels: [], topKeys: [], errorClasses: [] });

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
