import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from '@jest/globals';
import { toIso } from '@navplane/core';
import { readStoredLimitDocument, signAlert, WEBHOOK_SECRET_NAME, type BudgetStatus } from '@navplane/limits';
import { CHANGE_TOPICS, type JsonObject, type JsonValue } from '@navplane/storage';
import { openaiChatCompletion, openaiChatStream, prefixedTestRedis, TEST_DIALECTS } from '@navplane/testing';
import { OPENAI_TEST_KEY, startGatewayHarness, type GatewayHarness } from './testing/gateway-harness.fixture';

// gpt-4o: $2.50 input, $10 output per million tokens. 1000 in + 1000 out = $0.0125.
const USAGE = { promptTokens: 1000, completionTokens: 1000 };
const COST = 0.0125;

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A webhook receiver on loopback (allowlisted): answers each POST with the next scripted status (then 200). */
async function startReceiver(statuses: number[]) {
  const received: { body: string; signature: string | undefined }[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const signature = req.headers['x-navplane-signature'];
      received.push({ body: Buffer.concat(chunks).toString('utf8'), signature: typeof signature === 'string' ? signature : undefined });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/navplane`, received, close: () => new Promise((resolve) => server.close(resolve)) };
}

// Reservations in the process's memory, and (with NAVPLANE_TEST_REDIS_URL) in a real Redis under this run's own prefix.
const redis = prefixedTestRedis();
const MODES = redis === undefined ? (['memory'] as const) : (['memory', 'redis'] as const);
if (redis === undefined) console.log('NAVPLANE_TEST_REDIS_URL is not set: the gateway budget specs run with in-memory reservations only');
afterAll(async () => {
  await redis?.cleanup();
});
const CASES = TEST_DIALECTS.flatMap((dialect) => MODES.map((mode) => [dialect, mode] as const));

describe.each(CASES)('gateway budgets on %s, reservations in %s', (dialect, mode) => {
  let h: GatewayHarness;
  beforeAll(async () => {
    h = await startGatewayHarness(dialect, {
      env: { NAVPLANE_UPSTREAM_ALLOWLIST: '127.0.0.1' },
      budgets: {
        alertAttempts: 3,
        alertBackoffMs: 20,
        ...(mode === 'redis' && redis !== undefined ? { redis: { client: redis.client, prefix: `${redis.prefix}${dialect}:` } } : {}),
      },
    });
  });
  afterAll(() => h.close());
  beforeEach(() => h.upstream.reset());

  async function orgWithBudget(limits: (keyId: string) => JsonValue[]) {
    const orgId = await h.createOrg();
    const { key, id: keyId } = await h.issueKey(orgId);
    await h.storeProviderKey(orgId, 'openai', OPENAI_TEST_KEY);
    const raw: JsonObject = { limits: limits(keyId) };
    const document = readStoredLimitDocument(raw);
    await h.runtime.repos.limits.put(orgId, raw, toIso(Date.now()));
    await h.runtime.changeFeed.publish(CHANGE_TOPICS.limitsChanged, { orgId });
    const subject = { orgId, workspaceId: null, keyId };
    await waitFor(async () => ((await h.gateway.budgets.engine.applicable(subject)).length > 0 ? true : undefined));
    const statuses = () => h.gateway.budgets.engine.statuses(orgId, document);
    return { orgId, key, keyId, statuses };
  }

  const chat = (key: string, body: object, signal?: AbortSignal) =>
    fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], ...body }),
      ...(signal === undefined ? {} : { signal }),
    });

  /** The budget once no reservation is left and `spent` holds. */
  const settled = (statuses: () => Promise<BudgetStatus[]>, spent: (usd: number) => boolean) =>
    waitFor(async () => {
      const [status] = await statuses();
      return status !== undefined && status.reservedUsd === 0 && spent(status.spentUsd) ? status : undefined;
    });

  it('reserves at the start and settles a JSON answer at its trace cost, a stream likewise', async () => {
    const org = await orgWithBudget(() => [{ scope: { type: 'org' }, budget: { usd: 5, period: 'month' } }]);
    h.upstream.enqueue({ kind: 'delay', ms: 300, then: { kind: 'json', body: openaiChatCompletion({ model: 'gpt-4o', usage: USAGE }) } });
    const pending = chat(org.key, { max_tokens: 1000 });
    // While the request is in flight its reservation is held: 1000 output tokens at $10/M plus the input estimate.
    const during = await waitFor(async () => {
      const [status] = await org.statuses();
      return status !== undefined && status.reservedUsd > 0 ? status : undefined;
    });
    expect(during.reservedUsd).toBeGreaterThan(0.01);
    expect(during.reservedUsd).toBeLessThan(0.011);
    expect((await pending).status).toBe(200);
    let status = await settled(org.statuses, (usd) => usd > 0);
    expect(status.spentUsd).toBeCloseTo(COST, 10);
    const [trace] = await h.traces(org.orgId);
    expect(trace?.costUsd).toBeCloseTo(COST, 10);

    h.upstream.enqueue({ kind: 'sse', events: openaiChatStream({ model: 'gpt-4o', usage: USAGE, includeUsage: true }) });
    const streamed = await chat(org.key, { stream: true, stream_options: { include_usage: true } });
    expect(streamed.status).toBe(200);
    await streamed.text();
    status = await settled(org.statuses, (usd) => usd > COST + 1e-9);
    expect(status.spentUsd).toBeCloseTo(2 * COST, 10);
    expect(status.remainingUsd).toBeCloseTo(5 - 2 * COST, 10);
  });

  it('leaks no reservation when the client aborts or the upstream fails, and never bills a failed request', async () => {
    const org = await orgWithBudget((keyId) => [{ scope: { type: 'key', id: keyId }, budget: { usd: 5, period: 'day' } }]);
    h.upstream.enqueue({ kind: 'error', status: 500 });
    expect((await chat(org.key, { max_tokens: 100 })).status).toBe(500);
    let status = await settled(org.statuses, () => true);
    expect(status.spentUsd).toBe(0);

    h.upstream.enqueue({ kind: 'hang' });
    const abort = new AbortController();
    const pending = chat(org.key, { max_tokens: 100 }, abort.signal).catch(() => undefined);
    await h.upstream.waitForRequests(2);
    abort.abort();
    await pending;
    // Cost unknown (the provider may have started): charged its reservation, the most it could cost; nothing left held.
    status = await settled(org.statuses, (usd) => usd > 0);
    expect(status.spentUsd).toBeGreaterThan(0.001);
    expect(status.spentUsd).toBeLessThan(0.0011);
  });

  it('bills a routed request by the target that answered, never its failed attempt', async () => {
    const org = await orgWithBudget(() => [{ scope: { type: 'org' }, budget: { usd: 5, period: 'month' } }]);
    h.routes.set(org.orgId, {
      routes: [
        {
          model: 'smart',
          targets: [
            { provider: 'openai', model: 'gpt-4o' },
            { provider: 'openai', model: 'gpt-4o-mini' },
          ],
          retry: { attempts: 2, on: ['5xx'] },
        },
      ],
    });
    h.upstream.enqueue(
      { kind: 'error', status: 500 },
      { kind: 'json', body: openaiChatCompletion({ model: 'gpt-4o-mini', usage: USAGE }) },
    );
    const res = await chat(org.key, { model: 'smart', max_tokens: 1000 });
    expect(res.status).toBe(200);
    expect(h.upstream.requestCount).toBe(2);
    // gpt-4o-mini: $0.15 input, $0.60 output per million tokens.
    const status = await settled(org.statuses, (usd) => usd > 0);
    expect(status.spentUsd).toBeCloseTo(0.00075, 10);
  });

  it('refuses with 429 budget_exceeded and Retry-After before any upstream call', async () => {
    const org = await orgWithBudget(() => [{ scope: { type: 'org' }, budget: { usd: 0.005, period: 'month' } }]);
    const res = await chat(org.key, { max_tokens: 1000 });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await res.json()) as { error: { code: string; type: string } };
    expect(body.error).toMatchObject({ code: 'budget_exceeded', type: 'rate_limit_error' });
    expect(h.upstream.requestCount).toBe(0);
    const status = await settled(org.statuses, () => true);
    expect(status).toMatchObject({ spentUsd: 0, reservedUsd: 0 });
  });

  it('sends one signed alert per threshold per period, retrying a 500, and audits each send', async () => {
    const receiver = await startReceiver([500]);
    try {
      const org = await orgWithBudget(() => [
        { scope: { type: 'org' }, budget: { usd: 0.02, period: 'month' }, alerts: { thresholds: [0.5, 1], webhookUrl: receiver.url } },
      ]);
      const secret = await h.runtime.vault.getOrCreateOrgSecret(org.orgId, WEBHOOK_SECRET_NAME);
      if (!secret.ok) throw new Error('no webhook secret');
      for (let i = 0; i < 2; i += 1) {
        h.upstream.enqueue({ kind: 'json', body: openaiChatCompletion({ model: 'gpt-4o', usage: USAGE }) });
        expect((await chat(org.key, { max_tokens: 10 })).status).toBe(200);
        await settled(org.statuses, (usd) => usd > COST * (i + 1) - 1e-9);
        await h.gateway.budgets.alerts.idle();
      }
      // Spent up: refused, and no alert crosses again.
      expect((await chat(org.key, { max_tokens: 10 })).status).toBe(429);
      await h.gateway.budgets.alerts.idle();

      // 0.5 crossed by the first request (its first POST answered 500, retried), 1.0 by the second.
      expect(receiver.received).toHaveLength(3);
      for (const { body, signature } of receiver.received) expect(signature).toBe(signAlert(body, secret.key));
      const bodies = receiver.received.map(({ body }) => JSON.parse(body) as Record<string, unknown>);
      expect(bodies[0]).toEqual(bodies[1]);
      expect(bodies[0]).toMatchObject({ orgId: org.orgId, scope: { type: 'org' }, period: 'month', threshold: 0.5, budgetUsd: 0.02 });
      expect(bodies[0]?.['spentUsd']).toBeCloseTo(COST, 6);
      expect(bodies[2]).toMatchObject({ threshold: 1, budgetUsd: 0.02 });
      expect(bodies[2]?.['spentUsd']).toBeCloseTo(2 * COST, 6);

      const audit = await h.runtime.repos.auditLog.list({ orgId: org.orgId });
      const sends = audit.filter((entry) => entry.action === 'limits.alert.send');
      expect(sends.map((entry) => entry.details?.['status']).sort()).toEqual([200, 200, 500]);
      expect(JSON.stringify(audit)).not.toContain(secret.key);
      expect(JSON.stringify(audit)).not.toContain('/hooks/navplane');
      const alerts = await h.runtime.repos.budgets.listAlerts(org.orgId);
      expect(alerts.map((alert) => [alert.threshold, alert.status, alert.attempts])).toEqual([
        [0.5, 'sent', 2],
        [1, 'sent', 1],
      ]);
    } finally {
      await receiver.close();
    }
  });

  it('refuses to send an alert to a private address (SSRF rules) and audits the failure', async () => {
    const org = await orgWithBudget(() => [
      {
        scope: { type: 'org' },
        budget: { usd: 0.02, period: 'month' },
        alerts: { thresholds: [0.5], webhookUrl: 'https://10.0.0.1/hook' },
      },
    ]);
    await h.runtime.vault.getOrCreateOrgSecret(org.orgId, WEBHOOK_SECRET_NAME);
    h.upstream.enqueue({ kind: 'json', body: openaiChatCompletion({ model: 'gpt-4o', usage: USAGE }) });
    expect((await chat(org.key, { max_tokens: 10 })).status).toBe(200);
    await settled(org.statuses, (usd) => usd > 0);
    await h.gateway.budgets.alerts.idle();
    const audit = await h.runtime.repos.auditLog.list({ orgId: org.orgId });
    expect(audit.filter((entry) => entry.action === 'limits.alert.send')).toHaveLength(1);
    const failed = audit.find((entry) => entry.action === 'limits.alert.failed');
    expect(failed?.details?.['reason']).toEqual(expect.stringContaining('egress'));
    const [alert] = await h.runtime.repos.budgets.listAlerts(org.orgId);
    expect(alert).toMatchObject({ threshold: 0.5, status: 'failed', attempts: 1 });
  });
});
