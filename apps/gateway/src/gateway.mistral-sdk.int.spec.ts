import { Mistral } from '@mistralai/mistralai';
import { loadProviderFixtures, TEST_DIALECTS, type ProviderFixtures } from '@navplane/testing';
import { startKeyedGateway, type GatewayHarness } from './testing/gateway-harness.fixture';

jest.setTimeout(60_000);

// Mistral's official TypeScript SDK (`@mistralai/mistralai`) through the gateway (docs/gateway.md, "Mistral"):
// `serverURL` = `<gateway>/mistral`, the NavPlane key as `apiKey`, a fake upstream answering with Mistral's recorded
// wire format. The OpenAI-SDK view of the same provider is gateway.mistral.int.spec.ts.

const MISTRAL_TEST_KEY = 'mistral-test-vault-0123456789abcdef';
const fixtures = loadProviderFixtures('mistral') as ProviderFixtures;

const json = (name: string) => ({ kind: 'raw' as const, headers: { 'content-type': 'application/json' }, body: fixtures.file(name) });
const sse = (name: string) => ({ kind: 'raw' as const, headers: { 'content-type': 'text/event-stream' }, body: fixtures.file(name) });

describe.each(TEST_DIALECTS)('the Mistral SDK through the gateway on %s', (dialect) => {
  let h: GatewayHarness;
  let orgId: string;
  let key: string;

  beforeAll(async () => {
    ({ h, orgId, key } = await startKeyedGateway(dialect));
    await h.storeProviderKey(orgId, 'mistral', MISTRAL_TEST_KEY);
  });
  afterAll(() => h.close());
  beforeEach(() => h.upstream.reset());

  const client = () => new Mistral({ apiKey: key, serverURL: `${h.url}/mistral`, retryConfig: { strategy: 'none' } });

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

  it('answers chat.complete, recording usage, model and cost', async () => {
    h.upstream.enqueue(json('chat-completion.response.json'));
    const completion = await client().chat.complete({
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

  it('streams chat.stream as sent, with usage read from the stream', async () => {
    h.upstream.enqueue(sse('chat-completion.stream.sse'));
    const stream = await client().chat.stream({
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

  it('serves embeddings.create with usage and cost', async () => {
    h.upstream.enqueue(json('embeddings.response.json'));
    const embedding = await client().embeddings.create({ model: 'mistral-embed', inputs: ['hello'] });
    expect(embedding.data[0]?.embedding?.length).toBe(4);
    expectMistralKeyOnly('/v1/embeddings');
    const [trace] = await h.traces(orgId);
    expect(trace).toMatchObject({ provider: 'mistral', model: 'mistral-embed', tokensIn: 8, tokensOut: 0, costStatus: 'estimated' });
    expect(trace?.costUsd).toBeCloseTo((8 * 0.1) / 1e6, 12);
  });
});
