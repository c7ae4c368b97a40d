import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { startFakeUpstream, TEST_DIALECTS, type FakeUpstream } from '@navplane/testing';
import { startKeyedGateway, type GatewayHarness } from './testing/gateway-harness.fixture';

jest.setTimeout(60_000);

// Operator-defined OpenAI-compatible providers (docs/configuration.md, "Operator-defined providers"): the config
// file's `providers` list, each routed at `/<id>/v1/*` to `<baseUrl>/v1/*` with the org's key sent as its `auth`
// says, reached with the official `openai` SDK; no prices, so the cost is unknown.

const VLLM_KEY = 'vllm-token-vault-0123456789abcdef';
const GROQ_LIKE_KEY = 'gsk-like-vault-0123456789abcdef';

describe.each(TEST_DIALECTS)('operator-defined providers through the gateway on %s', (dialect) => {
  let vllm: FakeUpstream;
  let groqLike: FakeUpstream;
  let dir: string;
  let h: GatewayHarness;
  let orgId: string;
  let key: string;

  beforeAll(async () => {
    vllm = await startFakeUpstream();
    groqLike = await startFakeUpstream();
    dir = await mkdtemp(join(tmpdir(), 'navplane-providers-'));
    const configFile = join(dir, 'navplane.yaml');
    await writeFile(
      configFile,
      [
        'providers:',
        `  - { id: vllm, baseUrl: "${vllm.url}", auth: bearer }`,
        `  - { id: groq-like, baseUrl: "${groqLike.url}", auth: "header:x-api-key" }`,
      ].join('\n'),
    );
    ({ h, orgId, key } = await startKeyedGateway(dialect, { env: { NAVPLANE_CONFIG: configFile } }));
    await h.storeProviderKey(orgId, 'vllm', VLLM_KEY);
    await h.storeProviderKey(orgId, 'groq-like', GROQ_LIKE_KEY);
  });
  afterAll(async () => {
    await h.close();
    await vllm.close();
    await groqLike.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    vllm.reset();
    groqLike.reset();
  });

  /** The upstream saw only its stored key in `header` (and no other credential), and nothing of NavPlane's. */
  function expectInjected(upstream: FakeUpstream, path: string, header: string, value: string) {
    const seen = upstream.lastRequest();
    expect(seen?.path).toBe(path);
    expect(seen?.headers[header]).toBe(value);
    for (const other of ['authorization', 'x-api-key'].filter((name) => name !== header)) expect(seen?.headers[other]).toBeUndefined();
    for (const [name, sent] of Object.entries(seen?.headers ?? {})) {
      expect(name.startsWith('x-navplane')).toBe(false);
      expect(String(sent)).not.toContain(key);
    }
  }

  it('answers a chat completion at /vllm/v1 with the stored key as Authorization: Bearer', async () => {
    const client = new OpenAI({ apiKey: key, baseURL: `${h.url}/vllm/v1`, maxRetries: 0 });
    const completion = await client.chat.completions.create({
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      messages: [{ role: 'user', content: 'Hi vLLM' }],
    });
    expect(completion.choices[0]?.message.content).toContain('Hi vLLM');
    expectInjected(vllm, '/v1/chat/completions', 'authorization', `Bearer ${VLLM_KEY}`);
    expect(groqLike.lastRequest()).toBeUndefined();

    const [trace] = await h.traces(orgId);
    expect(trace).toMatchObject({
      provider: 'vllm',
      model: completion.model,
      status: 200,
      stream: false,
      tokensIn: completion.usage?.prompt_tokens,
      tokensOut: completion.usage?.completion_tokens,
      costStatus: 'unknown',
      costUsd: null,
    });
  });

  it('streams a chat completion at /vllm/v1 with exact usage in the trace', async () => {
    const client = new OpenAI({ apiKey: key, baseURL: `${h.url}/vllm/v1`, maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      messages: [{ role: 'user', content: 'Stream' }],
      stream: true,
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(1);
    expectInjected(vllm, '/v1/chat/completions', 'authorization', `Bearer ${VLLM_KEY}`);

    const [trace] = await h.traces(orgId);
    expect(trace).toMatchObject({
      provider: 'vllm',
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      stream: true,
      costStatus: 'unknown',
      costUsd: null,
    });
    expect(trace?.tokensIn).toBeGreaterThan(0);
    expect(trace?.tokensOut).toBeGreaterThan(0);
  });

  it('sends the key of a header-authenticated provider in its header, and takes the NavPlane key there too', async () => {
    const client = new OpenAI({
      apiKey: 'unused',
      baseURL: `${h.url}/groq-like/v1`,
      maxRetries: 0,
      defaultHeaders: { 'x-api-key': key, authorization: null },
    });
    const completion = await client.chat.completions.create({
      model: 'llama-3.3-70b-versatile',
      messages: [{ role: 'user', content: 'Hi Groq' }],
    });
    expect(completion.choices[0]?.message.content).toContain('Hi Groq');
    expectInjected(groqLike, '/v1/chat/completions', 'x-api-key', GROQ_LIKE_KEY);

    const [trace] = await h.traces(orgId);
    expect(trace).toMatchObject({
      provider: 'groq-like',
      model: completion.model,
      tokensIn: completion.usage?.prompt_tokens,
      costStatus: 'unknown',
    });
  });

  it('answers 400 provider_key_missing for a configured provider without a stored key, and 404 for an unknown one', async () => {
    const otherOrg = await h.createOrg('no-keys');
    const { key: otherKey } = await h.issueKey(otherOrg);
    const res = await fetch(`${h.url}/vllm/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${otherKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [] }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('provider_key_missing');
    const unknown = await fetch(`${h.url}/not-configured/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(unknown.status).toBe(404);
    expect(vllm.lastRequest()).toBeUndefined();
  });
});
