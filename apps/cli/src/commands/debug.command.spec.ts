import { TEST_DIALECTS } from '@navplane/testing';
import { recordProxiedSession, type ProxiedSession } from '../testing/proxied-session.fixture';

jest.setTimeout(60_000);

interface DebugJson {
  schemaVersion: number;
  count: number;
  byErrorClass: Array<{ errorClass: string; count: number }>;
  failures: Array<{
    traceId: string;
    status: number;
    errorClass: string | null;
    upstreamFailure: string | null;
    provider: string;
    route: string;
  }>;
}

describe.each(TEST_DIALECTS)('navplane debug on a proxied session (%s)', (dialect) => {
  let session: ProxiedSession;
  beforeAll(async () => {
    session = await recordProxiedSession(dialect);
  });
  afterAll(async () => {
    await session?.cleanup();
  });

  it('lists the failing requests newest first with error class and upstream failure class', async () => {
    const doc = await session.sandbox.json<DebugJson>(['debug', '--format', 'json']);
    expect(doc.schemaVersion).toBe(1);
    expect(doc.count).toBe(2);
    expect(doc.failures).toEqual([
      expect.objectContaining({
        traceId: session.traces.reset,
        status: 502,
        errorClass: 'upstream_unreachable',
        upstreamFailure: 'connection_reset',
      }),
      expect.objectContaining({
        traceId: session.traces.failed,
        status: 500,
        errorClass: 'upstream_500',
        upstreamFailure: null,
        provider: 'openai',
      }),
    ]);
    expect(doc.byErrorClass).toEqual([
      { errorClass: 'upstream_500', count: 1 },
      { errorClass: 'upstream_unreachable', count: 1 },
    ]);
  });

  it('honours --limit, --org and --since; prints a table by default', async () => {
    const one = await session.sandbox.json<DebugJson>(['debug', '--limit', '1', '--format', 'json']);
    expect(one.failures.map((f) => f.traceId)).toEqual([session.traces.reset]);
    const other = await session.sandbox.json<DebugJson>(['debug', '--org', 'org_other', '--format', 'json']);
    expect(other.count).toBe(0);
    const future = await session.sandbox.json<DebugJson>(['debug', '--since', '2999-01-01', '--format', 'json']);
    expect(future.count).toBe(0);
    const table = await session.sandbox.run(['debug']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/upstream_unreachable\s+connection_reset/);
    const bad = await session.sandbox.run(['debug', '--limit', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('navplane: --limit must be an integer from 1 to 1000\n');
  });
});
