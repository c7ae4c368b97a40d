import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@navplane/testing';
import { repoPath, startServe, type ServeProcess } from '../testing/cli-process.fixture';

jest.setTimeout(60_000);

describe.each(TEST_DIALECTS)('navplane serve on %s', (dialect) => {
  let cwd: string;
  let testDb: TestDatabase | undefined;
  let env: Record<string, string>;
  const running: ServeProcess[] = [];

  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'navplane-serve-'));
    if (dialect === 'postgres') {
      // A fresh, un-migrated database: serve must apply the migrations itself.
      testDb = await createTestDatabase('postgres', { migrate: false });
      env = { NAVPLANE_DATABASE_URL: testDb.url };
    } else {
      env = {};
    }
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.stop('SIGKILL')));
  });

  afterAll(async () => {
    await testDb?.drop();
    await rm(cwd, { recursive: true, force: true });
  });

  it('serves /healthz and /readyz with 200 on both apps, migrations applied, and exits 0 on SIGTERM', async () => {
    const serve = await startServe(['serve'], { cwd, env, expect: ['gateway', 'admin'] });
    running.push(serve);
    for (const url of [serve.urls['gateway'], serve.urls['admin']]) {
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      const ready = await fetch(`${url}/readyz`);
      const body = (await ready.json()) as { status: string; checks: Record<string, { ok: boolean }> };
      expect(ready.status).toBe(200);
      expect(body.status).toBe('ready');
      expect(body.checks['database']?.ok).toBe(true);
      expect(body.checks['migrations']?.ok).toBe(true);
      expect(body.checks['vault']?.ok).toBe(true);
    }
    const notFound = await fetch(`${serve.urls['gateway']}/nope`);
    expect(notFound.status).toBe(404);
    expect(((await notFound.json()) as { error: { code: string } }).error.code).toBe('route_not_found');

    const metrics = await fetch(`${serve.urls['gateway']}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('navplane_');

    expect(await serve.stop('SIGTERM')).toBe(0);
    expect(serve.lines.some((l) => l.includes('shutdown complete'))).toBe(true);
    if (dialect === 'sqlite') {
      expect(await readdir(join(cwd, 'data'))).toEqual(expect.arrayContaining(['navplane.db', 'master.key']));
      expect((await stat(join(cwd, 'data', 'master.key'))).mode & 0o777).toBe(0o600);
    }
  });

  it('says at start-up what a newcomer needs: the database (password masked), upstreams, SDK base URLs, no admin token yet', async () => {
    // Postgres here trusts loopback, so a password in the URL is accepted and ignored: it must never be printed.
    const url = testDb === undefined ? undefined : testDb.url.replace('://postgres@', '://postgres:s3cret-canary@');
    const serve = await startServe(['serve'], {
      cwd,
      env: url === undefined ? env : { NAVPLANE_DATABASE_URL: url },
      expect: ['gateway', 'admin'],
    });
    running.push(serve);
    const deadline = Date.now() + 10_000;
    while (!serve.lines.some((l) => l.includes('no admin token exists yet')) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const text = serve.lines.join('\n');
    expect(text).not.toContain('s3cret-canary');
    expect(text).toContain(dialect === 'postgres' ? 'database: postgres at postgres://postgres:***@127.0.0.1' : 'database: sqlite at ');
    expect(text).toMatch(/provider upstreams: openai https:\/\/api\.openai\.com, anthropic https:\/\/api\.anthropic\.com/);
    const gateway = serve.urls['gateway'] ?? '';
    expect(text).toContain(`OPENAI_BASE_URL=${gateway}/v1`);
    expect(text).toContain(`ANTHROPIC_BASE_URL=${gateway} `);
    expect(text).toContain('no admin token exists yet: the admin API refuses every call until one does');
    expect(await serve.stop('SIGTERM')).toBe(0);
  });

  it('runs one app per process with --only and with the apps’ own main.js', async () => {
    const gatewayOnly = await startServe(['serve', '--only', 'gateway'], { cwd, env, expect: ['gateway'] });
    running.push(gatewayOnly);
    expect(gatewayOnly.urls['admin']).toBeUndefined();
    expect((await fetch(`${gatewayOnly.urls['gateway']}/readyz`)).status).toBe(200);

    const adminMain = await startServe([], { cwd, env, expect: ['admin'], entry: repoPath('apps/admin-api/dist/main.js') });
    running.push(adminMain);
    expect(adminMain.urls['gateway']).toBeUndefined();
    expect((await fetch(`${adminMain.urls['admin']}/readyz`)).status).toBe(200);

    expect(await gatewayOnly.stop('SIGINT')).toBe(0);
    expect(await adminMain.stop('SIGTERM')).toBe(0);
  });
});

describe('navplane serve start-up failures', () => {
  it('refuses to start with one line per configuration problem and exit 1', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'navplane-serve-bad-'));
    try {
      await expect(
        startServe(['serve'], {
          cwd,
          env: { NAVPLANE_GATEWAY_PORT: 'abc', NAVPLANE_LOG_LEVEL: 'loud' },
          expect: ['gateway'],
        }),
      ).rejects.toThrow(/exited with 1.*NAVPLANE_GATEWAY_PORT: .*\n.*NAVPLANE_LOG_LEVEL: /s);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });

  it('refuses to start in production without a master key and creates no key file', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'navplane-serve-prod-'));
    try {
      await expect(startServe(['serve'], { cwd, env: { NODE_ENV: 'production' }, expect: ['gateway'] })).rejects.toThrow(
        /exited with 1.*NAVPLANE_MASTER_KEY/s,
      );
      await expect(stat(join(cwd, 'data', 'master.key'))).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });
});
