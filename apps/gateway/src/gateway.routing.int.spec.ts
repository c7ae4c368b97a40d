import { createServer } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import {
  openaiChatCompletion,
  openaiChatStream,
  startFakeUpstream,
  TEST_DIALECTS,
  type FakeUpstream,
  type RecordedRequest,
  type ScriptedResponse,
} from '@navplane/testing';
import { startGatewayHarness, OPENAI_TEST_KEY, ANTHROPIC_TEST_KEY, type GatewayHarness } from './testing/gateway-harness.fixture';
import { seededRandom } from './routing/target-order';

jest.setTimeout(60_000);

// Routed requests (docs/routing.md, "How a routed request is served"), through the official SDKs with their own retries
// off, against fake upstreams that fail on cue: upstream A serves OpenAI and Anthropic, upstream B is the tenant's
// Azure OpenAI endpoint, and Mistral's base URL is a closed port (connection refused).

const AZURE_KEY = '0123456789abcdef0123456789abcdef';
const MISTRAL_KEY = 'mistral-test-key-0123456789';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** B answers Azure's v1 chat path like OpenAI's (the model it was sent, usage; a stream when asked). */
function azureResponder(request: RecordedRequest): ScriptedResponse | undefined {
  if (request.path !== '/openai/v1/chat/completions') return undefined;
  const body = request.json as { model: string; stream?: boolean; stream_options?: { include_usage?: boolean } };
  if (body.stream === true) {
    return { kind: 'sse', events: openaiChatStream({ model: body.model, includeUsage: body.stream_options?.include_usage === true }) };
  }
  return { kind: 'json', body: openaiChatCompletion({ model: body.model, usage: { promptTokens: 11, completionTokens: 7 } }) };
}

const CHAT = { messages: [{ role: 'user' as const, content: 'hi' }] };

describe.each(TEST_DIALECTS)('routed requests on %s', (dialect) => {
  let h: GatewayHarness;
  let b: FakeUpstream;
  let refusedUrl: string;

  beforeAll(async () => {
    b = await startFakeUpstream();
    b.setDefault(azureResponder);
    refusedUrl = `http://127.0.0.1:${await closedPort()}`;
    h = await startGatewayHarness(dialect, {
      env: {
        NAVPLANE_MISTRAL_BASE_URL: refusedUrl,
        NAVPLANE_UPSTREAM_ALLOWLIST: '127.0.0.1',
        NAVPLANE_UPSTREAM_TIMEOUT_MS: '4000',
        NAVPLANE_ROUTE_ATTEMPT_TIMEOUT_MS: '500',
        NAVPLANE_BREAKER_FAILURES: '3',
        NAVPLANE_BREAKER_COOLDOWN_MS: '400',
      },
      random: seededRandom(42),
    });
  });
  afterAll(async () => {
    await h.close();
    await b.close();
  });
  beforeEach(() => {
    h.upstream.reset();
    b.reset();
    b.setDefault(azureResponder);
  });

  /** A fresh org (its own breakers) with a NavPlane key, the provider keys and `routes`. */
  async function org(routes: unknown[]): Promise<{ orgId: string; key: string }> {
    const orgId = await h.createOrg();
    const { key } = await h.issueKey(orgId);
    await h.storeProviderKey(orgId, 'openai', OPENAI_TEST_KEY);
    await h.storeProviderKey(orgId, 'anthropic', ANTHROPIC_TEST_KEY);
    await h.storeProviderKey(orgId, 'mistral', MISTRAL_KEY);
    await h.storeProviderKey(orgId, 'azure-openai', AZURE_KEY, b.url);
    h.routes.set(orgId, { routes });
    return { orgId, key };
  }

  const openai = (key: string) => new OpenAI({ apiKey: key, baseURL: `${h.url}/v1`, maxRetries: 0 });
  const anthropic = (key: string) => new Anthropic({ apiKey: key, baseURL: h.url, maxRetries: 0 });
  const openaiThenAzure = (retry?: object) => ({
    model: 'smart',
    targets: [
      { provider: 'openai', model: 'gpt-4.1' },
      { provider: 'azure-openai', model: 'gpt-4.1-eu' },
    ],
    ...(retry === undefined ? {} : { retry }),
  });

  it('falls back from a refused connection to Azure: the target model upstream, every other byte as sent, headers, trace', async () => {
    const { orgId, key } = await org([
      {
        model: 'smart',
        targets: [
          { provider: 'mistral', model: 'mistral-large' },
          { provider: 'azure-openai', model: 'gpt-4.1-mini' },
        ],
      },
    ]);
    const { data, response } = await openai(key)
      .chat.completions.create({ model: 'smart', ...CHAT, temperature: 0.5 })
      .withResponse();
    expect(response.status).toBe(200);
    expect(response.headers.get('x-navplane-attempts')).toBe('2');
    expect(response.headers.get('x-navplane-upstream')).toBe('azure-openai/gpt-4.1-mini');
    expect(data.model).toBe('gpt-4.1-mini');
    const sent = b.lastRequest();
    expect(sent?.path).toBe('/openai/v1/chat/completions');
    expect(sent?.headers['api-key']).toBe(AZURE_KEY);
    expect(sent?.text).toBe(JSON.stringify({ model: 'smart', ...CHAT, temperature: 0.5 }).replace('"smart"', '"gpt-4.1-mini"'));

    const [trace] = await h.traces(orgId);
    expect(trace).toMatchObject({
      routeName: 'smart',
      provider: 'azure-openai',
      model: 'gpt-4.1-mini',
      status: 200,
      tokensIn: 11,
      tokensOut: 7,
    });
    expect(trace?.costStatus).toBe('estimated');
    expect(trace?.attempts).toEqual([
      expect.objectContaining({ provider: 'mistral', model: 'mistral-large', key: 'default', status: null, failure: 'connection_refused' }),
      expect.objectContaining({ provider: 'azure-openai', model: 'gpt-4.1-mini', key: 'default', status: 200, failure: null }),
    ]);
  });

  const failures: Array<[string, ScriptedResponse, string]> = [
    ['a reset connection', { kind: 'reset' }, 'connection_reset'],
    ['a hang (response-header timeout)', { kind: 'hang' }, 'response_timeout'],
    ['429', { kind: 'error', status: 429, headers: { 'retry-after': '1' } }, '429'],
    ['500', { kind: 'error', status: 500 }, '500'],
  ];

  describe.each(failures)('on %s', (_name, failure, recorded) => {
    it('falls back for a JSON request', async () => {
      const { orgId, key } = await org([openaiThenAzure()]);
      h.upstream.enqueue(failure);
      const { data, response } = await openai(key)
        .chat.completions.create({ model: 'smart', ...CHAT })
        .withResponse();
      expect(response.headers.get('x-navplane-attempts')).toBe('2');
      expect(response.headers.get('x-navplane-upstream')).toBe('azure-openai/gpt-4.1-eu');
      expect(data.choices[0]?.message.content).toBeTruthy();
      expect((h.upstream.lastRequest()?.json as { model: string }).model).toBe('gpt-4.1');
      const [trace] = await h.traces(orgId);
      const [first, second] = (trace?.attempts ?? []) as Array<{ status: number | null; failure: string | null }>;
      expect(first?.failure ?? String(first?.status)).toBe(recorded);
      expect(second).toMatchObject({ status: 200 });
      expect(trace).toMatchObject({ provider: 'azure-openai', status: 200 });
    });

    it('falls back for a stream before its first byte', async () => {
      await org([openaiThenAzure()]).then(async ({ key }) => {
        h.upstream.enqueue(failure);
        const { data: stream, response } = await openai(key)
          .chat.completions.create({ model: 'smart', ...CHAT, stream: true })
          .withResponse();
        expect(response.headers.get('x-navplane-attempts')).toBe('2');
        let text = '';
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
        expect(text.length).toBeGreaterThan(0);
        expect((b.lastRequest()?.json as { stream: boolean }).stream).toBe(true);
      });
    });
  });

  it('falls back on a stream whose head came but broke before its first byte', async () => {
    const { key } = await org([openaiThenAzure()]);
    h.upstream.enqueue({ kind: 'reset-after', events: [] });
    const { data: stream, response } = await openai(key)
      .chat.completions.create({ model: 'smart', ...CHAT, stream: true })
      .withResponse();
    expect(response.headers.get('x-navplane-upstream')).toBe('azure-openai/gpt-4.1-eu');
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text.length).toBeGreaterThan(0);
  });

  it('never retries once a byte reached the client: a stream broken after its first event ends', async () => {
    const { orgId, key } = await org([openaiThenAzure()]);
    const events = openaiChatStream({ model: 'gpt-4.1' }).slice(0, 2);
    h.upstream.enqueue({ kind: 'reset-after', events });
    const { data: stream, response } = await openai(key)
      .chat.completions.create({ model: 'smart', ...CHAT, stream: true })
      .withResponse();
    expect(response.headers.get('x-navplane-attempts')).toBe('1');
    await expect(
      (async () => {
        for await (const chunk of stream) void chunk;
      })(),
    ).rejects.toThrow();
    expect(b.requestCount).toBe(0);
    const [trace] = await h.traces(orgId);
    expect(trace?.attempts).toEqual([expect.objectContaining({ provider: 'openai', status: 200, failure: 'upstream_aborted' })]);
  });

  it('a client that disconnects aborts the attempt under way and stops the route', async () => {
    const { orgId, key } = await org([openaiThenAzure()]);
    h.upstream.enqueue({ kind: 'hang' });
    const controller = new AbortController();
    const pending = fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'smart', ...CHAT }),
      signal: controller.signal,
    });
    await h.upstream.waitForRequests(1);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await h.upstream.waitUntil(() => h.upstream.lastRequest()?.clientAborted === true);
    await new Promise((resolve) => setTimeout(resolve, 700)); // past the attempt bound: no fallback may start
    expect(b.requestCount).toBe(0);
    const [trace] = await h.traces(orgId);
    expect(trace).toMatchObject({ routeName: 'smart', errorClass: 'client_aborted', status: 0 });
    expect(trace?.attempts).toEqual([expect.objectContaining({ provider: 'openai', failure: 'client_aborted' })]);
  });

  it('returns a failure not in retry.on as is', async () => {
    const { key } = await org([openaiThenAzure({ on: ['connect'] })]);
    h.upstream.enqueue({
      kind: 'error',
      status: 500,
      body: { error: { message: 'boom', type: 'server_error' } },
      headers: { 'x-upstream': 'a' },
    });
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'smart', ...CHAT }),
    });
    expect(res.status).toBe(500);
    expect(res.headers.get('x-upstream')).toBe('a');
    expect(res.headers.get('x-navplane-attempts')).toBe('1');
    expect(res.headers.get('x-navplane-upstream')).toBe('openai/gpt-4.1');
    expect(await res.json()).toEqual({ error: { message: 'boom', type: 'server_error' } });
    expect(b.requestCount).toBe(0);
  });

  it('makes at most retry.attempts attempts, starting over, and returns the last response unchanged', async () => {
    const { orgId, key } = await org([openaiThenAzure({ attempts: 3 })]);
    h.upstream.enqueue({ kind: 'error', status: 503 }, { kind: 'error', status: 502, body: { error: { message: 'last' } } });
    b.enqueue({ kind: 'error', status: 500 });
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'smart', ...CHAT }),
    });
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ error: { message: 'last' } });
    expect(res.headers.get('x-navplane-attempts')).toBe('3');
    expect(h.upstream.requestCount).toBe(2);
    expect(b.requestCount).toBe(1);
    const [trace] = await h.traces(orgId);
    expect((trace?.attempts as Array<{ status: number }>).map((a) => a.status)).toEqual([503, 500, 502]);
    // Nobody answered with usage: nothing billed.
    expect(trace).toMatchObject({ costUsd: 0, costStatus: 'exact', tokensIn: null });
  });

  it('answers 502 when the last attempt could not connect, and 504 when it timed out', async () => {
    const { key } = await org([{ model: 'smart', targets: [{ provider: 'mistral', model: 'm' }] }]);
    const refused = await openai(key)
      .chat.completions.create({ model: 'smart', ...CHAT })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    const { key: other } = await org([{ model: 'smart', targets: [{ provider: 'openai', model: 'gpt-4.1' }] }]);
    h.upstream.enqueue({ kind: 'hang' });
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${other}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'smart', ...CHAT }),
    });
    expect(res.status).toBe(504);
    expect(res.headers.get('x-navplane-attempts')).toBe('1');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('upstream_timeout');
  });

  it('honours a short Retry-After on the same target, and moves on at once after a long one', async () => {
    const { orgId, key } = await org([{ model: 'smart', targets: [{ provider: 'openai', model: 'gpt-4.1' }], retry: { attempts: 2 } }]);
    h.upstream.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '1' } });
    const started = Date.now();
    const { response } = await openai(key)
      .chat.completions.create({ model: 'smart', ...CHAT })
      .withResponse();
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(response.headers.get('x-navplane-attempts')).toBe('2');
    const [trace] = await h.traces(orgId);
    const attempts = trace?.attempts as Array<{ status: number; backoffMs: number }>;
    expect(attempts.map((a) => a.status)).toEqual([429, 200]);
    expect(attempts[1]?.backoffMs).toBeGreaterThanOrEqual(1000);

    h.upstream.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '60' } });
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'smart', ...CHAT }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('60');
    expect(res.headers.get('x-navplane-attempts')).toBe('1');
  });

  it('falls back on Anthropic 529 for a message and a stream', async () => {
    const { orgId, key } = await org([
      {
        model: 'claude-smart',
        targets: [
          { provider: 'anthropic', model: 'claude-opus-4-1' },
          { provider: 'anthropic', model: 'claude-sonnet-4-6' },
        ],
      },
    ]);
    h.upstream.enqueue({ kind: 'error', status: 529 });
    const { data, response } = await anthropic(key)
      .messages.create({ model: 'claude-smart', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(response.headers.get('x-navplane-upstream')).toBe('anthropic/claude-sonnet-4-6');
    expect(data.model).toBe('claude-sonnet-4-6');
    h.upstream.enqueue({ kind: 'error', status: 529 });
    const stream = anthropic(key).messages.stream({ model: 'claude-smart', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });
    const final = await stream.finalMessage();
    expect(final.model).toBe('claude-sonnet-4-6');
    const traces = await h.traces(orgId);
    expect(traces.map((t) => (t.attempts as unknown[]).length)).toEqual([2, 2]);
    expect(traces.every((t) => t.model === 'claude-sonnet-4-6' && t.tokensIn !== null)).toBe(true);
  });

  it('opens a breaker after consecutive failures, skips the target, answers 503 no_healthy_upstream, probes and closes', async () => {
    const { key } = await org([
      {
        model: 'smart',
        targets: [
          { provider: 'openai', model: 'gpt-4.1' },
          { provider: 'azure-openai', model: 'gpt-4.1-eu' },
        ],
      },
      { model: 'only-a', targets: [{ provider: 'openai', model: 'gpt-4.1' }] },
    ]);
    const post = (model: string) =>
      fetch(`${h.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model, ...CHAT }),
      });
    for (let i = 0; i < 3; i += 1) {
      h.upstream.enqueue({ kind: 'error', status: 500 });
      const res = await post('smart');
      expect(res.headers.get('x-navplane-attempts')).toBe('2');
      await res.arrayBuffer();
    }
    const before = h.upstream.requestCount;
    const skipped = await post('smart');
    expect(skipped.status).toBe(200);
    expect(skipped.headers.get('x-navplane-attempts')).toBe('1');
    expect(skipped.headers.get('x-navplane-upstream')).toBe('azure-openai/gpt-4.1-eu');
    await skipped.arrayBuffer();
    const none = await post('only-a');
    expect(none.status).toBe(503);
    expect(none.headers.get('x-navplane-attempts')).toBe('0');
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('no_healthy_upstream');
    expect(h.upstream.requestCount).toBe(before);
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(/navplane_circuit_breakers\{provider="openai",state="open"\} [1-9]/);

    await new Promise((resolve) => setTimeout(resolve, 450));
    const probe = await post('only-a');
    expect(probe.status).toBe(200);
    await probe.arrayBuffer();
    const closed = await post('smart');
    expect(closed.headers.get('x-navplane-upstream')).toBe('openai/gpt-4.1');
    await closed.arrayBuffer();
    const after = await (await fetch(`${h.url}/metrics`)).text();
    expect(after).toMatch(/navplane_circuit_breaker_transitions_total\{provider="openai",to="half_open"\} [1-9]/);
    expect(after).toMatch(/navplane_circuit_breaker_transitions_total\{provider="openai",to="closed"\} [1-9]/);
  });

  it('lists the route names in GET /v1/models (OpenAI and Anthropic shapes)', async () => {
    const { key } = await org([
      openaiThenAzure(),
      { model: 'claude-smart', targets: [{ provider: 'anthropic', model: 'claude-sonnet-4-6' }] },
    ]);
    const ids: string[] = [];
    for await (const model of openai(key).models.list()) ids.push(model.id);
    expect(ids).toContain('smart');
    expect(ids).not.toContain('claude-smart');
    expect(ids.length).toBeGreaterThan(1);
    const anthropicIds: string[] = [];
    for await (const model of anthropic(key).models.list()) anthropicIds.push(model.id);
    expect(anthropicIds).toContain('claude-smart');
    expect(anthropicIds).not.toContain('smart');
  });

  it('a model that names no route goes to the provider as sent; a route of another format is refused', async () => {
    const { key } = await org([openaiThenAzure()]);
    const { data } = await openai(key)
      .chat.completions.create({ model: 'gpt-4o-mini', ...CHAT })
      .withResponse();
    expect(data.model).toBe('gpt-4o-mini');
    const wrong = await anthropic(key)
      .messages.create({ model: 'smart', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] })
      .catch((error: unknown) => error);
    expect((wrong as InstanceType<typeof Anthropic.APIError>).status).toBe(400);
    expect(h.upstream.requestCount).toBe(1);
  });

  it('passthrough: the client key goes only to targets of its provider, else 400', async () => {
    const { key } = await org([openaiThenAzure(), { model: 'azure-only', targets: [{ provider: 'azure-openai', model: 'gpt-4.1-eu' }] }]);
    const headers = { 'x-navplane-key': key, authorization: 'Bearer sk-client-own-key-0123456789', 'content-type': 'application/json' };
    // A vault request on the same route first: its plan (both targets) is kept, and must not serve the passthrough one.
    await openai(key).chat.completions.create({ model: 'smart', ...CHAT });
    expect(h.upstream.requestCount).toBe(1);
    h.upstream.enqueue({ kind: 'error', status: 500 });
    const res = await fetch(`${h.url}/v1/chat/completions`, { method: 'POST', headers, body: JSON.stringify({ model: 'smart', ...CHAT }) });
    // The Azure target is not the client key's provider: the attempts (one per target) start over on OpenAI instead.
    expect(res.status).toBe(200);
    expect(res.headers.get('x-navplane-attempts')).toBe('2');
    expect(res.headers.get('x-navplane-upstream')).toBe('openai/gpt-4.1');
    expect(h.upstream.requestCount).toBe(3);
    expect(h.upstream.lastRequest()?.headers.authorization).toBe('Bearer sk-client-own-key-0123456789');
    expect(b.requestCount).toBe(0);
    await res.arrayBuffer();
    const refused = await fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ model: 'azure-only', ...CHAT }),
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
  });

  it('loadbalance sends to the weighted pick first (seeded), the other as fallback', async () => {
    const { key } = await org([
      {
        model: 'split',
        strategy: 'loadbalance',
        targets: [
          { provider: 'openai', model: 'gpt-4.1', weight: 1 },
          { provider: 'azure-openai', model: 'gpt-4.1-eu', weight: 1 },
        ],
      },
    ]);
    const seen = new Map<string, number>();
    for (let i = 0; i < 40; i += 1) {
      const { response } = await openai(key)
        .chat.completions.create({ model: 'split', ...CHAT })
        .withResponse();
      const upstream = response.headers.get('x-navplane-upstream') ?? '';
      seen.set(upstream, (seen.get(upstream) ?? 0) + 1);
    }
    expect(seen.get('openai/gpt-4.1')).toBeGreaterThan(5);
    expect(seen.get('azure-openai/gpt-4.1-eu')).toBeGreaterThan(5);
  });
});
