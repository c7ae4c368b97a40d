import { TEST_DIALECTS } from '@navplane/testing';
import { refused, wsUrl } from './testing/websocket-client.fixture';
import { startKeyedGateway, type GatewayHarness } from './testing/gateway-harness.fixture';

jest.setTimeout(60_000);

async function until(check: () => Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const LIMIT = 3;
const WINDOW_MS = 1000;
const UNKNOWN_KEY = 'np_0000000000000000000000000000000000000000000';

/** The value of one series on the gateway's /metrics (0 when absent). */
async function sample(h: GatewayHarness, series: string): Promise<number> {
  const text = await (await fetch(`${h.url}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe.each(TEST_DIALECTS)('brute-force throttling of NavPlane keys on %s', (dialect) => {
  let h: GatewayHarness;
  let orgId: string;
  let key: string;

  beforeAll(async () => {
    ({ h, orgId, key } = await startKeyedGateway(dialect, {
      // The test client is on loopback: X-Forwarded-For names the client address, as behind a load balancer.
      env: {
        NAVPLANE_AUTH_FAILURE_LIMIT: String(LIMIT),
        NAVPLANE_AUTH_FAILURE_WINDOW_MS: String(WINDOW_MS),
        NAVPLANE_TRUST_PROXY: 'loopback',
      },
    }));
  });
  afterAll(() => h.close());
  beforeEach(() => h.upstream.reset());

  const chat = (from: string, apiKey: string) =>
    fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'x-forwarded-for': from },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
  const answer = async (res: Response) => ({
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    body: (await res.json()) as { error: { code: string; message: string } },
  });
  const throttleAudits = async () =>
    (await h.runtime.repos.auditLog.list({ limit: 1000 })).filter((entry) => entry.action === 'auth.throttled');
  // The audit record is written beside the refusal (never awaited by it): wait for it to land.
  const auditsOf = async (ip: string) => {
    const deadline = Date.now() + 2000;
    for (;;) {
      const found = (await throttleAudits()).filter((entry) => entry.ip === ip);
      if (found.length > 0 || Date.now() > deadline) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  it(`after ${LIMIT} failures, refuses the address (429 rate_limited, Retry-After) — valid keys too, before any lookup — until the window passes; others are unaffected`, async () => {
    const attacker = '203.0.113.7';
    const failuresBefore = await sample(h, 'navplane_auth_failures_total{app="gateway"}');
    const throttledBefore = await sample(h, 'navplane_auth_throttled_total{app="gateway"}');
    for (let i = 0; i < LIMIT; i += 1) expect((await answer(await chat(attacker, UNKNOWN_KEY))).status).toBe(401);

    // The failure over the limit is refused as throttled, and so is every attempt after it: a wrong key and the right
    // one get the same answer, which never says whether a key exists.
    const over = await answer(await chat(attacker, UNKNOWN_KEY));
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe('rate_limited');
    expect(Number(over.retryAfter)).toBeGreaterThanOrEqual(1);
    const valid = await answer(await chat(attacker, key));
    const wrong = await answer(await chat(attacker, `${UNKNOWN_KEY.slice(0, -1)}1`));
    expect(valid).toEqual(wrong);
    expect(valid.status).toBe(429);
    expect(valid.body.error.message).toBe('Too many failed authentications from this address; retry after 1 s');
    expect(h.upstream.requestCount).toBe(0);

    // Another client address, and its valid key, are not affected.
    expect((await chat('198.51.100.1', key)).status).toBe(200);

    // The handshake of a WebSocket from the blocked address is refused likewise, before any upstream connection.
    const upgrade = await refused(wsUrl(h.url, '/v1/realtime?model=gpt-realtime'), {
      headers: { authorization: `Bearer ${key}`, 'x-forwarded-for': attacker },
    });
    expect(upgrade.status).toBe(429);
    expect(upgrade.headers['retry-after']).toBe('1');
    expect(JSON.parse(upgrade.body)).toMatchObject({ error: { code: 'rate_limited' } });

    // One audit record for the block (not one per refused attempt), and the counters.
    const audits = await auditsOf(attacker);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      actorType: 'client',
      ip: attacker,
      orgId: null,
      targetType: 'client_address',
      targetId: attacker,
      details: { app: 'gateway', failureLimit: LIMIT, windowMs: WINDOW_MS },
    });
    expect(JSON.stringify(audits)).not.toContain('np_');
    expect((await sample(h, 'navplane_auth_failures_total{app="gateway"}')) - failuresBefore).toBe(LIMIT + 1);
    expect((await sample(h, 'navplane_auth_throttled_total{app="gateway"}')) - throttledBefore).toBe(4);
    expect(h.logs()).toContain('client address throttled after failed authentications');

    // The window passes: the address may authenticate again.
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS + 50));
    expect((await chat(attacker, key)).status).toBe(200);
    expect(await auditsOf(attacker)).toHaveLength(1);
  });

  it('counts failed WebSocket handshakes (a bad key in a header or the subprotocol) like requests', async () => {
    const from = '192.0.2.44';
    for (let i = 0; i < LIMIT; i += 1) {
      const outcome = await refused(wsUrl(h.url, '/v1/realtime'), {
        headers: { 'x-forwarded-for': from },
        protocols: ['realtime', `openai-insecure-api-key.${UNKNOWN_KEY}`],
      });
      expect(outcome.status).toBe(401);
    }
    const over = await refused(wsUrl(h.url, '/v1/realtime'), {
      headers: { authorization: `Bearer ${UNKNOWN_KEY}`, 'x-forwarded-for': from },
    });
    expect(over.status).toBe(429);
    expect((await chat(from, key)).status).toBe(429);
    expect(await auditsOf(from)).toHaveLength(1);
  });

  it('does not count what is no guess: a missing key, a valid key of a disabled org', async () => {
    const from = '192.0.2.99';
    const disabledOrg = await h.createOrg('off');
    const { key: disabledKey } = await h.issueKey(disabledOrg);
    await h.setOrgEnabled(disabledOrg, false);
    for (let i = 0; i < LIMIT + 2; i += 1) {
      const res = await fetch(`${h.url}/v1/chat/completions`, { method: 'POST', headers: { 'x-forwarded-for': from }, body: '{}' });
      expect(res.status).toBe(401);
      await res.arrayBuffer();
    }
    await until(async () => (await chat(from, disabledKey)).status === 403);
    for (let i = 0; i < LIMIT + 2; i += 1) expect((await chat(from, disabledKey)).status).toBe(403);
    expect((await chat(from, key)).status).toBe(200);
    expect(orgId).toBeTruthy();
  });
});
