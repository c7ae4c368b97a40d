import { expect } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJsonAs, TEST_DIALECTS, TEST_REDIS_URL } from '@navplane/testing';
import { runCli } from '../testing/cli-process.fixture';
import { createCliSandbox, newMasterKey, type CliSandbox } from '../testing/cli-sandbox.fixture';

jest.setTimeout(60_000);

interface DoctorJson {
  schemaVersion: number;
  ok: boolean;
  summary: { ok: number; warn: number; fail: number; skip: number };
  checks: Array<{ name: string; status: string; message: string; fix: string | null }>;
}

const CHECK_NAMES = ['config', 'database', 'migrations', 'master-key', 'vault', 'routes', 'limits', 'admin-auth', 'node-env', 'traces'];
const statusOf = (doc: DoctorJson, name: string) => doc.checks.find((c) => c.name === name)?.status;

async function metricsServer(body: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.url === '/metrics') res.end(body);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe.each(TEST_DIALECTS)('navplane doctor on %s', (dialect) => {
  let sandbox: CliSandbox;
  beforeAll(async () => {
    sandbox = await createCliSandbox(dialect, { NAVPLANE_GATEWAY_PORT: '1' });
  });
  afterAll(async () => {
    await sandbox?.cleanup();
  });

  it('passes on a migrated database with a master key, warning about posture, in one pass', async () => {
    const run = await sandbox.run(['doctor', '--format', 'json']);
    expect(run.code).toBe(0);
    const doc = parseJsonAs<DoctorJson>(run.stdout);
    expect(doc.schemaVersion).toBe(1);
    expect(doc.ok).toBe(true);
    expect(doc.checks.map((c) => c.name)).toEqual(CHECK_NAMES);
    expect(Object.fromEntries(doc.checks.map((c) => [c.name, c.status]))).toEqual({
      config: 'ok',
      database: 'ok',
      migrations: 'ok',
      'master-key': 'ok',
      vault: 'ok',
      routes: 'ok',
      // Postgres (several instances) without NAVPLANE_REDIS_URL: limits are counted per process.
      limits: dialect === 'postgres' ? 'warn' : 'ok',
      'admin-auth': 'warn',
      'node-env': 'warn',
      traces: 'skip',
    });
    expect(doc.checks.find((c) => c.name === 'admin-auth')?.fix).toMatch(/admin-token create/);
    expect(doc.summary).toEqual(dialect === 'postgres' ? { ok: 6, warn: 3, fail: 0, skip: 1 } : { ok: 7, warn: 2, fail: 0, skip: 1 });

    const table = await sandbox.run(['doctor']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toBe(
      "settings checked: this shell's (its environment and config file), which may differ from a running gateway's; only `traces` asks a gateway",
    );
    expect(table.stdout).toMatch(/^ok {4}config/m);
    expect(table.stdout).toMatch(/^WARN {2}node-env/m);
    expect(table.stdout).toMatch(/→ set NODE_ENV=production/);
  });

  it('lists every provider of the registry with its upstream, warning about one reached over plain http', async () => {
    const run = await sandbox.run(['doctor', '--format', 'json'], {
      env: {
        NAVPLANE_OPENAI_BASE_URL: 'https://llm-proxy.example.com/openai',
        NAVPLANE_ANTHROPIC_BASE_URL: 'http://anthropic.internal.example',
        NAVPLANE_GEMINI_BASE_URL: 'https://gemini-proxy.example.com',
        NAVPLANE_MISTRAL_BASE_URL: 'https://mistral.proxy.example/eu',
      },
    });
    const routes = parseJsonAs<DoctorJson>(run.stdout).checks.find((c) => c.name === 'routes');
    expect(routes).toMatchObject({
      status: 'warn',
      message:
        'openai → https://llm-proxy.example.com/openai, anthropic → http://anthropic.internal.example, gemini → https://gemini-proxy.example.com, mistral → https://mistral.proxy.example/eu; anthropic over plain http',
    });
  });

  it('warns about operator-defined providers over plain http or at a private address, never failing for them', async () => {
    const config = join(sandbox.cwd, 'doctor-providers.yaml');
    await writeFile(
      config,
      [
        'providers:',
        '  - { id: vllm, baseUrl: "http://127.0.0.1:8000", auth: bearer }',
        '  - { id: lan, baseUrl: "https://192.168.1.20/llm", auth: bearer }',
        '  - { id: groq, baseUrl: "https://api.groq.com/openai", auth: bearer }',
      ].join('\n'),
    );
    const run = await sandbox.run(['doctor', '--format', 'json'], { env: { NAVPLANE_CONFIG: config } });
    const routes = parseJsonAs<DoctorJson>(run.stdout).checks.find((c) => c.name === 'routes');
    expect(routes).toMatchObject({
      status: 'warn',
      message: expect.stringMatching(/; operator-defined vllm \(http, private address\), lan \(private address\)$/),
      fix: expect.stringContaining('trusted as given'),
    });
    expect(routes?.message).not.toContain('groq (');
  });

  it('fails (exit 1) when the master key cannot open the stored provider keys', async () => {
    const orgId = (await sandbox.json<{ id: string }>(['org', 'create', 'Doc', '--format', 'json'])).id;
    await sandbox.json(['provider-key', 'set', 'openai', '--org', orgId, '--format', 'json'], { stdin: 'sk-doctor-test-12345678' });
    const run = await sandbox.run(['doctor', '--format', 'json'], {
      env: { NAVPLANE_MASTER_KEY: newMasterKey(), NODE_ENV: 'production', NAVPLANE_ADMIN_TOKEN: 'bootstrap-token-0123456789' },
    });
    expect(run.code).toBe(1);
    const doc = parseJsonAs<DoctorJson>(run.stdout);
    expect(statusOf(doc, 'vault')).toBe('fail');
    expect(statusOf(doc, 'node-env')).toBe('ok');
    expect(doc.ok).toBe(false);
    expect(run.stderr).toBe('navplane: 1 check(s) failed\n');
    expect(run.stdout).not.toContain('bootstrap-token-0123456789');
  });

  it('reads trace drop counters from a reachable gateway', async () => {
    const { url, server } = await metricsServer(
      'navplane_traces_dropped{reason="queue_full"} 3\nnavplane_traces_dropped{reason="write_failed"} 0\nnavplane_traces_dropped{reason="shutdown"} 0\nnavplane_trace_queue_depth 7\n',
    );
    try {
      const doc = await sandbox.json<DoctorJson>(['doctor', '--gateway-url', url, '--format', 'json']);
      expect(doc.checks.find((c) => c.name === 'traces')).toMatchObject({
        status: 'warn',
        message: expect.stringMatching(/^3 trace\(s\) dropped .*queue_full: 3.*queue depth 7/),
        fix: expect.stringMatching(/NAVPLANE_TRACE_QUEUE_SIZE/),
      });
    } finally {
      server.close();
    }
  });
});

describe('navplane doctor failures', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'navplane-doctor-'));
  });
  afterAll(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it('reports a missing database without creating it, and exits 1', async () => {
    const run = await runCli(['doctor', '--format', 'json'], { cwd });
    expect(run.code).toBe(1);
    const doc = parseJsonAs<DoctorJson>(run.stdout);
    expect(doc.checks.find((c) => c.name === 'database')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('navplane migrate'),
    });
    expect(statusOf(doc, 'migrations')).toBe('skip');
    expect(statusOf(doc, 'master-key')).toBe('warn');
    await expect(import('node:fs/promises').then((fs) => fs.stat(join(cwd, 'data')))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('reports invalid configuration as one failed check without echoing secrets', async () => {
    const run = await runCli(['doctor', '--format', 'json'], {
      cwd,
      env: { NAVPLANE_GATEWAY_PORT: 'x', NAVPLANE_MASTER_KEY: 'CANARY-not-base64' },
    });
    expect(run.code).toBe(1);
    const doc = parseJsonAs<DoctorJson>(run.stdout);
    expect(doc.checks).toHaveLength(1);
    expect(doc.checks[0]).toMatchObject({ name: 'config', status: 'fail', message: expect.stringMatching(/NAVPLANE_GATEWAY_PORT/) });
    expect(run.stdout + run.stderr).not.toContain('CANARY');
  });

  it('checks Redis when NAVPLANE_REDIS_URL is set: unreachable fails without printing its password', async () => {
    const run = await runCli(['doctor', '--format', 'json'], { cwd, env: { NAVPLANE_REDIS_URL: 'redis://:r3dispw@127.0.0.1:1' } });
    expect(run.code).toBe(1);
    const doc = parseJsonAs<DoctorJson>(run.stdout);
    expect(doc.checks.find((c) => c.name === 'limits')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/^Redis unreachable at redis:\/\/:\*\*\*@127\.0\.0\.1:1: ECONNREFUSED; meanwhile each gateway counts/),
      fix: expect.stringContaining('NAVPLANE_REDIS_URL'),
    });
    expect(run.stdout + run.stderr).not.toContain('r3dispw');
  });

  (TEST_REDIS_URL === undefined ? it.skip : it)('checks Redis when NAVPLANE_REDIS_URL is set: reachable is ok', async () => {
    const run = await runCli(['doctor', '--format', 'json'], { cwd, env: { NAVPLANE_REDIS_URL: TEST_REDIS_URL ?? '' } });
    const doc = parseJsonAs<DoctorJson>(run.stdout);
    expect(doc.checks.find((c) => c.name === 'limits')).toMatchObject({
      status: 'ok',
      message: expect.stringMatching(/^Redis reachable at /),
    });
  });

  it('fails on an unreachable Postgres without printing its password', async () => {
    const run = await runCli(['doctor'], { cwd, env: { NAVPLANE_DATABASE_URL: 'postgres://navplane:s3cretpw@127.0.0.1:1/none' } });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAIL {2}database +database unreachable: ECONNREFUSED/m);
    expect(run.stdout + run.stderr).not.toContain('s3cretpw');
  });
});
