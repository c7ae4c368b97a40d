import { TEST_DIALECTS } from '@navplane/testing';
import { bearer, BOOTSTRAP_TOKEN, startAdminHarness, type AdminHarness } from '../testing/admin-harness.fixture';

const LIMIT = 3;
const WINDOW_MS = 1000;

describe.each(TEST_DIALECTS)('admin API: brute-force throttling of credentials (%s)', (dialect) => {
  let h: AdminHarness;
  beforeAll(async () => {
    // The harness trusts loopback proxies: X-Forwarded-For names the client address.
    h = await startAdminHarness(dialect, {
      env: { NAVPLANE_AUTH_FAILURE_LIMIT: String(LIMIT), NAVPLANE_AUTH_FAILURE_WINDOW_MS: String(WINDOW_MS) },
    });
  });
  afterAll(() => h.close());

  const listOrgs = (from: string, token: string) => h.http().get('/admin/orgs').set(bearer(token)).set('X-Forwarded-For', from);
  const auditsOf = async (ip: string) => {
    const deadline = Date.now() + 2000;
    for (;;) {
      const found = (await h.runtime.repos.auditLog.list({ limit: 1000 })).filter((e) => e.action === 'auth.throttled' && e.ip === ip);
      if (found.length > 0 || Date.now() > deadline) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const sample = async (series: string) => {
    const text = (await h.http().get('/metrics')).text;
    const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
    return line === undefined ? 0 : Number(line.slice(series.length + 1));
  };

  it(`after ${LIMIT} failed tokens or keys, refuses every attempt from the address with 429 until the window passes`, async () => {
    const attacker = '203.0.113.50';
    const failuresBefore = await sample('navplane_auth_failures_total{app="admin"}');
    // A wrong admin token, an unknown org key, an npa_ token that does not exist: each a failure.
    for (const token of ['guess-1', 'np_0000000000000000000000000000000000000000000', 'npa_0000000000000000000000000000000000000000']) {
      const res = await listOrgs(attacker, token);
      expect(res.status).toBe(401);
    }
    const over = await listOrgs(attacker, 'guess-4');
    expect(over.status).toBe(429);
    expect(over.headers['retry-after']).toBe('1');
    expect(over.body).toEqual({
      error: {
        message: 'Too many failed authentications from this address; retry after 1 s',
        type: 'rate_limit_error',
        code: 'rate_limited',
      },
    });
    // The bootstrap token itself is refused from that address now: the answer says nothing about the credential.
    const valid = await listOrgs(attacker, BOOTSTRAP_TOKEN);
    expect(valid.status).toBe(429);
    expect(valid.body).toEqual(over.body);
    // Another address is not affected.
    expect((await listOrgs('198.51.100.2', BOOTSTRAP_TOKEN)).status).toBe(200);

    const audits = await auditsOf(attacker);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actorType: 'client', targetType: 'client_address', details: { app: 'admin', failureLimit: LIMIT } });
    expect(JSON.stringify(audits)).not.toContain('guess');
    expect((await sample('navplane_auth_failures_total{app="admin"}')) - failuresBefore).toBe(LIMIT + 1);
    expect(await sample('navplane_auth_throttled_total{app="admin"}')).toBeGreaterThanOrEqual(2);

    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS + 50));
    expect((await listOrgs(attacker, BOOTSTRAP_TOKEN)).status).toBe(200);
    expect(await auditsOf(attacker)).toHaveLength(1);
  });

  it('does not count a missing credential', async () => {
    const from = '192.0.2.7';
    for (let i = 0; i < LIMIT + 2; i += 1) expect((await h.http().get('/admin/orgs').set('X-Forwarded-For', from)).status).toBe(401);
    expect((await listOrgs(from, BOOTSTRAP_TOKEN)).status).toBe(200);
  });
});
