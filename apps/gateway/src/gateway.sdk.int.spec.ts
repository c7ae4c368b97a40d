import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { TEST_DIALECTS } from '@navplane/testing';
import {
  ANTHROPIC_PASSTHROUGH_KEY,
  ANTHROPIC_TEST_KEY,
  OPENAI_PASSTHROUGH_KEY,
  OPENAI_TEST_KEY,
  startKeyedGateway,
  type GatewayHarness,
} from './testing/gateway-harness.fixture';

jest.setTimeout(60_000);

// What the provider must never see: anything of NavPlane's.
function expectNothingOfNavPlane(headers: Record<string, unknown>, navplaneKey: string) {
  for (const [name, value] of Object.entries(headers)) {
    expect(name.startsWith('x-navplane')).toBe(false);
    expect(String(value)).not.toContain(navplaneKey);
    expect(String(value)).not.toMatch(/np_[A-Za-z0-9]/);
  }
}

describe.each(TEST_DIALECTS)('official SDKs through the gateway on %s', (dialect) => {
  let h: GatewayHarness;
  let orgId: string;
  let key: string;

  beforeAll(async () => ({ h, orgId, key } = await startKeyedGateway(dialect)));
  afterAll(() => h.close());
  beforeEach(() => h.upstream.reset());

  describe('openai (vault mode)', () => {
    const client = () => new OpenAI({ apiKey: key, baseURL: `${h.url}/v1`, maxRetries: 0 });

    it('answers a chat completion with the stored key injected', async () => {
      const { data: completion, response } = await client()
        .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hi' }] })
        .withResponse();
      expect(completion.choices[0]?.message.content).toContain('Say hi');
      expect(response.headers.get('x-navplane-trace-id')).toMatch(/^trc_/);
      expect(response.headers.get('x-request-id')).toBeTruthy();
      expect(Number(response.headers.get('x-navplane-overhead-ms'))).toBeGreaterThanOrEqual(0);
      const seen = h.upstream.lastRequest();
      expect(seen?.path).toBe('/v1/chat/completions');
      expect(seen?.headers['authorization']).toBe(`Bearer ${OPENAI_TEST_KEY}`);
      expectNothingOfNavPlane(seen?.headers ?? {}, key);

      const [trace] = await h.traces(orgId);
      expect(trace).toMatchObject({
        id: response.headers.get('x-navplane-trace-id'),
        provider: 'openai',
        status: 200,
        tokensIn: completion.usage?.prompt_tokens,
        tokensOut: completion.usage?.completion_tokens,
        costStatus: 'estimated',
        stream: false,
      });
      expect(trace?.costUsd).toBeGreaterThan(0);
    });

    it('streams a chat completion and records exact usage the client did not ask for', async () => {
      const stream = await client().chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Stream please' }],
        stream: true,
      });
      const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      expect(chunks.length).toBeGreaterThan(1);
      // The client asked for no usage, so it gets no usage-only chunk and no usage fields.
      expect(chunks.every((c) => c.choices.length > 0)).toBe(true);
      expect(chunks.every((c) => c.usage === undefined || c.usage === null)).toBe(true);
      const sent = h.upstream.lastRequest()?.json as { stream_options?: { include_usage?: boolean } };
      expect(sent.stream_options?.include_usage).toBe(true);

      const [trace] = await h.traces(orgId);
      expect(trace).toMatchObject({ stream: true, status: 200, costStatus: 'estimated' });
      expect(trace?.tokensOut).toBeGreaterThan(0);
      expect(trace?.tokensIn).toBeGreaterThan(0);
      expect(trace?.ttfbMs).not.toBeNull();
    });

    it('keeps the usage chunk when the client asked for it', async () => {
      const stream = await client().chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'With usage' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let usage: OpenAI.CompletionUsage | undefined | null;
      for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
      expect(usage?.completion_tokens).toBeGreaterThan(0);
      const [trace] = await h.traces(orgId);
      expect(trace?.tokensOut).toBe(usage?.completion_tokens);
    });

    it('serves embeddings and the Responses API', async () => {
      const embedding = await client().embeddings.create({ model: 'text-embedding-3-small', input: 'hello' });
      expect(embedding.data[0]?.embedding.length).toBeGreaterThan(0);
      const response = await client().responses.create({ model: 'gpt-4o-mini', input: 'hello there' });
      expect(response.output_text).toContain('hello there');
      const traces = await h.traces(orgId);
      expect(traces[0]?.tokensIn).toBe(response.usage?.input_tokens);
    });
  });

  describe('anthropic (vault mode)', () => {
    const client = () => new Anthropic({ apiKey: key, baseURL: h.url, maxRetries: 0 });

    it('answers a message with the stored key injected', async () => {
      const message = await client().messages.create({
        model: 'claude-sonnet-4-6',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'Hello Claude' }],
      });
      expect(message.content[0]?.type).toBe('text');
      const seen = h.upstream.lastRequest();
      expect(seen?.path).toBe('/v1/messages');
      expect(seen?.headers['x-api-key']).toBe(ANTHROPIC_TEST_KEY);
      expect(seen?.headers['authorization']).toBeUndefined();
      expect(seen?.headers['anthropic-version']).toBeTruthy();
      expectNothingOfNavPlane(seen?.headers ?? {}, key);
      const [trace] = await h.traces(orgId);
      expect(trace).toMatchObject({ provider: 'anthropic', status: 200, tokensOut: message.usage.output_tokens });
    });

    it('streams a message chunk by chunk with usage merged from message_start and message_delta', async () => {
      const stream = client().messages.stream({
        model: 'claude-sonnet-4-6',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'Stream to me' }],
      });
      const texts: string[] = [];
      stream.on('text', (t) => texts.push(t));
      const final = await stream.finalMessage();
      expect(texts.length).toBeGreaterThan(1);
      const [trace] = await h.traces(orgId);
      expect(trace).toMatchObject({ stream: true, tokensOut: final.usage.output_tokens });
      expect(trace?.tokensIn).toBeGreaterThan(0);
    });

    it('works on the /anthropic/v1 prefix too', async () => {
      const message = await new Anthropic({ apiKey: key, baseURL: `${h.url}/anthropic`, maxRetries: 0 }).messages.create({
        model: 'claude-sonnet-4-6',
        max_tokens: 16,
        messages: [{ role: 'user', content: 'prefix' }],
      });
      expect(message.role).toBe('assistant');
      expect(h.upstream.lastRequest()?.path).toBe('/v1/messages');
    });
  });

  describe('passthrough mode', () => {
    it('forwards the client’s own OpenAI key and never the NavPlane key', async () => {
      const client = new OpenAI({
        apiKey: OPENAI_PASSTHROUGH_KEY,
        baseURL: `${h.url}/openai/v1`,
        defaultHeaders: { 'X-NavPlane-Key': key },
        maxRetries: 0,
      });
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'byok' }],
        stream: true,
      });
      for await (const _ of stream) {
        // drain
      }
      const seen = h.upstream.lastRequest();
      expect(seen?.headers['authorization']).toBe(`Bearer ${OPENAI_PASSTHROUGH_KEY}`);
      expectNothingOfNavPlane(seen?.headers ?? {}, key);
      const [trace] = await h.traces(orgId);
      expect(trace?.status).toBe(200);
    });

    it('forwards the client’s own Anthropic key', async () => {
      const client = new Anthropic({
        apiKey: ANTHROPIC_PASSTHROUGH_KEY,
        baseURL: h.url,
        defaultHeaders: { 'X-NavPlane-Key': key },
        maxRetries: 0,
      });
      await client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 8, messages: [{ role: 'user', content: 'byok' }] });
      const seen = h.upstream.lastRequest();
      // Forwarded in whichever header the SDK used, exactly as sent.
      const sent = seen?.headers['x-api-key'] ?? seen?.headers['authorization'];
      expect([ANTHROPIC_PASSTHROUGH_KEY, `Bearer ${ANTHROPIC_PASSTHROUGH_KEY}`]).toContain(sent);
      expectNothingOfNavPlane(seen?.headers ?? {}, key);
    });
  });

  it('surfaces gateway refusals as SDK errors with the contract codes', async () => {
    const client = new OpenAI({ apiKey: 'np_not_a_real_key', baseURL: `${h.url}/v1`, maxRetries: 0 });
    await expect(
      client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
    expect(h.upstream.requests).toHaveLength(0);
  });
});
