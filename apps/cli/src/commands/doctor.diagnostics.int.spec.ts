import { expect } from '@jest/globals';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createAdminServer } from '@navplane/admin-api';
import { loadConfig } from '@navplane/config';
import { createGatewayServer } from '@navplane/gateway';
import type { DiagnosticsReport, RunningProcess } from '@navplane/runtime';
import { createLogger } from '@navplane/telemetry';
import { parseJsonAs, routeTable, sampleRoute, startFakeUpstream, TEST_DIALECTS, type FakeUpstream } from '@navplane/testing';
import { createCliSandbox, type CliSandbox } from '../testing/cli-sandbox.fixture';

jest.setTimeout(90_000);

const ADMIN_TOKEN = 'bootstrap-admin-token-diagnostics-0123';
const OPENAI_KEY = 'sk-test-diagnostics-openai-0123456789';
const MISTRAL_KEY = 'mistral-test-diagnostics-0123456789';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Every field path of a JSON document (arrays: their first item's), to compare two documents' field names. */
function fieldsOf(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.length === 0 ? [`${path}[]`] : fieldsOf(value[0], `${path}[]`);
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value)
      .flatMap(([key, field]) => fieldsOf(field, path === '' ? key : `${path}.${key}`))
      .sort();
  }
  return [path];
}

interface DoctorJson {
  ok: boolean;
  checks: Array<{ name: string; status: string; message: string; fix: string | null }>;
  diagnostics?: DiagnosticsReport | null;
}

// `navplane serve` composed in this process (gateway and admin API on one runtime, as serve.command.ts does), so
// GET /admin/diagnostics reports the gateway's figures; `doctor --admin-url` shows the same report.
describe.each(TEST_DIALECTS)('diagnostics of a serve process, through the admin API and doctor (%s)', (dialect) => {
  let sandbox: CliSandbox;
  let upstream: FakeUpstream;
  let serve: RunningProcess;
  let gatewayUrl: string;
  let adminUrl: string;
  let orgId: string;
  let proxyKey: string;
  let orgAdminKey: string;

  const admin = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${adminUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${text}`);
    return (text === '' ? {} : JSON.parse(text)) as T;
  };
  const diagnostics = async (): Promise<{ report: DiagnosticsReport; text: string }> => {
    const res = await fetch(`${adminUrl}/admin/diagnostics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    return { report: parseJsonAs<DiagnosticsReport>(text), text };
  };
  const chat = async (model: string) => {
    const res = await fetch(`${gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${proxyKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });
    await res.arrayBuffer();
    return { status: res.status, upstream: res.headers.get('x-navplane-upstream') };
  };

  beforeAll(async () => {
    sandbox = await createCliSandbox(dialect);
    upstream = await startFakeUpstream({ record: false });
    const loaded = loadConfig({
      ...sandbox.env,
      NAVPLANE_ADMIN_TOKEN: ADMIN_TOKEN,
      NAVPLANE_GATEWAY_PORT: '0',
      NAVPLANE_ADMIN_PORT: '0',
      NAVPLANE_OPENAI_BASE_URL: upstream.url,
      NAVPLANE_MISTRAL_BASE_URL: `http://127.0.0.1:${await closedPort()}`,
      NAVPLANE_CHANGE_FEED_POLL_MS: '50',
      // One refused connection opens a breaker, for long enough to see it.
      NAVPLANE_BREAKER_FAILURES: '1',
      NAVPLANE_BREAKER_COOLDOWN_MS: '600000',
      // A queue of two traces that waits a minute before writing: the third trace is dropped (queue_full).
      NAVPLANE_TRACE_QUEUE_SIZE: '2',
      NAVPLANE_TRACE_BATCH_SIZE: '2',
      NAVPLANE_TRACE_FLUSH_MS: '60000',
    });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
    // Loaded lazily, as serve.command.ts does.
    const { createRuntime, runServers } = await import('@navplane/runtime');
    const runtime = await createRuntime(loaded.value, {
      logger: createLogger({ level: 'error', stream: new PassThrough().resume() }),
      masterKeyFile: join(sandbox.cwd, 'master.key'),
    });
    serve = await runServers(runtime, [await createGatewayServer(runtime), await createAdminServer(runtime)], { handleSignals: false });
    gatewayUrl = serve.servers['gateway']?.url ?? '';
    adminUrl = serve.servers['admin']?.url ?? '';

    orgId = (await admin<{ id: string }>('POST', '/admin/orgs', { name: 'diag' })).id;
    await admin('PUT', `/admin/orgs/${orgId}/provider-keys/openai`, { key: OPENAI_KEY });
    await admin('PUT', `/admin/orgs/${orgId}/provider-keys/mistral`, { key: MISTRAL_KEY });
    proxyKey = (await admin<{ key: string }>('POST', `/admin/orgs/${orgId}/keys`, { name: 'app' })).key;
    orgAdminKey = (await admin<{ key: string }>('POST', `/admin/orgs/${orgId}/keys`, { name: 'ops', scopes: ['admin'] })).key;
    // A fallback route (libs/testing's sample shape) whose first target refuses connections.
    const route = sampleRoute({
      model: 'smart',
      targets: [
        { provider: 'mistral', model: 'mistral-large-latest' },
        { provider: 'openai', model: 'gpt-4.1' },
      ],
    });
    await admin('PUT', `/admin/orgs/${orgId}/routes`, routeTable(route).input);
  });
  afterAll(async () => {
    await serve?.shutdown('test done');
    await upstream?.close();
    await sandbox?.cleanup();
  });

  it('reports the gateway of the process, and its figures move: an open breaker, queued and dropped traces', async () => {
    const before = (await diagnostics()).report;
    expect(before.process.apps).toEqual(['gateway', 'admin']);
    expect(before.process.scope).toContain("read each one's /metrics");
    expect(before.gateway?.traces).toMatchObject({ sink: 'database', queueDepth: 0, queueCapacity: 2, pressure: 0, droppedTotal: 0 });
    expect(before.gateway?.circuitBreakers).toEqual({ total: 0, open: 0, halfOpen: 0, closed: 0, breakers: [], truncated: false });
    expect(before.gateway?.websockets).toEqual({ open: 0 });

    // The route's first target refuses the connection: the request falls back to OpenAI and the breaker opens.
    expect(await chat('smart')).toEqual({ status: 200, upstream: 'openai/gpt-4.1' });
    const routed = (await diagnostics()).report.gateway;
    expect(routed?.circuitBreakers).toMatchObject({ total: 1, open: 1, halfOpen: 0, closed: 0, truncated: false });
    expect(routed?.circuitBreakers.breakers).toEqual([
      {
        orgId,
        provider: 'mistral',
        baseUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        model: 'mistral-large-latest',
        keyName: 'default',
        state: 'open',
        failures: 1,
        openedAt: expect.any(String),
        probeAt: expect.any(String),
      },
    ]);
    expect(routed?.traces).toMatchObject({ queueDepth: 1, pressure: 0.5, enqueued: 1, droppedTotal: 0 });
    expect(routed?.upstreamPools.pools).toBeGreaterThanOrEqual(1);
    expect(routed?.upstreamPools.byOrigin.map((pool) => pool.origin)).toContain(upstream.url);

    // The breaker skips Mistral now; the queue fills (2 of 2) and the next trace is dropped.
    expect(await chat('smart')).toEqual({ status: 200, upstream: 'openai/gpt-4.1' });
    expect(await chat('gpt-4o-mini')).toMatchObject({ status: 200 });
    const full = (await diagnostics()).report.gateway;
    expect(full?.traces).toMatchObject({
      queueDepth: 2,
      queueCapacity: 2,
      pressure: 1,
      highWaterMark: 2,
      enqueued: 2,
      written: 0,
      dropped: { queue_full: 1, write_failed: 0, shutdown: 0 },
      droppedTotal: 1,
    });
    expect(full?.circuitBreakers.breakers[0]?.failures).toBe(1);
  });

  it('doctor --admin-url shows the same report under the same field names, and warns about what it says', async () => {
    const { report } = await diagnostics();
    const run = await sandbox.run(['doctor', '--admin-url', adminUrl, '--gateway-url', gatewayUrl, '--format', 'json'], {
      env: { NAVPLANE_ADMIN_TOKEN: ADMIN_TOKEN },
    });
    expect(run.code).toBe(0);
    const doc = parseJsonAs<DoctorJson>(run.stdout);
    expect(doc.diagnostics).toBeDefined();
    expect(fieldsOf(doc.diagnostics)).toEqual(fieldsOf(report));
    expect(doc.diagnostics?.gateway?.traces.dropped).toEqual(report.gateway?.traces.dropped);
    expect(doc.diagnostics?.gateway?.circuitBreakers.breakers).toEqual(report.gateway?.circuitBreakers.breakers);
    expect(doc.diagnostics?.process.pid).toBe(process.pid);
    expect(doc.checks.find((check) => check.name === 'diagnostics')).toEqual({
      name: 'diagnostics',
      status: 'warn',
      message: expect.stringMatching(
        /pid \d+ .*\(gateway and admin, .*\): 1 trace\(s\) dropped \(queue_full: 1\); trace queue 2\/2 full; 1 open and 0 half-open circuit breaker\(s\)$/,
      ),
      fix: expect.stringContaining('docs/runbooks/dropped-traces.md'),
    });
    // The offline checks still run, and the gateway's /metrics agrees with the report.
    expect(doc.checks.map((check) => check.name)).toEqual([
      'config',
      'database',
      'migrations',
      'master-key',
      'vault',
      'routes',
      'limits',
      'admin-auth',
      'node-env',
      'traces',
      'diagnostics',
    ]);
    expect(doc.checks.find((check) => check.name === 'traces')?.message).toMatch(/^1 trace\(s\) dropped .*queue_full: 1/);

    const table = await sandbox.run(['doctor', '--admin-url', adminUrl, '--gateway-url', gatewayUrl], {
      env: { NAVPLANE_ADMIN_TOKEN: ADMIN_TOKEN },
    });
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/asks a gateway, and `diagnostics` the admin API$/);
    expect(table.stdout).toMatch(/^WARN {2}diagnostics {2}/m);
    expect(table.stdout).toMatch(/^ {2}gateway\.traces\.dropped\.queue_full +1$/m);
    expect(table.stdout).toMatch(/^ {2}gateway\.circuitBreakers\.breakers\[0\] +orgId=\S+ provider=mistral .*state=open failures=1 /m);
    expect(table.stdout).toMatch(/^ {2}changeFeed\.lastEventAgeMs +\d+$/m);

    for (const text of [run.stdout, table.stdout, run.stderr, table.stderr]) {
      for (const secret of [ADMIN_TOKEN, OPENAI_KEY, MISTRAL_KEY, proxyKey, orgAdminKey, sandbox.env['NAVPLANE_MASTER_KEY'] ?? 'unset']) {
        expect(text).not.toContain(secret);
      }
    }
  });

  it('doctor takes a stored admin token on stdin, and fails (exit 1) on an org admin key or an unreachable admin API', async () => {
    const stored = await admin<{ token: string }>('POST', '/admin/admin-tokens', { name: 'doctor' });
    const ok = await sandbox.run(['doctor', '--admin-url', adminUrl, '--admin-token-stdin', '--format', 'json'], {
      stdin: `${stored.token}\n`,
    });
    expect(parseJsonAs<DoctorJson>(ok.stdout).diagnostics?.gateway?.traces.droppedTotal).toBe(1);

    const refused = await sandbox.run(['doctor', '--admin-url', adminUrl, '--admin-token-stdin', '--format', 'json'], {
      stdin: orgAdminKey,
    });
    expect(refused.code).toBe(1);
    const doc = parseJsonAs<DoctorJson>(refused.stdout);
    expect(doc.diagnostics).toBeNull();
    expect(doc.checks.find((check) => check.name === 'diagnostics')).toMatchObject({
      status: 'fail',
      message: `${adminUrl} refused the token (403)`,
    });
    expect(refused.stdout).not.toContain(orgAdminKey);

    const away = await sandbox.run(['doctor', '--admin-url', `http://127.0.0.1:${await closedPort()}`, '--format', 'json'], {
      env: { NAVPLANE_ADMIN_TOKEN: ADMIN_TOKEN },
    });
    expect(away.code).toBe(1);
    expect(parseJsonAs<DoctorJson>(away.stdout).checks.find((check) => check.name === 'diagnostics')?.message).toMatch(
      /^no admin API reachable at /,
    );

    const misuse = await sandbox.run(['doctor', '--admin-token-stdin'], { stdin: stored.token });
    expect([misuse.code, misuse.stderr]).toEqual([1, 'navplane: --admin-token-stdin needs --admin-url\n']);
  });
});
