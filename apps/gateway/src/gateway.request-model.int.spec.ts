import { request as httpRequest } from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI, { toFile } from 'openai';
import { TEST_DIALECTS } from '@navplane/testing';
import { startKeyedGateway, type GatewayHarness } from './testing/gateway-harness.fixture';

jest.setTimeout(60_000);

const TRANSCRIPTION = { text: 'hello there', usage: { type: 'tokens', input_tokens: 12, output_tokens: 3, total_tokens: 15 } };
const MODERATION = {
  id: 'modr-1',
  model: 'omni-moderation-2024-09-26',
  results: [{ flagged: false, categories: {}, category_scores: {}, category_applied_input_types: {} }],
};

/** A multipart/form-data body as SDKs build it: the file part first, then the other fields. */
function multipart(boundary: string, file: Buffer, fields: Record<string, string>): { head: Buffer; tail: Buffer } {
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="model.wav"\r\nContent-Type: audio/wav\r\n\r\n`,
  );
  const rest = Object.entries(fields)
    .map(([name, value]) => `\r\n--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}`)
    .join('');
  return { head: Buffer.concat([head, file]), tail: Buffer.from(`${rest}\r\n--${boundary}--\r\n`) };
}

/**
 * Sends `parts` with a pause between them, so the body is still arriving when the gateway forwards it (it streams
 * through instead of being taken whole). `chunked`: no Content-Length.
 */
function slowUpload(url: string, key: string, contentType: string, parts: Buffer[], chunked = false): Promise<number> {
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  return new Promise<number>((resolve, reject) => {
    const req = httpRequest(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': contentType, ...(chunked ? {} : { 'content-length': String(length) }) },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
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

describe.each(TEST_DIALECTS)('the requested model in traces of routes whose response names none, on %s', (dialect) => {
  let h: GatewayHarness;
  let orgId: string;
  let key: string;
  const openai = () => new OpenAI({ apiKey: key, baseURL: `${h.url}/v1`, maxRetries: 0 });

  beforeAll(async () => ({ h, orgId, key } = await startKeyedGateway(dialect)));
  afterAll(() => h.close());
  beforeEach(() => h.upstream.reset());

  async function lastTrace() {
    const [trace] = await h.traces(orgId);
    return trace;
  }

  it('audio transcriptions (multipart, the model field after the file): the OpenAI SDK', async () => {
    h.upstream.enqueue({ kind: 'json', body: TRANSCRIPTION });
    const file = await toFile(Buffer.alloc(300_000, 7), 'speech.wav', { type: 'audio/wav' });
    const result = await openai().audio.transcriptions.create({ file, model: 'gpt-4o-transcribe' });
    expect(result.text).toBe('hello there');
    expect(h.upstream.lastRequest()?.path).toBe('/v1/audio/transcriptions');
    expect(h.upstream.lastRequest()?.body.length).toBeGreaterThan(300_000);
    expect(await lastTrace()).toMatchObject({ route: '/v1/audio/transcriptions', status: 200, model: 'gpt-4o-transcribe' });
  });

  it('audio translations (multipart): the OpenAI SDK', async () => {
    h.upstream.enqueue({ kind: 'json', body: { text: 'hello' } });
    const file = await toFile(Buffer.alloc(2_000, 1), 'speech.mp3', { type: 'audio/mpeg' });
    await openai().audio.translations.create({ file, model: 'whisper-1' });
    expect(await lastTrace()).toMatchObject({ route: '/v1/audio/translations', status: 200, model: 'whisper-1' });
  });

  it('a multipart upload still arriving streams through byte for byte, and its model is read as it passes', async () => {
    h.upstream.enqueue({ kind: 'json', body: TRANSCRIPTION });
    const boundary = '----navplane-test-boundary-7MA4YWxkTrZu0gW';
    // File bytes that look like a delimiter-less form field must not be taken for the model.
    const file = Buffer.concat([Buffer.alloc(1_500_000, 3), Buffer.from('name="model"\r\n\r\nnot-this'), Buffer.alloc(500_000, 4)]);
    const { head, tail } = multipart(boundary, file, { model: 'whisper-1', response_format: 'json' });
    const parts = [head.subarray(0, 700_000), head.subarray(700_000), tail];
    const status = await slowUpload(`${h.url}/v1/audio/transcriptions`, key, `multipart/form-data; boundary=${boundary}`, parts);
    expect(status).toBe(200);
    const seen = h.upstream.lastRequest();
    expect(seen?.body.equals(Buffer.concat(parts))).toBe(true);
    expect(seen?.headers['content-length']).toBe(String(head.length + tail.length));
    expect(await lastTrace()).toMatchObject({ route: '/v1/audio/transcriptions', model: 'whisper-1' });
  });

  it('a chunked multipart upload (no Content-Length) records its model too', async () => {
    h.upstream.enqueue({ kind: 'json', body: TRANSCRIPTION });
    const boundary = 'b0undary';
    const { head, tail } = multipart(boundary, Buffer.alloc(10_000, 5), { model: 'gpt-4o-mini-transcribe' });
    const status = await slowUpload(
      `${h.url}/v1/audio/transcriptions`,
      key,
      `multipart/form-data; boundary="${boundary}"`,
      [head, tail],
      true,
    );
    expect(status).toBe(200);
    expect(h.upstream.lastRequest()?.body.equals(Buffer.concat([head, tail]))).toBe(true);
    expect(await lastTrace()).toMatchObject({ model: 'gpt-4o-mini-transcribe' });
  });

  it('moderations (JSON): the OpenAI SDK', async () => {
    h.upstream.enqueue({ kind: 'json', body: MODERATION });
    await openai().moderations.create({ model: 'omni-moderation-latest', input: 'is this fine?' });
    expect(await lastTrace()).toMatchObject({ route: '/v1/moderations', status: 200, model: 'omni-moderation-latest' });
  });

  it('moderations whose large body is still arriving: the top-level model is read as it streams, nested ones are not', async () => {
    h.upstream.enqueue({ kind: 'json', body: MODERATION });
    const body = Buffer.from(
      JSON.stringify({
        input: [{ type: 'text', text: `${'x'.repeat(600_000)} "model":"not-this" \\" {` }],
        metadata: { model: 'nested' },
        model: 'text-moderation-stable',
      }),
    );
    const status = await slowUpload(`${h.url}/v1/moderations`, key, 'application/json', [
      body.subarray(0, 300_000),
      body.subarray(300_000),
    ]);
    expect(status).toBe(200);
    expect(h.upstream.lastRequest()?.body.equals(body)).toBe(true);
    expect(await lastTrace()).toMatchObject({ route: '/v1/moderations', model: 'text-moderation-stable' });
  });

  it('Anthropic count_tokens: the Anthropic SDK', async () => {
    const client = new Anthropic({ apiKey: key, baseURL: h.url, maxRetries: 0 });
    const counted = await client.messages.countTokens({ model: 'claude-sonnet-4-6', messages: [{ role: 'user', content: 'count me' }] });
    expect(counted.input_tokens).toBeGreaterThan(0);
    expect(await lastTrace()).toMatchObject({
      provider: 'anthropic',
      route: '/v1/messages/count_tokens',
      status: 200,
      model: 'claude-sonnet-4-6',
      costStatus: 'exact',
      costUsd: 0,
    });
  });
});
