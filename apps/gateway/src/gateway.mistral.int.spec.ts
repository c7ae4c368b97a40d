import { Mistral } from '@mistralai/mistralai';
import OpenAI from 'openai';
import { loadProviderFixtures, TEST_DIALECTS, type ProviderFixtures } from '@navplane/testing';
import { startKeyedGateway, type GatewayHarness } from './testing/gateway-harness.fixture';

jest.setTimeout(60_000);

// Mistral through the gateway (docs/gateway.md, "Mistral"): Mistral's official SDK (`@mistralai/mistralai`, `serverURL`
// = `<gateway>/mistral`) and the `openai` SDK pointed at `<gateway>/mistral/v1` (Mistral's API is OpenAI-compatible
// for chat and embeddings), a fake upstream answering with Mistral's recorded wire
// format (libs/testing/fixtures/providers/mistral), the org's stored Mistral key injected as `Authorization: Bearer`.

const MISTRAL_TEST_KEY = 'mistral-test-vault-0123456789abcdef';
const fixtures = loadProviderFixtures('mistral') as ProviderFixtures;

const json = (name: string) => ({ kind: 'raw' as const, headers: { 'content-type': 'application/json' }, body: fixtures.file(name) });
const sse = (name: string) => ({ kind: 'raw' as const, headers: { 'content-type': 'text/event-stream' }, body: fixtures.file(name) });

describe.each(TEST_DIALECTS)('mistral through the gateway on %s', (dialect) => {
  let h: GatewayHarness;
  let orgId: string;
  let key: string;

  beforeAll(async () => {
    ({ h, orgId, key } = await startKeyedGateway(dialect));
    await h.storeProviderKey(orgId, 'mistral', MISTRAL_TEST_KEY);
  });
  afterAll(() => h.close());
  beforeEach(() => h.upstream.reset());

  const client = () => new OpenAI({ apiKey: key, baseURL: `${h.url}/mistral/v1`, maxRetries: 0 });
  const mistral = () => new Mistral({ apiKey: key, serverURL: `${h.url}/mistral`, retryConfig: { strategy: 'none' } });

  /** The request the upstream saw carried the stored Mistral key and nothing of NavPlane's. */
  function expectMistralKeyOnly(path: string) {
    const seen = h.upstream.lastRequest();
    expect(seen?.path).toBe(path);
    expect(seen?.headers['authorization']).toBe(`Bearer ${MISTRAL_TEST_KEY}`);
    for (const [name, value] of Object.entries(seen?.headers ?? {})) {
      expect(name.startsWith('x-navplane')).toBe(false);
      expect(String(value)).not.toContain(key);
      expect(String(value)).not.toMatch(/np_[A-Za-z0-9]/);
    }
  }

  it('answers a chat completion, recording usage, model and cost', async () => {
    h.upstream.enqueue(json('chat-completion.response.json'));
    const { data: completion, response } = await client()
      .chat.completions.create({ model: 'mistral-small-latest', messages: [{ role: 'user', content: 'Capital of France?' }] })
      .withResponse();
    expect(completion.choices[0]?.message.content).toBe('Paris is the capital of France.');
    expectMistralKeyOnly('/v1/chat/completions');

    const [trace] = await h.traces(orgId);
    expect(trace).toMatchObject({
      id: response.headers.get('x-navplane-trace-id'),
      provider: 'mistral',
      model: 'mistral-small-latest',
      status: 200,
      stream: false,
      tokensIn: 24,
      tokensOut: 9,
      costStatus: 'estimated',
    });
    // mistral-small since 2025-01-30: $0.1 in, $0.3 out per million tokens.
    expect(trace?.costUsd).toBeCloseTo((24 * 0.1 + 9 * 0.3) / 1e6, 12);
  });

  it('streams a chat completion as sent, its usage read from the last chunk, and never adds stream_options', async () => {
    h.upstream.enqueue(sse('chat-completion.stream.sse'));
    const stream = await client().chat.completions.create({
      model: 'mistral-small-latest',
      messages: [{ role: 'user', content: 'Capital of France?' }],
      stream: true,
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('Paris is the capital of France.');
    // Mistral reports usage in its last chunk unasked; the client gets the stream exactly as Mistral sent it.
    expect(chunks.at(-1)?.usage).toEqual({ prompt_tokens: 24, total_tokens: 33, completion_tokens: 9 });
    const sent = h.upstream.lastRequest()?.json as Record<string, unknown>;
    expect(sent).toEqual({ model: 'mistral-small-latest', messages: [{ role: 'user', content: 'Capital of France?' }], stream: true });
    expectMistralKeyOnly('/v1/chat/completions');

    const [trace] = await h.traces(orgId);
    expect(trace).toMatchObject({ provider: 'mistral', model: 'mistral-small-latest', stream: true, tokensIn: 24, tokensOut: 9 });
    expect(trace?.costStatus).toBe('estimated');
    expect(trace?.costUsd).toBeCloseTo((24 * 0.1 + 9 * 0.3) / 1e6, 12);
  });

  it('serves embeddings and fill-in-the-middle completions with usage and cost', async () => {
    h.upstream.enqueue(json('embeddings.response.json'));
    const embedding = await client().embeddings.create({ model: 'mistral-embed', input: 'hello', encoding_format: 'float' });
    expect(embedding.data[0]?.embedding.length).toBe(4);
    expectMistralKeyOnly('/v1/embeddings');

    h.upstream.enqueue(json('fim-completion.response.json'));
    const fim = await client().post<{ model: string }>('/fim/completions', {
      body: { model: 'codestral-latest', prompt: 'def add(a, b):', suffix: '\n\nprint(add(1, 2))' },
    });
    expect(fim.model).toBe('codestral-2501');
    expectMistralKeyOnly('/v1/fim/completions');

    const [fimTrace, embeddingTrace] = await h.traces(orgId);
    expect(embeddingTrace).toMatchObject({
      provider: 'mistral',
      model: 'mistral-embed',
      tokensIn: 8,
      tokensOut: 0,
      costStatus: 'estimated',
    });
    expect(embeddingTrace?.costUsd).toBeCloseTo((8 * 0.1) / 1e6, 12);
    expect(fimTrace).toMatchObject({ provider: 'mistral', model: 'codestral-2501', tokensIn: 14, tokensOut: 6, costStatus: 'estimated' });
    expect(fimTrace?.costUsd).toBeCloseTo((14 * 0.3 + 6 * 0.9) / 1e6, 12);
  });

  it('refuses a path outside Mistral’s API with route_not_found, before any upstream call', async () => {
    const res = await fetch(`${h.url}/mistral/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('route_not_found');
    expect(h.upstream.lastRequest()).toBeUndefined();
  });

  it('answers the Mistral SDK’s chat.complete, recording usage, model and cost', async () => {
    h.upstream.enqueue(json('chat-completion.response.json'));
    const completion = await mistral().chat.complete({
      model: 'mistral-small-latest',
      messages: [{ role: 'user', content: 'Capital of France?' }],
    });
    expect(completion.choices[0]?.message?.content).toBe('Paris is the capital of France.');
    expect(completion.usage).toMatchObject({ promptTokens: 24, completionTokens: 9 });
    expectMistralKeyOnly('/v1/chat/completions');
    const [trace] = await h.traces(orgId);
    expect(trace).toMatchObject({
      provider: 'mistral',
      model: 'mistral-small-latest',
      status: 200,
      stream: false,
      tokensIn: 24,
      tokensOut: 9,
    });
    expect(trace?.costUsd).toBeCloseTo((24 * 0.1 + 9 * 0.3) / 1e6, 12);
  });

  it('streams the Mistral SDK’s chat.stream as sent, with usage read from the stream', async () => {
    h.upstream.enqueue(sse('chat-completion.stream.sse'));
    const stream = await mistral().chat.stream({
      model: 'mistral-small-latest',
      messages: [{ role: 'user', content: 'Capital of France?' }],
    });
    let text = '';
    for await (const event of stream) {
      const content = event.data.choices[0]?.delta.content;
      if (typeof content === 'string') text += content;
    }
    expect(text).toBe('Paris is the capital of France.');
    expectMistralKeyOnly('/v1/chat/completions');
    const [trace] = await h.traces(orgId);
    expect(trace).toMatchObject({ provider: 'mistral', model: 'mistral-small-latest', stream: true, tokensIn: 24, tokensOut: 9 });
    expect(trace?.costStatus).toBe('estimated');
  });

  it('serves the Mistral SDK’s embeddings.create with usage and cost', async () => {
    h.upstream.enqueue(json('embeddings.response.json'));
    const embedding = await mistral().embeddings.create({ model: 'mistral-embed', inputs: ['hello'] });
    expect(embedding.data[0]?.embedding?.length).toBe(4);
    expectMistralKeyOnly('/v1/embeddings');
    const [trace] = await h.traces(orgId);
    expect(trace).toMatchObject({ provider: 'mistral', model: 'mistral-embed', tokensIn: 8, tokensOut: 0, costStatus: 'estimated' });
    expect(trace?.costUsd).toBeCloseTo((8 * 0.1) / 1e6, 12);
  });
});
