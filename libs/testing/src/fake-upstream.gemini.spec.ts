import { GoogleGenAI } from '@google/genai';
import { expect } from '@jest/globals';
import { startFakeUpstream } from './fake-upstream.server';
import type { FakeUpstream } from './fake-upstream.types';
import { parseJsonAs } from './json-body';
import { sdkFetch } from './gemini.fixtures';

let fake: FakeUpstream;
beforeAll(async () => {
  fake = await startFakeUpstream({ acceptKeys: ['AIzaFakeUpstreamKey'] });
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

function client(apiKey = 'AIzaFakeUpstreamKey'): GoogleGenAI {
  return new GoogleGenAI({ apiKey, httpOptions: { baseUrl: fake.url, fetch: sdkFetch } });
}

describe('built-in Gemini routes (the native API, as @google/genai calls it)', () => {
  it('answers generateContent with the reply and usageMetadata, and records the request as Gemini', async () => {
    const response = await client().models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hello Gemini' });
    expect(response.text).toBe('This is a fake reply to: Hello Gemini');
    expect(response.modelVersion).toBe('gemini-2.5-flash');
    expect(response.usageMetadata).toMatchObject({ promptTokenCount: 3, candidatesTokenCount: 8, totalTokenCount: 11 });
    expect(fake.lastRequest()).toMatchObject({ provider: 'gemini', method: 'POST', path: '/v1/models/gemini-2.5-flash:generateContent' });
  });

  it('streams with alt=sse: one GenerateContentResponse per event, the last with finishReason and the total', async () => {
    const chunks: string[] = [];
    let last: unknown;
    for await (const chunk of await client().models.generateContentStream({ model: 'gemini-2.5-pro', contents: 'Hi there' })) {
      chunks.push(chunk.text ?? '');
      last = chunk;
    }
    expect(chunks.join('')).toBe('This is a fake reply to: Hi there');
    expect(chunks.length).toBeGreaterThan(1);
    expect(last).toMatchObject({
      candidates: [{ finishReason: 'STOP' }],
      modelVersion: 'gemini-2.5-pro',
      usageMetadata: { promptTokenCount: 2, candidatesTokenCount: chunks.length },
    });
    expect(fake.lastRequest()).toMatchObject({ path: '/v1/models/gemini-2.5-pro:streamGenerateContent', query: 'alt=sse' });
  });

  it('answers streamGenerateContent without alt=sse with one JSON array', async () => {
    const res = await fetch(`${fake.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'AIzaFakeUpstreamKey' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] }),
    });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = parseJsonAs<unknown[]>(await res.text());
    expect(Array.isArray(body) && body.length).toBe(1);
  });

  it('counts tokens, embeds (batchEmbedContents, with usage) and lists models', async () => {
    const ai = client();
    expect((await ai.models.countTokens({ model: 'gemini-2.5-flash', contents: 'Count these words' })).totalTokens).toBe(5);
    const embedded = await ai.models.embedContent({ model: 'gemini-embedding-001', contents: ['one', 'two'] });
    expect(embedded.embeddings).toHaveLength(2);
    expect(fake.lastRequest()?.path).toBe('/v1/models/gemini-embedding-001:batchEmbedContents');
    const names: string[] = [];
    for await (const model of await ai.models.list()) names.push(model.name ?? '');
    expect(names).toContain('models/gemini-2.5-flash');
  });

  it('refuses an unknown key the way Google does, without echoing it', async () => {
    await expect(client('AIzaWrongKey').models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hi' })).rejects.toThrow(
      /API key not valid/,
    );
  });
});
