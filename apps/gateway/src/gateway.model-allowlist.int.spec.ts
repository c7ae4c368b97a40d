import { request as httpRequest } from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { expect } from '@jest/globals';
import OpenAI, { toFile } from 'openai';
import { sdkFetch, TEST_DIALECTS } from '@navplane/testing';
import { startKeyedGateway, type GatewayHarness } from './testing/gateway-harness.fixture';

jest.setTimeout(60_000);

const GEMINI_VAULT_KEY = 'AIzaSyGatewayVaultKey0123456789abcdef';
const ALLOWED = ['gpt-4o-mini', 'claude-sonnet-4-5', 'gemini-2.5-flash', 'whisper-1', 'text-embedding-3-small'];

/** The contract's JSON error of a refused request, and the status. */
async function refusal(promise: Promise<unknown>): Promise<{ status: number | undefined; error: unknown }> {
  try {
    await promise;
  } catch (error) {
    const status = (error as { status?: number }).status;
    const body = (error as { error?: unknown }).error;
    return { status, error: body };
  }
  throw new Error('expected the request to be refused');
}

/** POSTs `body` with `key`, sending it in two parts with a pause (so it is still arriving when the gateway reads it). */
function slowPost(url: string, key: string, contentType: string, parts: Buffer[]): Promise<{ status: number; body: string }> {
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': contentType, 'content-length': String(length) },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    void (async () => {
      for (const part of parts) {
        req.write(part);
        await new Promise((r) => setTimeout(r, 60));
      }
      req.end();
    })();
  });
}

describe.each(TEST_DIALECTS)('per-key model allowlists on %s', (dialect) => {
  let h: GatewayHarness;
  let orgId: string;
  let openKey: string;
  let limited: { key: string; id: string };
  const openai = (apiKey = limited.key) => new OpenAI({ apiKey, baseURL: `${h.url}/v1`, maxRetries: 0 });
  const anthropic = (apiKey = limited.key) => new Anthropic({ apiKey, baseURL: h.url, maxRetries: 0 });
  const gemini = (apiKey = limited.key) => new GoogleGenAI({ apiKey, httpOptions: { baseUrl: `${h.url}/gemini`, fetch: sdkFetch } });

  beforeAll(async () => {
    ({ h, orgId, key: openKey } = await startKeyedGateway(dialect));
    await h.storeProviderKey(orgId, 'gemini', GEMINI_VAULT_KEY);
    limited = await h.issueKey(orgId, { models: ALLOWED });
  });
  afterAll(() => h.close());
  beforeEach(() => h.upstream.reset());

  async function lastTrace() {
    const [trace] = await h.traces(orgId);
    return trace;
  }

  it('lets a listed model through (OpenAI chat, Anthropic messages, embeddings), body forwarded unchanged', async () => {
    const completion = await openai().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0]?.message.content).toContain('hi');
    expect(h.upstream.lastRequest()?.json).toMatchObject({ model: 'gpt-4o-mini' });
    const message = await anthropic().messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 16,
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(message.content[0]).toMatchObject({ type: 'text' });
    await openai().embeddings.create({ model: 'text-embedding-3-small', input: 'x' });
    expect(h.upstream.requestCount).toBe(3);
    expect(await lastTrace()).toMatchObject({ status: 200, model: expect.stringContaining('text-embedding-3-small') });
  });

  it('refuses an unlisted model with 403 model_not_allowed, no upstream call, traced under the key', async () => {
    const { status, error } = await refusal(
      openai().chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] }),
    );
    expect(status).toBe(403);
    // The openai SDK hands over the envelope's `error` member: the contract's shape.
    expect(error).toEqual({ message: 'This key may not use the model "gpt-4.1"', type: 'permission_error', code: 'model_not_allowed' });
    const denied = await refusal(
      anthropic().messages.create({ model: 'claude-opus-4-1', max_tokens: 16, messages: [{ role: 'user', content: 'x' }] }),
    );
    expect(denied.status).toBe(403);
    expect(denied.error).toMatchObject({ error: { code: 'model_not_allowed' } });
    expect(h.upstream.requestCount).toBe(0);
    expect(await lastTrace()).toMatchObject({
      keyId: limited.id,
      status: 403,
      errorClass: 'model_not_allowed',
      model: 'claude-opus-4-1',
      costUsd: 0,
    });
  });

  it('matches exactly and case-sensitively', async () => {
    for (const model of ['GPT-4o-mini', 'gpt-4o-mini ', 'gpt-4o-mini-2024-07-18']) {
      const { status } = await refusal(openai().chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }] }));
      expect(status).toBe(403);
    }
    expect(h.upstream.requestCount).toBe(0);
  });

  it('refuses a streamed request the same way, before any byte of a stream', async () => {
    const openaiStream = await refusal(
      openai().chat.completions.create({ model: 'o3', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    );
    expect(openaiStream).toMatchObject({ status: 403, error: { code: 'model_not_allowed' } });
    const anthropicStream = await refusal(
      (async () => {
        const stream = anthropic().messages.stream({
          model: 'claude-opus-4-1',
          max_tokens: 16,
          messages: [{ role: 'user', content: 'x' }],
        });
        await stream.finalMessage();
      })(),
    );
    expect(anthropicStream.status).toBe(403);
    expect(h.upstream.requestCount).toBe(0);
    // A listed model streams as usual.
    const stream = await openai().chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toContain('hi');
  });

  it('checks the model Gemini names in the path', async () => {
    const response = await gemini().models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hello' });
    expect(response.text).toContain('Hello');
    const { status } = await refusal(gemini().models.generateContent({ model: 'gemini-2.5-pro', contents: 'Hello' }));
    expect(status).toBe(403);
    const streamed = await refusal(
      (async () => {
        for await (const chunk of await gemini().models.generateContentStream({ model: 'gemini-2.5-pro', contents: 'Hi' })) void chunk;
      })(),
    );
    expect(streamed.status).toBe(403);
    expect(h.upstream.requestCount).toBe(1);
    expect(await lastTrace()).toMatchObject({ provider: 'gemini', status: 403, model: 'gemini-2.5-pro', errorClass: 'model_not_allowed' });
  });

  it('reads the model of a multipart upload, even one still arriving, and forwards the body byte for byte', async () => {
    h.upstream.enqueue({ kind: 'json', body: { text: 'hello' } });
    const file = await toFile(Buffer.alloc(200_000, 7), 'speech.wav', { type: 'audio/wav' });
    await openai().audio.transcriptions.create({ file, model: 'whisper-1' });
    expect(h.upstream.requestCount).toBe(1);
    const denied = await refusal(
      openai().audio.transcriptions.create({ file: await toFile(Buffer.alloc(10, 1), 'a.wav'), model: 'gpt-4o-transcribe' }),
    );
    expect(denied.status).toBe(403);

    const boundary = 'b0undary';
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\n`);
    const tail = Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n--${boundary}--\r\n`);
    const parts = [Buffer.concat([head, Buffer.alloc(600_000, 3)]), tail];
    h.upstream.enqueue({ kind: 'json', body: { text: 'slow' } });
    const slow = await slowPost(`${h.url}/v1/audio/transcriptions`, limited.key, `multipart/form-data; boundary=${boundary}`, parts);
    expect(slow.status).toBe(200);
    expect(h.upstream.lastRequest()?.body.equals(Buffer.concat(parts))).toBe(true);
    // Two different model fields: ambiguous, refused.
    const twice = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\ngpt-4o-transcribe\r\n--${boundary}--\r\n`,
    );
    const ambiguous = await slowPost(`${h.url}/v1/audio/transcriptions`, limited.key, `multipart/form-data; boundary=${boundary}`, [twice]);
    expect(ambiguous.status).toBe(403);
    expect(JSON.parse(ambiguous.body)).toMatchObject({
      error: { code: 'model_not_allowed', message: expect.stringMatching(/more than one/) },
    });
    expect(h.upstream.requestCount).toBe(2);
  });

  it('lets model-less routes through, refuses model-bearing ones whose model cannot be read', async () => {
    const models = await openai().models.list();
    expect(models.data.length).toBeGreaterThan(0);
    const anthropicModels = await anthropic().models.list();
    expect(anthropicModels.data.length).toBeGreaterThan(0);
    // count_tokens without a model runs nothing; with one, it is checked.
    h.upstream.enqueue({ kind: 'json', body: { input_tokens: 3 } });
    const counted = await fetch(`${h.url}/v1/messages/count_tokens`, {
      method: 'POST',
      headers: { 'x-api-key': limited.key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(counted.status).toBe(200);
    expect(
      (await refusal(anthropic().messages.countTokens({ model: 'claude-opus-4-1', messages: [{ role: 'user', content: 'x' }] }))).status,
    ).toBe(403);
    const before = h.upstream.requestCount;

    const post = (path: string, body: string, headers: Record<string, string> = {}) =>
      fetch(`${h.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${limited.key}`, 'content-type': 'application/json', ...headers },
        body,
      });
    const noModel = await post('/v1/chat/completions', JSON.stringify({ messages: [{ role: 'user', content: 'x' }] }));
    expect(noModel.status).toBe(403);
    expect(await noModel.json()).toMatchObject({ error: { code: 'model_not_allowed', message: expect.stringMatching(/names none/) } });
    const notJson = await post('/v1/embeddings', '{"model":"text-embedding-3-small",');
    expect(notJson.status).toBe(403);
    const gzipped = await post('/v1/embeddings', 'x', { 'content-encoding': 'gzip' });
    expect(gzipped.status).toBe(403);
    // A batch runs the models of an uploaded file: a top-level `model` does not make it checkable.
    const batch = await post(
      '/v1/batches',
      JSON.stringify({ model: 'gpt-4o-mini', input_file_id: 'file-1', endpoint: '/v1/chat/completions' }),
    );
    expect(batch.status).toBe(403);
    expect(await batch.json()).toMatchObject({ error: { code: 'model_not_allowed', message: expect.stringMatching(/cannot check/) } });
    expect(h.upstream.requestCount).toBe(before);
  });

  it('leaves keys without an allowlist unaffected', async () => {
    await openai(openKey).chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] });
    await anthropic(openKey).messages.create({ model: 'claude-opus-4-1', max_tokens: 16, messages: [{ role: 'user', content: 'x' }] });
    const batch = await fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${openKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [] }),
    });
    // The upstream answers (its own 400 for a missing model): the gateway did not refuse.
    expect(batch.status).toBe(400);
    expect(h.upstream.requestCount).toBe(3);
  });

  it('keeps the allowlist across a rotation, for the new key and the old one in its grace', async () => {
    const own = await h.issueKey(orgId, { models: ['gpt-4o-mini'] });
    const rotated = await h.rotateKey(orgId, own.id, 60);
    for (const key of [rotated.key, own.key]) {
      await openai(key).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      expect(
        (await refusal(openai(key).chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'x' }] }))).status,
      ).toBe(403);
    }
    expect(h.upstream.requestCount).toBe(2);
  });
});
