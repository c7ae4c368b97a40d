import { GoogleGenAI } from '@google/genai';
import { expect } from '@jest/globals';
import { geminiGenerateStream, parseJsonAs, sdkFetch, TEST_DIALECTS } from '@navplane/testing';
import { startKeyedGateway, type GatewayHarness } from './testing/gateway-harness.fixture';

jest.setTimeout(60_000);

const GEMINI_VAULT_KEY = 'AIzaSyGatewayVaultKey0123456789abcdef';
const GEMINI_PASSTHROUGH_KEY = 'AIzaSyClientOwnKey0123456789abcdefgh';

// What Google must never see: anything of NavPlane's.
function expectNothingOfNavPlane(headers: Record<string, unknown>, navplaneKey: string): void {
  for (const [name, value] of Object.entries(headers)) {
    expect(name.startsWith('x-navplane')).toBe(false);
    expect(String(value)).not.toContain(navplaneKey);
    expect(String(value)).not.toMatch(/np_[A-Za-z0-9]/);
  }
}

describe.each(TEST_DIALECTS)('the Gemini API through the gateway with @google/genai on %s', (dialect) => {
  let h: GatewayHarness;
  let orgId: string;
  let key: string;

  beforeAll(async () => {
    ({ h, orgId, key } = await startKeyedGateway(dialect, { env: { NAVPLANE_CAPTURE_BODIES: 'true' } }));
    await h.storeProviderKey(orgId, 'gemini', GEMINI_VAULT_KEY);
  });
  afterAll(() => h.close());
  beforeEach(() => h.upstream.reset());

  // The SDK as documented: the NavPlane key in place of the Gemini key, the base URL `<gateway>/gemini`.
  const client = (apiKey = key, headers: Record<string, string> = {}) =>
    new GoogleGenAI({ apiKey, httpOptions: { baseUrl: `${h.url}/gemini`, headers, fetch: sdkFetch } });

  it('generates content with the stored key injected as x-goog-api-key, and records usage, model and cost', async () => {
    const response = await client().models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hello Gemini' });
    expect(response.text).toBe('This is a fake reply to: Hello Gemini');
    const seen = h.upstream.lastRequest();
    expect(seen).toMatchObject({ method: 'POST', path: '/v1/models/gemini-2.5-flash:generateContent', query: '' });
    expect(seen?.headers['x-goog-api-key']).toBe(GEMINI_VAULT_KEY);
    expect(seen?.headers['x-goog-api-client']).toMatch(/google-genai-sdk\//);
    expect(seen?.headers['authorization']).toBeUndefined();
    expectNothingOfNavPlane(seen?.headers ?? {}, key);

    const [trace] = await h.traces(orgId);
    expect(trace).toMatchObject({
      provider: 'gemini',
      model: 'gemini-2.5-flash',
      route: '/v1/models/gemini-2.5-flash:generateContent',
      status: 200,
      stream: false,
      tokensIn: response.usageMetadata?.promptTokenCount,
      tokensOut: response.usageMetadata?.candidatesTokenCount,
      costStatus: 'estimated',
    });
    // gemini-2.5-flash: $0.30 in, $2.50 out per million tokens.
    expect(trace?.costUsd).toBeCloseTo((3 * 0.3 + 8 * 2.5) / 1e6, 12);
  });

  it('counts thinking tokens as output and cached prompt tokens as cache reads', async () => {
    h.upstream.enqueue({
      kind: 'json',
      body: {
        candidates: [{ content: { parts: [{ text: 'Thought about it.' }], role: 'model' }, finishReason: 'STOP', index: 0 }],
        usageMetadata: { promptTokenCount: 3000, cachedContentTokenCount: 2048, candidatesTokenCount: 20, thoughtsTokenCount: 480 },
        modelVersion: 'gemini-2.5-pro',
      },
    });
    await client().models.generateContent({ model: 'gemini-2.5-pro', contents: 'Think' });
    const [trace] = await h.traces(orgId);
    expect(trace).toMatchObject({ model: 'gemini-2.5-pro', tokensIn: 3000, tokensOut: 500, cacheReadTokens: 2048 });
    // gemini-2.5-pro (prompts up to 200k): $1.25 in, $0.125 cached, $10 out.
    expect(trace?.costUsd).toBeCloseTo((952 * 1.25 + 2048 * 0.125 + 500 * 10) / 1e6, 12);
  });

  it('streams chunk by chunk (alt=sse), records the last usageMetadata and captures the assembled answer', async () => {
    const chunks = ['Streamed', ' one', ' by', ' one.'];
    h.upstream.enqueue({
      kind: 'sse',
      events: geminiGenerateStream({ model: 'gemini-2.5-flash', chunks, delayMs: 300, usage: { promptTokens: 12, thoughtsTokens: 5 } }),
    });
    const arrivals: number[] = [];
    const texts: string[] = [];
    for await (const chunk of await client().models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Stream please' })) {
      arrivals.push(performance.now());
      texts.push(chunk.text ?? '');
    }
    expect(texts).toEqual(chunks);
    // Each event reached the client as the fake sent it, 300 ms apart, not all at the end.
    expect((arrivals[1] ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThan(200);
    expect((arrivals[3] ?? 0) - (arrivals[2] ?? 0)).toBeGreaterThan(200);
    const seen = h.upstream.lastRequest();
    expect(seen).toMatchObject({ path: '/v1/models/gemini-2.5-flash:streamGenerateContent', query: 'alt=sse' });
    expect(seen?.headers['x-goog-api-key']).toBe(GEMINI_VAULT_KEY);
    expectNothingOfNavPlane(seen?.headers ?? {}, key);

    const [trace] = await h.traces(orgId);
    expect(trace).toMatchObject({
      stream: true,
      status: 200,
      model: 'gemini-2.5-flash',
      tokensIn: 12,
      tokensOut: 4 + 5,
      costStatus: 'estimated',
    });
    const captured = parseJsonAs<{ candidates: { content: { parts: { text: string }[] }; finishReason: string }[] }>(
      trace?.responseBody ?? '',
    );
    expect(captured.candidates).toEqual([
      { content: { parts: [{ text: 'Streamed one by one.' }], role: 'model' }, finishReason: 'STOP', index: 0 },
    ]);
  });

  it('counts tokens (the model from the URL, nothing billed)', async () => {
    const counted = await client().models.countTokens({ model: 'gemini-2.5-flash', contents: 'Count these words' });
    expect(counted.totalTokens).toBe(5);
    expect(h.upstream.lastRequest()?.path).toBe('/v1/models/gemini-2.5-flash:countTokens');
    const [trace] = await h.traces(orgId);
    expect(trace).toMatchObject({ model: 'gemini-2.5-flash', status: 200, tokensIn: null, tokensOut: null });
  });

  it('embeds (the SDK calls batchEmbedContents) and prices the embedding tokens with the model from the URL', async () => {
    const embedded = await client().models.embedContent({ model: 'gemini-embedding-001', contents: ['first text', 'second text'] });
    expect(embedded.embeddings).toHaveLength(2);
    expect(h.upstream.lastRequest()?.path).toBe('/v1/models/gemini-embedding-001:batchEmbedContents');
    const [trace] = await h.traces(orgId);
    // 'first text' + 'second text': ceil(10 / 4) + ceil(11 / 4) = 6 tokens at $0.15 per million.
    expect(trace).toMatchObject({ model: 'gemini-embedding-001', tokensIn: 6, tokensOut: 0, costStatus: 'estimated' });
    expect(trace?.costUsd).toBeCloseTo((6 * 0.15) / 1e6, 12);
  });

  it('serves the single :embedContent of REST users, the NavPlane key in x-goog-api-key', async () => {
    const res = await fetch(`${h.url}/gemini/v1beta/models/gemini-embedding-001:embedContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': key },
      body: JSON.stringify({ content: { parts: [{ text: 'embed me' }] } }),
    });
    expect(res.status).toBe(200);
    expect(parseJsonAs<{ embedding: { values: number[] } }>(await res.text()).embedding.values.length).toBe(8);
    expect(h.upstream.lastRequest()?.headers['x-goog-api-key']).toBe(GEMINI_VAULT_KEY);
    const [trace] = await h.traces(orgId);
    expect(trace).toMatchObject({ model: 'gemini-embedding-001', tokensIn: 2, costStatus: 'estimated' });
  });

  it('lists models, also under v1beta', async () => {
    const names: string[] = [];
    for await (const model of await client().models.list()) names.push(model.name ?? '');
    expect(names).toContain('models/gemini-2.5-flash');
    expect(h.upstream.lastRequest()?.path).toBe('/v1/models');
    const res = await fetch(`${h.url}/gemini/v1beta/models/gemini-2.5-pro`, { headers: { 'x-goog-api-key': key } });
    expect(res.status).toBe(200);
    expect(h.upstream.lastRequest()).toMatchObject({ path: '/v1beta/models/gemini-2.5-pro' });
    expect(h.upstream.lastRequest()?.headers['x-goog-api-key']).toBe(GEMINI_VAULT_KEY);
  });

  it('forwards the client’s own Gemini key in passthrough mode, the NavPlane key in X-NavPlane-Key', async () => {
    await client(GEMINI_PASSTHROUGH_KEY, { 'X-NavPlane-Key': key }).models.generateContent({ model: 'gemini-2.5-flash', contents: 'Mine' });
    const seen = h.upstream.lastRequest();
    expect(seen?.headers['x-goog-api-key']).toBe(GEMINI_PASSTHROUGH_KEY);
    expectNothingOfNavPlane(seen?.headers ?? {}, key);
  });

  it.each([
    ['alone', {}],
    ['beside a header key', { 'x-goog-api-key': 'header' }],
  ])(
    'refuses a NavPlane key in the query (%s) with 400 invalid_request and no upstream call: it would reach Google',
    async (_case, extra) => {
      for (const query of [`key=${key}`, `alt=sse&key=${key.replace('_', '%5F')}`]) {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if ('x-goog-api-key' in extra) headers['x-goog-api-key'] = key;
        const res = await fetch(`${h.url}/gemini/v1beta/models/gemini-2.5-flash:generateContent?${query}`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] }),
        });
        expect(res.status).toBe(400);
        const body = await res.text();
        expect(JSON.parse(body)).toMatchObject({ error: { code: 'invalid_request' } });
        expect(body).not.toContain(key);
      }
      expect(h.upstream.requestCount).toBe(0);
    },
  );

  it('answers 404 route_not_found for what the native API does not serve, before any upstream call', async () => {
    const res = await fetch(`${h.url}/gemini/v1beta/files`, { headers: { 'x-goog-api-key': key } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'route_not_found' } });
    expect(h.upstream.requestCount).toBe(0);
  });
});
