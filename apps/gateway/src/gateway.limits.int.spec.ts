import { PassThrough } from 'node:stream';
import { expect } from '@jest/globals';
import { listen, type RunningServer } from '@navplane/http';
import type { LimitDocument } from '@navplane/limits';
import { createRuntime, type Runtime } from '@navplane/runtime';
import { CHANGE_TOPICS, type JsonObject } from '@navplane/storage';
import { createLogger } from '@navplane/telemetry';
import {
  deleteRedisKeys,
  openaiChatCompletion,
  openaiChatStream,
  smartFallbackRoute,
  TEST_DIALECTS,
  TEST_REDIS_URL,
  testRedisClient,
  testRedisPrefix,
} from '@navplane/testing';
import { createGatewayServer, type GatewayServer } from './create-gateway';
import { OPENAI_TEST_KEY, startGatewayHarness, type GatewayHarness, type GatewayHarnessOptions } from './testing/gateway-harness.fixture';

jest.setTimeout(60_000);

type Backend = 'memory' | 'redis';
type ScopeType = 'org' | 'workspace' | 'key';

const BACKENDS: readonly Backend[] = TEST_REDIS_URL === undefined ? ['memory'] : ['memory', 'redis'];
const CASES = TEST_DIALECTS.flatMap((dialect) => BACKENDS.map((backend) => [dialect, backend] as const));
const SCOPES: readonly ScopeType[] = ['org', 'workspace', 'key'];
const UNREACHABLE_REDIS = 'redis://127.0.0.1:1';

/** A tenant of its own per test: an org, a workspace, a key in that workspace, the OpenAI key in the vault. */
interface Tenant {
  readonly orgId: string;
  readonly workspaceId: string;
  readonly keyId: string;
  readonly key: string;
}

async function tenant(h: GatewayHarness, options: { providerKey?: boolean } = {}): Promise<Tenant> {
  const orgId = await h.createOrg();
  const workspaceId = await h.createWorkspace(orgId);
  const { key, id } = await h.issueKey(orgId, { workspaceId });
  if (options.providerKey ?? true) await h.storeProviderKey(orgId, 'openai', OPENAI_TEST_KEY);
  return { orgId, workspaceId, keyId: id, key };
}

/** Stores the org's limits document and publishes limits.changed, as the admin API does. */
async function setLimits(runtime: Runtime, orgId: string, limits: JsonObject[]): Promise<void> {
  await runtime.repos.limits.put(orgId, { limits }, new Date().toISOString());
  await runtime.changeFeed.publish(CHANGE_TOPICS.limitsChanged, { orgId });
}

/** One limits entry for `scope` of `t`. */
function entry(t: Tenant, scope: ScopeType, limits: JsonObject): JsonObject {
  const id = scope === 'org' ? undefined : scope === 'workspace' ? t.workspaceId : t.keyId;
  return { scope: id === undefined ? { type: scope } : { type: scope, id }, ...limits };
}

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

/** A chat completion (streamed when `stream`), read whole. */
async function chat(url: string, key: string, options: { stream?: boolean; signal?: AbortSignal; model?: string } = {}): Promise<Answer> {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: options.model ?? 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      ...(options.stream ? { stream: true } : {}),
    }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

const errorCode = (answer: Answer): unknown => (JSON.parse(answer.body) as { error?: { code?: unknown } }).error?.code;

/** Released leases reach their store: the completion runs on the next tick, a Redis release is one round trip. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

/** Sends until the answer is not a 429 (a slot freed), up to 3 s; returns that answer. */
async function untilAdmitted(url: string, key: string): Promise<Answer> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const answer = await chat(url, key);
    if (answer.status !== 429 || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const redisEnv = (prefix: string): Record<string, string> => ({
  NAVPLANE_REDIS_URL: TEST_REDIS_URL ?? UNREACHABLE_REDIS,
  NAVPLANE_REDIS_PREFIX: prefix,
});

describe.each(CASES)('rate limits on %s, counted in %s', (dialect, backend) => {
  let h: GatewayHarness;
  const prefix = testRedisPrefix();

  beforeAll(async () => {
    const options: GatewayHarnessOptions = backend === 'redis' ? { env: redisEnv(prefix) } : {};
    h = await startGatewayHarness(dialect, options);
  });
  afterAll(async () => {
    await h.close();
    if (backend === 'redis' && TEST_REDIS_URL !== undefined) {
      const admin = testRedisClient(TEST_REDIS_URL);
      await deleteRedisKeys(admin, prefix);
      admin.disconnect();
    }
  });
  beforeEach(() => h.upstream.reset());

  it.each(SCOPES)('rpm of the %s: counts the headers down, then 429 with Retry-After and no upstream call', async (scope) => {
    const t = await tenant(h);
    await setLimits(h.runtime, t.orgId, [entry(t, scope, { rpm: 2 })]);
    const first = await chat(h.url, t.key);
    const second = await chat(h.url, t.key);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect([first.headers.get('x-ratelimit-remaining-requests'), second.headers.get('x-ratelimit-remaining-requests')]).toEqual(['1', '0']);
    expect(first.headers.get('x-ratelimit-limit-requests')).toBe('2');
    expect(first.headers.get('x-ratelimit-reset-requests')).toMatch(/^(1m0s|\d+(\.\d+)?s)$/);
    expect(first.headers.get('x-ratelimit-limit-tokens')).toBeNull();
    const refused = await chat(h.url, t.key);
    expect(refused.status).toBe(429);
    expect(errorCode(refused)).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    // As OpenAI's 429s: the refusing window in x-ratelimit-*, nothing left, reset when the retry may pass.
    expect(refused.headers.get('x-ratelimit-limit-requests')).toBe('2');
    expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(refused.headers.get('x-ratelimit-reset-requests')).toMatch(/^(1m0s|\d+(\.\d+)?s)$/); // at most the 60 s window
    expect(h.upstream.requestCount).toBe(2);
  });

  it.each(SCOPES)('tpm of the %s: counts input + output tokens at the end, then 429 with no upstream call', async (scope) => {
    const t = await tenant(h);
    await setLimits(h.runtime, t.orgId, [entry(t, scope, { tpm: 50 })]);
    h.upstream.enqueue({ kind: 'json', body: openaiChatCompletion({ usage: { promptTokens: 30, completionTokens: 20 } }) });
    const first = await chat(h.url, t.key);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit-tokens')).toBe('50');
    expect(first.headers.get('x-ratelimit-remaining-tokens')).toBe('50');
    expect(first.headers.get('x-ratelimit-limit-requests')).toBeNull();
    await settle();
    const refused = await chat(h.url, t.key);
    expect(refused.status).toBe(429);
    expect(errorCode(refused)).toBe('rate_limited');
    expect(refused.headers.get('retry-after')).not.toBeNull();
    expect(h.upstream.requestCount).toBe(1);
  });

  it.each(SCOPES)('concurrency of the %s: a second request while one runs gets 429, and the slot frees at its end', async (scope) => {
    const t = await tenant(h);
    await setLimits(h.runtime, t.orgId, [entry(t, scope, { concurrency: 1 })]);
    h.upstream.enqueue({ kind: 'delay', ms: 400, then: { kind: 'json', body: openaiChatCompletion() } });
    const running = chat(h.url, t.key);
    await h.upstream.waitForRequests(1);
    const refused = await chat(h.url, t.key);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(h.upstream.requestCount).toBe(1);
    expect((await running).status).toBe(200);
    expect((await untilAdmitted(h.url, t.key)).status).toBe(200);
  });

  it('under a concurrency limit alone, passes the provider’s own x-ratelimit-* headers through untouched', async () => {
    const t = await tenant(h);
    await setLimits(h.runtime, t.orgId, [entry(t, 'key', { concurrency: 5 })]);
    h.upstream.enqueue({
      kind: 'json',
      headers: { 'x-ratelimit-limit-requests': '10000', 'x-ratelimit-remaining-tokens': '29999' },
      body: openaiChatCompletion(),
    });
    const answer = await chat(h.url, t.key);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-ratelimit-limit-requests')).toBe('10000');
    expect(answer.headers.get('x-ratelimit-remaining-tokens')).toBe('29999');
  });

  it('a key under a limit and a budget: a limit refusal leaves no reservation, a budget refusal holds no slot', async () => {
    // With the counters in Redis the admission rides with the budget reservation (one round trip); either way a refusal
    // by one must not keep what the other holds.
    const t = await tenant(h);
    const budget = { usd: 10, period: 'day' };
    await setLimits(h.runtime, t.orgId, [entry(t, 'key', { rpm: 1, budget })]);
    expect((await chat(h.url, t.key)).status).toBe(200);
    const refused = await chat(h.url, t.key);
    expect(refused.status).toBe(429);
    expect(errorCode(refused)).toBe('rate_limited');
    expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(h.upstream.requestCount).toBe(1);
    const document: LimitDocument = { limits: [{ scope: { type: 'key', id: t.keyId }, rpm: 1, budget: { usd: 10, period: 'day' } }] };
    const reserved = async () => (await h.gateway.budgets.engine.statuses(t.orgId, document))[0]?.reservedUsd;
    const deadline = Date.now() + 3000;
    while ((await reserved()) !== 0 && Date.now() < deadline) await settle();
    expect(await reserved()).toBe(0);

    const u = await tenant(h);
    // $0.000001 is less than any estimate (4096 output tokens at least): refused by the budget before going upstream.
    await setLimits(h.runtime, u.orgId, [entry(u, 'key', { concurrency: 1, budget: { usd: 0.000001, period: 'day' } })]);
    const over = await chat(h.url, u.key);
    expect(over.status).toBe(429);
    expect(errorCode(over)).toBe('budget_exceeded');
    await setLimits(h.runtime, u.orgId, [entry(u, 'key', { concurrency: 1, budget })]);
    await settle();
    // The slot the refused request took was handed back: the next one is admitted.
    expect((await chat(h.url, u.key)).status).toBe(200);
    expect(h.upstream.requestCount).toBe(2);
  });

  it('takes its headers from the strictest scope: the key under the org', async () => {
    const t = await tenant(h);
    await setLimits(h.runtime, t.orgId, [entry(t, 'org', { rpm: 100, tpm: 100_000 }), entry(t, 'key', { rpm: 5, tpm: 1000 })]);
    const remaining: Array<string | null> = [];
    for (let i = 0; i < 3; i += 1) {
      const answer = await chat(h.url, t.key);
      expect(answer.headers.get('x-ratelimit-limit-requests')).toBe('5');
      expect(answer.headers.get('x-ratelimit-limit-tokens')).toBe('1000');
      remaining.push(answer.headers.get('x-ratelimit-remaining-requests'));
    }
    expect(remaining).toEqual(['4', '3', '2']);
  });

  it('says at start-up where limits are counted when several instances may run (Postgres without Redis)', () => {
    const warned = h.logs().includes('rate limits (rpm, tpm, concurrency) are counted per process');
    expect(warned).toBe(dialect === 'postgres' && backend === 'memory');
  });

  it('adds no x-ratelimit headers of its own for an org without limits', async () => {
    const t = await tenant(h);
    const answer = await chat(h.url, t.key);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-ratelimit-limit-requests')).toBeNull();
  });

  describe('every ending releases the concurrency slot once', () => {
    let t: Tenant;
    beforeEach(async () => {
      t = await tenant(h);
      await setLimits(h.runtime, t.orgId, [entry(t, 'key', { concurrency: 1, tpm: 1_000_000 })]);
    });

    it('a stream read to the end (its usage counted in tpm)', async () => {
      h.upstream.enqueue({
        kind: 'sse',
        events: openaiChatStream({ includeUsage: true, usage: { promptTokens: 400, completionTokens: 600 } }),
      });
      const streamed = await chat(h.url, t.key, { stream: true });
      expect(streamed.status).toBe(200);
      expect(streamed.body).toContain('[DONE]');
      await settle();
      const next = await untilAdmitted(h.url, t.key);
      expect(next.status).toBe(200);
      expect(next.headers.get('x-ratelimit-remaining-tokens')).toBe(String(1_000_000 - 1000));
    });

    it('a client that aborts mid-stream', async () => {
      h.upstream.enqueue({ kind: 'sse', events: openaiChatStream({ chunks: ['a', 'b', 'c', 'd'], delayMs: 300 }) });
      const controller = new AbortController();
      const res = await fetch(`${h.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [], stream: true }),
        signal: controller.signal,
      });
      expect(res.status).toBe(200);
      const reader = res.body?.getReader();
      await reader?.read();
      controller.abort();
      await h.upstream.waitUntil(() => h.upstream.requests[0]?.clientAborted === true, 3000);
      expect((await untilAdmitted(h.url, t.key)).status).toBe(200);
    });

    it('an upstream that resets before answering, and one that breaks mid-stream', async () => {
      h.upstream.enqueue({ kind: 'reset' });
      const failed = await chat(h.url, t.key);
      expect(failed.status).toBe(502);
      expect(failed.headers.get('x-ratelimit-limit-tokens')).toBe('1000000'); // the gateway's own answer carries them too
      h.upstream.enqueue({ kind: 'reset-after', events: openaiChatStream().slice(0, 2) });
      await chat(h.url, t.key, { stream: true }).catch(() => undefined);
      expect((await untilAdmitted(h.url, t.key)).status).toBe(200);
    });

    it('a routed request that fell back to its second target: one request, one release, its tokens once', async () => {
      h.routes.set(t.orgId, { routes: [smartFallbackRoute().input] });
      h.upstream.enqueue(
        { kind: 'error', status: 500 },
        { kind: 'json', body: openaiChatCompletion({ usage: { promptTokens: 70, completionTokens: 30 } }) },
      );
      const routed = await chat(h.url, t.key, { model: 'smart' });
      expect(routed.status).toBe(200);
      expect(routed.headers.get('x-navplane-attempts')).toBe('2');
      expect(h.upstream.requestCount).toBe(2);
      await settle();
      const next = await untilAdmitted(h.url, t.key);
      expect(next.status).toBe(200);
      expect(next.headers.get('x-ratelimit-remaining-tokens')).toBe(String(1_000_000 - 100));
    });

    it('a refusal by a later step (no provider key in the vault)', async () => {
      const bare = await tenant(h, { providerKey: false });
      await setLimits(h.runtime, bare.orgId, [entry(bare, 'key', { concurrency: 1, rpm: 100 })]);
      for (let i = 0; i < 3; i += 1) {
        const answer = await chat(h.url, bare.key);
        expect(errorCode(answer)).toBe('provider_key_missing');
        expect(answer.headers.get('x-ratelimit-remaining-requests')).toBe(String(99 - i));
      }
      expect(h.upstream.requestCount).toBe(0);
    });
  });
});

describe.each(TEST_DIALECTS)('rate limits across instances on %s', (dialect) => {
  const describeRedis = TEST_REDIS_URL === undefined ? describe.skip : describe;

  describeRedis('two gateways sharing one Redis prefix', () => {
    let h: GatewayHarness;
    let second: { runtime: Runtime; gateway: GatewayServer; server: RunningServer };
    const prefix = testRedisPrefix();

    beforeAll(async () => {
      h = await startGatewayHarness(dialect, { env: redisEnv(prefix) });
      // A second process on the same database and Redis prefix.
      const runtime = await createRuntime(h.runtime.config, {
        logger: createLogger({ level: 'error', stream: new PassThrough().resume() }),
        migrate: false,
      });
      const gateway = await createGatewayServer(runtime, { routes: h.routes });
      const server = await listen(gateway.app, { host: '127.0.0.1', port: 0, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000 });
      second = { runtime, gateway, server };
    });
    afterAll(async () => {
      await second.server.close(1000);
      await second.gateway.traceWriter.close(2000);
      await second.runtime.close();
      await h.close();
      const admin = testRedisClient(TEST_REDIS_URL ?? UNREACHABLE_REDIS);
      await deleteRedisKeys(admin, prefix);
      admin.disconnect();
    });

    it('never admits more than the rpm between them, however the requests are spread', async () => {
      const t = await tenant(h);
      await setLimits(h.runtime, t.orgId, [entry(t, 'org', { rpm: 5 }), entry(t, 'key', { concurrency: 100 })]);
      await settle(); // the second process hears limits.changed through the change feed
      const urls = [h.url, second.server.url];
      const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => chat(urls[i % 2] ?? h.url, t.key)));
      expect(answers.filter((answer) => answer.status === 200)).toHaveLength(5);
      expect(answers.filter((answer) => answer.status === 429)).toHaveLength(7);
      expect(h.upstream.requestCount).toBe(5);
    });
  });
});

describe.each(TEST_DIALECTS)('an unreachable Redis on %s', (dialect) => {
  it('fail-open: counts in this process, warns once per outage, counts the errors on /metrics', async () => {
    const h = await startGatewayHarness(dialect, { env: { NAVPLANE_REDIS_URL: UNREACHABLE_REDIS, NAVPLANE_LIMITS_FAIL_MODE: 'open' } });
    try {
      const t = await tenant(h);
      await setLimits(h.runtime, t.orgId, [entry(t, 'key', { rpm: 2 })]);
      const statuses = [];
      for (let i = 0; i < 3; i += 1) statuses.push((await chat(h.url, t.key)).status);
      expect(statuses).toEqual([200, 200, 429]);
      expect(h.upstream.requestCount).toBe(2);
      expect(h.logs().match(/Redis cannot be reached; counting in this process/g)).toHaveLength(1);
      const metrics = await (await fetch(`${h.url}/metrics`)).text();
      expect(metrics).toMatch(/^navplane_limits_backend_errors_total [1-9]/m);
      expect(metrics).toMatch(/^navplane_limits_refused_total\{limit="rpm"\} 1$/m);
    } finally {
      await h.close();
    }
  });

  it('fail-closed: 503 limits_unavailable under a limit, no upstream call; orgs without limits pass', async () => {
    const h = await startGatewayHarness(dialect, { env: { NAVPLANE_REDIS_URL: UNREACHABLE_REDIS, NAVPLANE_LIMITS_FAIL_MODE: 'closed' } });
    try {
      const limited = await tenant(h);
      await setLimits(h.runtime, limited.orgId, [entry(limited, 'org', { rpm: 100 })]);
      const refused = await chat(h.url, limited.key);
      expect(refused.status).toBe(503);
      expect(errorCode(refused)).toBe('limits_unavailable');
      expect(h.upstream.requestCount).toBe(0);
      const free = await tenant(h);
      expect((await chat(h.url, free.key)).status).toBe(200);
    } finally {
      await h.close();
    }
  });
});
