import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, startFakeUpstream, TEST_DIALECTS, type FakeUpstream, type TestDatabase } from '@navplane/testing';
import { adminApiCaller, repoPath, startServe, type ServeProcess } from '../testing/cli-process.fixture';

jest.setTimeout(90_000);

const ADMIN_TOKEN = 'bootstrap-admin-token-for-tests-0123';

// docs/admin-api.md: a mutation takes effect on every gateway instance within 1 s. Here the gateway and the
// admin API are separate OS processes sharing only the database (the split deployment).
describe.each(TEST_DIALECTS)('kill switch across processes on %s', (dialect) => {
  let testDb: TestDatabase;
  let upstream: FakeUpstream;
  let cwd: string;
  const processes: ServeProcess[] = [];

  beforeAll(async () => {
    testDb = await createTestDatabase(dialect);
    upstream = await startFakeUpstream({ record: false });
    cwd = await mkdtemp(join(tmpdir(), 'navplane-killswitch-'));
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop('SIGKILL')));
    await upstream.close();
    await testDb.drop();
    await rm(cwd, { recursive: true, force: true });
  });

  it('a gateway process refuses an org within 1 s of the admin API switching it off, and serves it again once on', async () => {
    const env = {
      NAVPLANE_DATABASE_URL: testDb.url,
      NAVPLANE_MASTER_KEY: randomBytes(32).toString('base64'),
      NAVPLANE_ADMIN_TOKEN: ADMIN_TOKEN,
      NAVPLANE_OPENAI_BASE_URL: upstream.url,
      NAVPLANE_ANTHROPIC_BASE_URL: upstream.url,
    };
    const admin = await startServe([], { cwd, env, expect: ['admin'], entry: repoPath('apps/admin-api/dist/main.js') });
    processes.push(admin);
    const gateway = await startServe([], { cwd, env, expect: ['gateway'], entry: repoPath('apps/gateway/dist/main.js') });
    processes.push(gateway);

    const call = adminApiCaller(() => admin, ADMIN_TOKEN);
    const { id: orgId } = await call<{ id: string }>('POST', '/admin/orgs', { name: 'acme' });
    await call('PUT', `/admin/orgs/${orgId}/provider-keys/openai`, { key: 'sk-test-killswitch-0123456789' });
    const { key } = await call<{ key: string }>('POST', `/admin/orgs/${orgId}/keys`, { name: 'app' });

    const proxy = async () => {
      const res = await fetch(`${gateway.urls['gateway']}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
      });
      const body = (await res.json()) as { error?: { code: string } };
      return { status: res.status, code: body.error?.code };
    };
    // The key and provider key created by the admin process work on the gateway process.
    expect(await proxy()).toEqual({ status: 200, code: undefined });

    await call('PUT', `/admin/orgs/${orgId}/enabled`, { enabled: false });
    const switchedOff = Date.now();
    let refusedAfter: number | undefined;
    while (Date.now() - switchedOff < 3000) {
      const result = await proxy();
      if (result.status === 403) {
        expect(result.code).toBe('org_disabled');
        refusedAfter = Date.now() - switchedOff;
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(refusedAfter).toBeDefined();
    expect(refusedAfter).toBeLessThan(1000);
    // And it stays refused.
    expect(await proxy()).toEqual({ status: 403, code: 'org_disabled' });

    await call('PUT', `/admin/orgs/${orgId}/enabled`, { enabled: true });
    const switchedOn = Date.now();
    let servedAfter: number | undefined;
    while (Date.now() - switchedOn < 3000) {
      if ((await proxy()).status === 200) {
        servedAfter = Date.now() - switchedOn;
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(servedAfter).toBeLessThan(1000);

    // The gateway measured the feed's lag and exposes it.
    const metrics = await (await fetch(`${gateway.urls['gateway']}/metrics`)).text();
    expect(metrics).toMatch(/navplane_change_feed_lag_ms_count\{topic="org.changed"\} [1-9]/);
  });
});
