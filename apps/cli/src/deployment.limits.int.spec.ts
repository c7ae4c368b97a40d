import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import {
  createTestDatabase,
  openaiChatCompletion,
  prefixedTestRedis,
  startFakeUpstream,
  TEST_REDIS_URL,
  type FakeUpstream,
  type PrefixedTestRedis,
  type TestDatabase,
} from '@navplane/testing';
import { adminApiCaller, startServe, type ServeProcess } from './testing/cli-process.fixture';
import { findNginx, freePort, startNginx, type RunningNginx } from './testing/nginx.fixture';

// docs/limits.md, "Across instances": nginx (Debian's package) in front of two `navplane serve --only gateway`
// processes and one `--only admin` process, on one Postgres database and one Redis (a prefix of this run's own).
// 2,000 requests sent at once against a key's rpm, then against a small budget: the overshoot §10 bounds.
jest.setTimeout(180_000);

const ADMIN_TOKEN = 'bootstrap-admin-token-for-limits-lb-0123';
const BURST = 2000;
const RPM = 50;

const postgresUrl = process.env['NAVPLANE_TEST_POSTGRES_URL'];
const runs = postgresUrl !== undefined && postgresUrl !== '' && TEST_REDIS_URL !== undefined;
if (!runs) {
  process.stderr.write(
    '[navplane] NAVPLANE_TEST_POSTGRES_URL or NAVPLANE_TEST_REDIS_URL is not set: the multi-instance limits test is skipped\n',
  );
}

interface Answer {
  readonly status: number;
  readonly code?: string;
  readonly retryAfter: string | null;
}

(runs ? describe : describe.skip)('limits across instances: nginx, two gateways, an admin API, Postgres and Redis', () => {
  let testDb: TestDatabase;
  let redis: PrefixedTestRedis;
  let upstream: FakeUpstream;
  let nginx: RunningNginx;
  let cwd: string;
  let orgId: string;
  const processes: ServeProcess[] = [];
  // Every request on its own connection at once: nginx takes 2,000 client connections (worker_connections 8192).
  const dispatcher = new Agent({ connections: BURST, pipelining: 0, keepAliveTimeout: 1000 });

  const adminCall = adminApiCaller(() => processes[0], ADMIN_TOKEN);

  /** A new NavPlane key of the org: its id and secret. */
  const newKey = (name: string) => adminCall<{ id: string; key: string }>('POST', `/admin/orgs/${orgId}/keys`, { name });

  /** One chat completion through nginx; never throws (a network error reads as status 0). */
  const chat = async (key: string, body: object): Promise<Answer> => {
    try {
      const res = await undiciFetch(`${nginx.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        dispatcher,
      });
      const json = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
      return { status: res.status, code: json.error?.code, retryAfter: res.headers.get('retry-after') };
    } catch {
      return { status: 0, retryAfter: null };
    }
  };

  /** `BURST` requests at once; the count of each `status code` outcome. */
  const burst = async (key: string, body: object) => {
    const answers = await Promise.all(Array.from({ length: BURST }, () => chat(key, body)));
    const counts: Record<string, number> = {};
    for (const answer of answers) {
      const label = `${answer.status}${answer.code === undefined ? '' : ` ${answer.code}`}`;
      counts[label] = (counts[label] ?? 0) + 1;
    }
    return { answers, counts };
  };

  beforeAll(async () => {
    const nginxBinary = findNginx();
    if (nginxBinary === undefined) throw new Error('nginx is not installed: `apt-get install -y nginx` (.ci/run installs it)');
    testDb = await createTestDatabase('postgres');
    const made = prefixedTestRedis();
    if (made === undefined || TEST_REDIS_URL === undefined) throw new Error('NAVPLANE_TEST_REDIS_URL is not set');
    redis = made;
    upstream = await startFakeUpstream({ record: false });
    // Answers take a moment, so the burst is really in flight on both gateways at once.
    upstream.setDefault(() => ({
      kind: 'delay',
      ms: 20,
      then: { kind: 'json', body: openaiChatCompletion({ model: 'gpt-4o-mini', usage: { promptTokens: 20, completionTokens: 10 } }) },
    }));
    cwd = await mkdtemp(join(tmpdir(), 'navplane-limits-lb-'));
    const env = {
      NAVPLANE_DATABASE_URL: testDb.url,
      NAVPLANE_MASTER_KEY: randomBytes(32).toString('base64'),
      NAVPLANE_ADMIN_TOKEN: ADMIN_TOKEN,
      NAVPLANE_OPENAI_BASE_URL: upstream.url,
      NAVPLANE_TRUST_PROXY: 'loopback',
      NAVPLANE_REDIS_URL: TEST_REDIS_URL,
      NAVPLANE_REDIS_PREFIX: redis.prefix,
    };
    processes.push(await startServe(['serve', '--only', 'admin'], { cwd, env, expect: ['admin'], timeoutMs: 30_000 }));
    const ports = [await freePort(), await freePort()];
    for (const port of ports) {
      processes.push(
        await startServe(['serve', '--only', 'gateway'], {
          cwd,
          env: { ...env, NAVPLANE_GATEWAY_PORT: String(port) },
          expect: ['gateway'],
          timeoutMs: 30_000,
        }),
      );
    }
    nginx = await startNginx(nginxBinary, [`127.0.0.1:${ports[0]}`, `127.0.0.1:${ports[1]}`]);
    ({ id: orgId } = await adminCall<{ id: string }>('POST', '/admin/orgs', { name: 'limits-lb' }));
    await adminCall('PUT', `/admin/orgs/${orgId}/provider-keys/openai`, { key: 'sk-test-limits-lb-0123456789' });
  });

  afterAll(async () => {
    await nginx?.stop();
    await Promise.all(processes.map((p) => p.stop('SIGKILL')));
    await dispatcher.close();
    await upstream?.close();
    await redis?.cleanup();
    await testDb?.drop();
    if (cwd) await rm(cwd, { recursive: true, force: true });
  });

  it(`${BURST} requests at once against rpm ${RPM}: exactly ${RPM} reach the provider, the rest get 429 rate_limited with Retry-After`, async () => {
    const { id: keyId, key } = await newKey('rpm');
    await adminCall('PUT', `/admin/orgs/${orgId}/limits`, { limits: [{ scope: { type: 'key', id: keyId }, rpm: RPM }] });
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the change feed's bound: both gateways hold it
    upstream.reset();
    upstream.setDefault(() => ({ kind: 'delay', ms: 20, then: { kind: 'json', body: openaiChatCompletion({ model: 'gpt-4o-mini' }) } }));

    const { answers, counts } = await burst(key, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    process.stdout.write(`[limits-lb] rpm ${RPM}, ${BURST} at once through nginx: ${JSON.stringify(counts)}\n`);
    expect(counts).toEqual({ '200': RPM, '429 rate_limited': BURST - RPM });
    expect(upstream.requestCount).toBe(RPM);
    const refused = answers.filter((answer) => answer.status === 429);
    expect(refused.every((answer) => answer.retryAfter !== null && Number(answer.retryAfter) >= 1)).toBe(true);
  });

  it(`${BURST} requests at once against a small daily budget: spend never passes the budget, and the budget is used`, async () => {
    const { id: keyId, key } = await newKey('budget');
    const budgetUsd = 0.01;
    await adminCall('PUT', `/admin/orgs/${orgId}/limits`, {
      limits: [{ scope: { type: 'key', id: keyId }, budget: { usd: budgetUsd, period: 'day' } }],
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    upstream.reset();
    // gpt-4o: every answer costs the same (20 tokens in, 10 out); max_tokens 10 bounds the reservation to the real cost.
    upstream.setDefault(() => ({
      kind: 'delay',
      ms: 20,
      then: { kind: 'json', body: openaiChatCompletion({ model: 'gpt-4o', usage: { promptTokens: 20, completionTokens: 10 } }) },
    }));
    const { counts } = await burst(key, { model: 'gpt-4o', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    const served = counts['200'] ?? 0;
    expect(counts).toEqual({ '200': served, '429 budget_exceeded': BURST - served });
    expect(served).toBeGreaterThan(0);
    expect(upstream.requestCount).toBe(served);

    // Settled spend, as the usage answer shows it once every trace is written.
    const deadline = Date.now() + 10_000;
    let spentUsd = Number.NaN;
    while (Date.now() < deadline) {
      const rows = await testDb.database.db
        .selectFrom('traces')
        .select(({ fn }) => [fn.countAll<string>().as('n'), fn.sum<string>('cost_usd').as('cost')])
        .where('key_id', '=', keyId)
        .executeTakeFirstOrThrow();
      if (Number(rows.n) === BURST) {
        spentUsd = Number(rows.cost ?? 0);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const perRequest = spentUsd / served;
    process.stdout.write(
      `[limits-lb] budget $${budgetUsd}/day, ${BURST} at once through nginx: ${JSON.stringify(counts)}; ` +
        `spent $${spentUsd.toFixed(6)} ($${perRequest.toFixed(6)} a request), overshoot $${Math.max(0, spentUsd - budgetUsd).toFixed(6)}\n`,
    );
    // Reservations are taken atomically in Redis before any upstream call and bound the real cost: no overshoot.
    expect(spentUsd).toBeLessThanOrEqual(budgetUsd + 1e-9);
    // And the budget is used, not refused early: the reservations (the estimate bounds the real cost from above) let
    // through all but the last few requests' worth.
    expect(spentUsd).toBeGreaterThan(budgetUsd * 0.9);
  });
});
