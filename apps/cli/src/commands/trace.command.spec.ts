import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { newId } from '@navplane/core';
import { createRepositories, type NewTrace } from '@navplane/storage';
import { TEST_DIALECTS } from '@navplane/testing';
import { canonicalSha256 } from '../canonical-json';
import { createCliSandbox, type CliSandbox } from '../testing/cli-sandbox.fixture';
import { recordProxiedSession, SESSION_LINEAGE, SESSION_TAGS, type ProxiedSession } from '../testing/proxied-session.fixture';

jest.setTimeout(60_000);

interface TraceJson {
  id: string;
  orgId: string;
  keyId: string;
  provider: string;
  model: string | null;
  status: number;
  errorClass: string | null;
  upstreamFailure: string | null;
  parentTraceId: string | null;
  traceGroup: string | null;
  startedAt: string;
  tokensIn: number | null;
  requestBody: string | null;
}

describe.each(TEST_DIALECTS)('navplane trace on a proxied session (%s)', (dialect) => {
  let session: ProxiedSession;
  beforeAll(async () => {
    session = await recordProxiedSession(dialect);
  });
  afterAll(async () => {
    await session?.cleanup();
  });

  it('shows one trace with every field, offline', async () => {
    const { trace } = await session.sandbox.json<{ schemaVersion: number; trace: TraceJson }>([
      'trace',
      'show',
      session.traces.child,
      '--format',
      'json',
    ]);
    expect(trace).toMatchObject({
      id: session.traces.child,
      orgId: session.orgId,
      keyId: session.keyId,
      provider: 'openai',
      model: 'gpt-4o',
      status: 200,
      errorClass: null,
      parentTraceId: session.traces.first,
      traceGroup: SESSION_LINEAGE.group,
      tags: [...SESSION_TAGS],
    });
    expect(trace.tokensIn).toBeGreaterThan(0);
    const table = await session.sandbox.run(['trace', 'show', session.traces.failed]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/errorClass\s+upstream_500/);
    expect(table.stdout).toMatch(/tags\s+team:search,v2\n/);
  });

  it('exits 1 with one line for an unknown trace', async () => {
    const run = await session.sandbox.run(['trace', 'show', 'trc_nope']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('navplane: no trace trc_nope\n');
  });

  it('orders a chain by started_at then id with parents before children', async () => {
    const doc = await session.sandbox.json<{ by: string; id: string; count: number; traces: Array<TraceJson & { depth: number }> }>([
      'trace',
      'chain',
      '--group',
      SESSION_LINEAGE.group,
      '--format',
      'json',
    ]);
    expect(doc).toMatchObject({ by: 'group', id: SESSION_LINEAGE.group, count: 4 });
    const { first, child, anthropic, failed } = session.traces;
    expect(doc.traces.map((t) => t.id)).toEqual([first, child, anthropic, failed]);
    expect(doc.traces.map((t) => t.depth)).toEqual([0, 1, 1, 2]);
    // The reset request carried no lineage.
    const byThread = await session.sandbox.json<{ traces: unknown[] }>([
      'trace',
      'chain',
      '--thread',
      SESSION_LINEAGE.thread,
      '--format',
      'json',
    ]);
    expect(byThread.traces).toHaveLength(4);
    const table = await session.sandbox.run(['trace', 'chain', '--run', SESSION_LINEAGE.run]);
    expect(table.stdout).toContain(`    ${failed}`);
  });

  it('refuses a chain without exactly one lineage option (usage error, exit 2)', async () => {
    const none = await session.sandbox.run(['trace', 'chain']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^navplane: give exactly one of --group, --thread or --run\n$/);
    const two = await session.sandbox.run(['trace', 'chain', '--group', 'a', '--run', 'b']);
    expect(two.code).toBe(2);
  });

  it('diffs two traces field by field', async () => {
    const doc = await session.sandbox.json<{
      a: string;
      b: string;
      identical: boolean;
      differences: Array<{ field: string; a: unknown; b: unknown; delta?: number }>;
    }>(['trace', 'diff', session.traces.child, session.traces.failed, '--format', 'json']);
    expect(doc.identical).toBe(false);
    const fields = Object.fromEntries(doc.differences.map((d) => [d.field, d]));
    expect(fields['status']).toEqual({ field: 'status', a: 200, b: 500, delta: 300 });
    expect(fields['errorClass']).toEqual({ field: 'errorClass', a: null, b: 'upstream_500' });
    expect(fields['parentTraceId']).toMatchObject({ a: session.traces.first, b: session.traces.child });
    expect(fields['provider']).toBeUndefined();
    const same = await session.sandbox.json<{ identical: boolean }>([
      'trace',
      'diff',
      session.traces.child,
      session.traces.child,
      '--format',
      'json',
    ]);
    expect(same.identical).toBe(true);
  });

  it('exports a reproducible bundle with a manifest, the chain and the masked configuration', async () => {
    const out = join(session.sandbox.cwd, 'bundle.json');
    const run = await session.sandbox.run(['trace', 'export', session.traces.failed, '--out', out]);
    expect(run.code).toBe(0);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    const bundle = JSON.parse(await readFile(out, 'utf8')) as {
      manifest: {
        kind: string;
        schemaVersion: number;
        generator: { name: string; version: string };
        createdAt: string;
        traceId: string;
        contentSha256: string;
      };
      content: {
        trace: TraceJson;
        chain: { by: string; traces: Array<{ id: string }> };
        config: Array<{ variable: string; value: unknown }>;
      };
    };
    expect(bundle.manifest).toMatchObject({
      kind: 'navplane.trace-bundle',
      schemaVersion: 1,
      generator: { name: 'navplane', version: '0.1.0' },
      traceId: session.traces.failed,
    });
    expect(Date.parse(bundle.manifest.createdAt)).not.toBeNaN();
    expect(bundle.manifest.contentSha256).toBe(canonicalSha256(bundle.content));
    expect(run.stdout).toContain(bundle.manifest.contentSha256);
    expect(bundle.content.trace.id).toBe(session.traces.failed);
    expect(bundle.content.chain.by).toBe('group');
    expect(bundle.content.chain.traces.map((t) => t.id)).toContain(session.traces.first);
    const master = bundle.content.config.find((s) => s.variable === 'NAVPLANE_MASTER_KEY');
    expect(master?.value).toBe('set');
    const text = await readFile(out, 'utf8');
    const masterKey = session.sandbox.env['NAVPLANE_MASTER_KEY'];
    if (masterKey === undefined) throw new Error('the sandbox sets NAVPLANE_MASTER_KEY');
    expect(text).not.toContain(masterKey);
    expect(text).not.toContain(session.key);

    // Same data, same content digest (only createdAt differs between exports).
    const again = await session.sandbox.run(['trace', 'export', session.traces.failed, '--out', '-']);
    const second = JSON.parse(again.stdout) as typeof bundle;
    expect(second.manifest.contentSha256).toBe(bundle.manifest.contentSha256);
  });

  it('never prints the NavPlane key or a provider key from any trace command', async () => {
    const runs = await Promise.all([
      session.sandbox.run(['trace', 'show', session.traces.first, '--format', 'json']),
      session.sandbox.run(['trace', 'show', session.traces.anthropic]),
      session.sandbox.run(['trace', 'chain', '--group', SESSION_LINEAGE.group, '--format', 'json']),
      session.sandbox.run(['trace', 'export', session.traces.first, '--out', '-']),
    ]);
    for (const run of runs) {
      const all = run.stdout + run.stderr;
      expect(all).not.toContain(session.key);
      expect(all).not.toMatch(/sk-(ant-)?session/);
    }
    // During set-up: provider keys never printed, the NavPlane key once (by `key create`).
    expect(session.cliOutput).not.toMatch(/sk-(ant-)?session/);
    expect(session.cliOutput.split(session.key)).toHaveLength(2);
  });
});

describe('navplane trace chain ordering (seeded)', () => {
  let sandbox: CliSandbox;
  beforeAll(async () => {
    sandbox = await createCliSandbox('sqlite');
    const repos = createRepositories(sandbox.testDb.database);
    const base = {
      orgId: 'org_seed',
      provider: 'openai',
      route: '/v1/chat/completions',
      method: 'POST',
      status: 200,
      requestId: 'req',
      latencyMs: 1,
      costStatus: 'unknown' as const,
      stream: false,
      traceGroup: 'g1',
    };
    const t = (id: string, startedAt: string, parentTraceId: string | null): NewTrace => ({ ...base, id, startedAt, parentTraceId });
    await repos.orgs.create({ id: 'org_seed', name: 'Seed', createdAt: '2026-01-01T00:00:00.000Z' });
    await repos.traces.insertBatch([
      // A child whose clock ran behind its parent's must still come after it.
      t('trc_c', '2026-01-01T00:00:01.000Z', 'trc_b'),
      t('trc_b', '2026-01-01T00:00:02.000Z', 'trc_a'),
      t('trc_a', '2026-01-01T00:00:03.000Z', null),
      // Same start: ordered by id.
      t('trc_e', '2026-01-01T00:00:00.000Z', null),
      t('trc_d', '2026-01-01T00:00:00.000Z', null),
      // A parent outside the chain: a root.
      t('trc_f', '2026-01-01T00:00:04.000Z', 'trc_elsewhere'),
    ]);
  });
  afterAll(async () => {
    await sandbox?.cleanup();
  });

  it('is deterministic: started_at then id, parents first', async () => {
    const doc = await sandbox.json<{ traces: Array<{ id: string; depth: number }> }>([
      'trace',
      'chain',
      '--group',
      'g1',
      '--format',
      'json',
    ]);
    expect(doc.traces.map((t) => [t.id, t.depth])).toEqual([
      ['trc_d', 0],
      ['trc_e', 0],
      ['trc_a', 0],
      ['trc_b', 1],
      ['trc_c', 2],
      ['trc_f', 0],
    ]);
    const empty = await sandbox.json<{ traces: unknown[]; count: number }>(['trace', 'chain', '--group', 'none', '--format', 'json']);
    expect(empty).toMatchObject({ traces: [], count: 0 });
  });

  it('shows a trace by its X-Request-Id within --since: the newest of those sharing it, saying how many others do', async () => {
    const repos = createRepositories(sandbox.testDb.database);
    const seeded = (ms: number): NewTrace => ({
      id: newId('trace', ms),
      orgId: 'org_seed',
      provider: 'openai',
      route: '/v1/chat/completions',
      method: 'POST',
      status: 200,
      requestId: 'req-shared',
      startedAt: new Date(ms).toISOString(),
      latencyMs: 1,
      costStatus: 'unknown',
      stream: false,
    });
    const older = seeded(Date.UTC(2026, 0, 2));
    const newer = seeded(Date.UTC(2026, 0, 3));
    await repos.traces.insertBatch([older, newer]);
    const run = await sandbox.run(['trace', 'show', 'req-shared', '--since', '2025-12-01', '--format', 'json']);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { trace: { id: string; requestId: string } }).trace).toMatchObject({
      id: newer.id,
      requestId: 'req-shared',
    });
    expect(run.stderr).toBe('navplane: 1 older trace(s) carry the same request id; showing the newest\n');
    // The default look-back (7 days) does not reach these January traces.
    const old = await sandbox.run(['trace', 'show', 'req-shared']);
    expect(old.code).toBe(1);
    expect(old.stderr).toMatch(/^navplane: no trace req-shared: no trace id, nor a request id seen since \S+ \(--since\)\n$/);
  });

  it('shows a trace by its OpenTelemetry trace id (docs/observability.md), whatever its age', async () => {
    const repos = createRepositories(sandbox.testDb.database);
    const otelTraceId = '0af7651916cd43dd8448eb211c80319c';
    const traced: NewTrace = {
      id: newId('trace', Date.UTC(2025, 5, 1)),
      orgId: 'org_seed',
      provider: 'anthropic',
      route: '/v1/messages',
      method: 'POST',
      status: 200,
      requestId: 'req-otel',
      startedAt: new Date(Date.UTC(2025, 5, 1)).toISOString(),
      latencyMs: 1,
      costStatus: 'unknown',
      stream: false,
      otelTraceId,
    };
    await repos.traces.insertBatch([traced]);
    for (const id of [otelTraceId, otelTraceId.toUpperCase()]) {
      const run = await sandbox.run(['trace', 'show', id, '--format', 'json']);
      expect(run.code).toBe(0);
      expect((JSON.parse(run.stdout) as { trace: { id: string; otelTraceId: string } }).trace).toMatchObject({
        id: traced.id,
        otelTraceId,
      });
    }
    const missing = await sandbox.run(['trace', 'show', 'ffffffffffffffffffffffffffffffff']);
    expect(missing.code).toBe(1);
  });

  it('diff compares stored bodies by size and digest only', async () => {
    const repos = createRepositories(sandbox.testDb.database);
    // Real trace ids: lookups by id refuse anything that is not one (`trc_…` with a time-sortable body).
    const [x1, x2] = [newId('trace'), newId('trace')];
    const body = '{"messages":[{"content":"[EMAIL:1a2b3c4d] says hi"}]}';
    await repos.traces.insertBatch([
      {
        orgId: 'org_seed',
        provider: 'openai',
        route: '/v1/x',
        method: 'POST',
        status: 200,
        requestId: 'r',
        latencyMs: 1,
        costStatus: 'unknown',
        stream: false,
        id: x1,
        startedAt: '2026-01-02T00:00:00.000Z',
        requestBody: body,
      },
      {
        orgId: 'org_seed',
        provider: 'openai',
        route: '/v1/x',
        method: 'POST',
        status: 200,
        requestId: 'r',
        latencyMs: 1,
        costStatus: 'unknown',
        stream: false,
        id: x2,
        startedAt: '2026-01-02T00:00:00.000Z',
        requestBody: null,
      },
    ]);
    const run = await sandbox.run(['trace', 'diff', x1, x2, '--format', 'json']);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('says hi');
    const doc = JSON.parse(run.stdout) as { differences: Array<{ field: string; a: unknown; b: unknown }> };
    expect(doc.differences).toEqual([
      { field: 'requestBody', a: { bytes: Buffer.byteLength(body), sha256: createHash('sha256').update(body).digest('hex') }, b: null },
    ]);
  });
});
