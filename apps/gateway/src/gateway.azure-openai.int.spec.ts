import type { LookupAddress } from 'node:dns';
import OpenAI, { AzureOpenAI } from 'openai';
import type { ResolveAll } from '@navplane/egress';
import { loadProviderFixtures, TEST_DIALECTS, type ProviderFixtures } from '@navplane/testing';
import { startKeyedGateway, type GatewayHarness } from './testing/gateway-harness.fixture';

jest.setTimeout(60_000);

// Azure OpenAI through the gateway (docs/gateway.md, "Azure OpenAI"): the official `openai` SDK's `AzureOpenAI` client
// with `endpoint` = `<gateway>/azure-openai` (deployment paths, `api-version`), and `OpenAI` with `baseURL` =
// `<gateway>/azure-openai/openai/v1` (the v1 API), against a fake upstream answering with Azure's recorded wire format
// (libs/testing/fixtures/providers/azure-openai). The upstream is the tenant's endpoint stored with the org's key; it
// listens on 127.0.0.1, which NAVPLANE_UPSTREAM_ALLOWLIST lets it reach (a tenant URL must otherwise be https and public).

const AZURE_TEST_KEY = '0123456789abcdef0123456789abcdef';
const AZURE_BYOK = 'fedcba9876543210fedcba9876543210';
const API_VERSION = '2024-10-21';
const fixtures = loadProviderFixtures('azure-openai') as ProviderFixtures;

const json = (name: string, headers: Record<string, string> = {}) => ({
  kind: 'raw' as const,
  headers: { 'content-type': 'application/json', ...headers },
  body: fixtures.file(name),
});
const sse = (name: string) => ({ kind: 'raw' as const, headers: { 'content-type': 'text/event-stream' }, body: fixtures.file(name) });

/** A resolver the test controls (the egress guard's), so a name can turn private between two requests. */
function controlledDns() {
  const names = new Map<string, string[]>();
  const resolveAll: ResolveAll = (hostname) => {
    const addresses = names.get(hostname);
    if (addresses === undefined)
      return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
    return Promise.resolve(addresses.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 })));
  };
  return { resolveAll, set: (name: string, addresses: string[]) => names.set(name, addresses) };
}

describe.each(TEST_DIALECTS)('azure-openai through the gateway on %s', (dialect) => {
  const dns = controlledDns();
  let h: GatewayHarness;
  let orgId: string;
  let key: string;
  let endpoint: string;

  beforeAll(async () => {
    ({ h, orgId, key } = await startKeyedGateway(dialect, {
      env: { NAVPLANE_UPSTREAM_ALLOWLIST: '127.0.0.1' },
      resolveAll: dns.resolveAll,
    }));
    endpoint = `http://127.0.0.1:${h.upstream.port}`;
    await h.storeProviderKey(orgId, 'azure-openai', AZURE_TEST_KEY, endpoint);
  });
  afterAll(() => h.close());
  beforeEach(() => h.upstream.reset());

  const azure = (options: { apiKey?: string; deployment?: string; headers?: Record<string, string> } = {}) =>
    new AzureOpenAI({
      endpoint: `${h.url}/azure-openai`,
      apiKey: options.apiKey ?? key,
      apiVersion: API_VERSION,
      deployment: options.deployment ?? 'my-gpt4o',
      maxRetries: 0,
      ...(options.headers === undefined ? {} : { defaultHeaders: options.headers }),
    });

  /** The request the upstream saw carried `apiKey` in `api-key` and nothing of NavPlane's. */
  function expectAzureKeyOnly(path: string, apiKey = AZURE_TEST_KEY) {
    const seen = h.upstream.lastRequest();
    expect(seen?.path).toBe(path);
    expect(seen?.headers['api-key']).toBe(apiKey);
    expect(seen?.headers['authorization']).toBeUndefined();
    for (const [name, value] of Object.entries(seen?.headers ?? {})) {
      expect(name.startsWith('x-navplane')).toBe(false);
      expect(String(value)).not.toContain(key);
      expect(String(value)).not.toMatch(/np_[A-Za-z0-9]/);
    }
  }

  it('answers AzureOpenAI on a deployment path, query unchanged, recording usage, model and cost', async () => {
    h.upstream.enqueue(json('chat-completion.response.json'));
    const { data: completion, response } = await azure()
      .chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Capital of France?' }] })
      .withResponse();
    expect(completion.choices[0]?.message.content).toBe('Paris is the capital of France.');
    expectAzureKeyOnly('/openai/deployments/my-gpt4o/chat/completions');
    expect(h.upstream.lastRequest()?.query).toBe(`api-version=${API_VERSION}`);

    const [trace] = await h.traces(orgId);
    expect(trace).toMatchObject({
      id: response.headers.get('x-navplane-trace-id'),
      provider: 'azure-openai',
      model: 'gpt-4o-2024-11-20',
      status: 200,
      stream: false,
      tokensIn: 1300,
      tokensOut: 8,
      cacheReadTokens: 1024,
      costStatus: 'estimated',
    });
    // OpenAI's gpt-4o list price (Azure's equals it): $2.5 in, $1.25 cached, $10 out per million tokens.
    expect(trace?.costUsd).toBeCloseTo((276 * 2.5 + 1024 * 1.25 + 8 * 10) / 1e6, 12);
  });

  it('checks a key’s model allowlist on the deployment the client calls, before anything goes upstream', async () => {
    const { key: restricted } = await h.issueKey(orgId, { models: ['my-gpt4o'] });
    h.upstream.enqueue(json('chat-completion.response.json'));
    const allowed = await azure({ apiKey: restricted })
      .chat.completions.create({ model: 'anything', messages: [{ role: 'user', content: 'Hi' }] })
      .withResponse();
    expect(allowed.response.status).toBe(200);
    expect(h.upstream.requests).toHaveLength(1);
    const refused = await azure({ apiKey: restricted, deployment: 'other-deployment' })
      .chat.completions.create({ model: 'my-gpt4o', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 403, code: 'model_not_allowed' });
    expect(h.upstream.requests).toHaveLength(1);
  });

  it('streams on a deployment path with exact usage (stream_options added upstream, hidden from the client)', async () => {
    h.upstream.enqueue(sse('chat-completion.stream.sse'));
    const stream = await azure().chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Capital of France?' }],
      stream: true,
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('Paris is the capital of France.');
    expect(chunks.some((chunk) => chunk.usage != null)).toBe(false);
    expect(h.upstream.lastRequest()?.json).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expectAzureKeyOnly('/openai/deployments/my-gpt4o/chat/completions');

    const [trace] = await h.traces(orgId);
    expect(trace).toMatchObject({ provider: 'azure-openai', model: 'gpt-4o-2024-11-20', stream: true, tokensIn: 1300, tokensOut: 8 });
    expect(trace?.costUsd).toBeCloseTo((276 * 2.5 + 1024 * 1.25 + 8 * 10) / 1e6, 12);
  });

  it('answers the OpenAI SDK on the v1 API (Authorization: Bearer np_…), the stored key injected as api-key', async () => {
    h.upstream.enqueue(json('embeddings.response.json'));
    const client = new OpenAI({ apiKey: key, baseURL: `${h.url}/azure-openai/openai/v1`, maxRetries: 0 });
    const embedding = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello' });
    expect(embedding.usage.prompt_tokens).toBe(6);
    expectAzureKeyOnly('/openai/v1/embeddings');
    expect(h.upstream.lastRequest()?.query).toBe('');
    const [trace] = await h.traces(orgId);
    expect(trace).toMatchObject({ provider: 'azure-openai', model: 'text-embedding-3-small', tokensIn: 6, costStatus: 'estimated' });
  });

  it('records the deployment as the model when neither the response nor the body names one, and cost unknown off the price table', async () => {
    h.upstream.enqueue(json('legacy-model.response.json'));
    await azure({ deployment: 'legacy' }).chat.completions.create({
      model: 'gpt-35-turbo',
      messages: [{ role: 'user', content: 'Bonjour' }],
    });
    const [priced] = await h.traces(orgId);
    expect(priced).toMatchObject({ model: 'gpt-35-turbo', tokensIn: 12, tokensOut: 4, costStatus: 'unknown', costUsd: null });

    h.upstream.enqueue({
      kind: 'raw',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from('{"data":[{"url":"https://x/y.png"}]}'),
    });
    const res = await fetch(`${h.url}/azure-openai/openai/deployments/my-dalle/images/generations?api-version=${API_VERSION}`, {
      method: 'POST',
      headers: { 'api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'A lighthouse at dusk' }),
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const [traced] = await h.traces(orgId);
    expect(traced).toMatchObject({ provider: 'azure-openai', model: 'my-dalle' });
  });

  it('forwards the client’s own api-key in passthrough, to the endpoint stored with the org’s key', async () => {
    h.upstream.enqueue(json('chat-completion.response.json'));
    await azure({ apiKey: AZURE_BYOK, headers: { 'X-NavPlane-Key': key } }).chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Capital of France?' }],
    });
    expectAzureKeyOnly('/openai/deployments/my-gpt4o/chat/completions', AZURE_BYOK);
  });

  it('refuses an org without a stored azure-openai key (and so without an endpoint) with 400 provider_key_missing', async () => {
    const other = await h.createOrg('no-azure');
    const { key: otherKey } = await h.issueKey(other);
    const error = await azure({ apiKey: otherKey })
      .chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('provider_key_missing');
    expect(h.upstream.requestCount).toBe(0);
  });

  it('refuses with 502 upstream_unreachable, at the next connection, a stored endpoint whose name turned private', async () => {
    const org = await h.createOrg('rebinding');
    const { key: orgKey } = await h.issueKey(org);
    // Stored while its name resolves to an allowlisted address; each answer closes the connection, so every request
    // connects (and resolves) again.
    dns.set('tenant.azure.test', ['127.0.0.1']);
    await h.storeProviderKey(org, 'azure-openai', AZURE_TEST_KEY, `http://tenant.azure.test:${h.upstream.port}`);
    const client = azure({ apiKey: orgKey });
    h.upstream.enqueue(json('chat-completion.response.json', { connection: 'close' }));
    await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(h.upstream.requestCount).toBe(1);

    for (const turned of ['169.254.169.254', '10.0.0.1']) {
      dns.set('tenant.azure.test', [turned]);
      const error = await client.chat.completions
        .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect([(error as InstanceType<typeof OpenAI.APIError>).status, (error as InstanceType<typeof OpenAI.APIError>).code]).toEqual([
        502,
        'upstream_unreachable',
      ]);
    }
    expect(h.upstream.requestCount).toBe(1);
    const traces = await h.traces(org);
    expect(traces.slice(0, 2).map((trace) => [trace.status, trace.errorClass, trace.upstreamFailure])).toEqual([
      [502, 'upstream_unreachable', 'egress_refused'],
      [502, 'upstream_unreachable', 'egress_refused'],
    ]);
  });

  it('never follows a redirect: a 3xx from the tenant endpoint goes back to the client as is', async () => {
    h.upstream.enqueue({
      kind: 'raw',
      status: 307,
      headers: { location: 'http://169.254.169.254/latest/meta-data', 'content-type': 'application/json' },
      body: Buffer.from('{}'),
    });
    const res = await fetch(`${h.url}/azure-openai/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [] }),
      redirect: 'manual',
    });
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toBe('http://169.254.169.254/latest/meta-data');
    await res.arrayBuffer();
    expect(h.upstream.requestCount).toBe(1);
  });
});
