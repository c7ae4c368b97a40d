import { expect } from '@jest/globals';
import { startFakeUpstream } from './fake-upstream.server';
import type { FakeUpstream } from './fake-upstream.types';
import { readJsonAs } from './json-body';

let fake: FakeUpstream;
beforeAll(async () => {
  fake = await startFakeUpstream();
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

describe('request recording', () => {
  it('records method, path, raw query, headers (credentials included), raw headers and body', async () => {
    const sent = {
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'héllo' }],
    };
    const body = JSON.stringify(sent);
    await fetch(`${fake.url}/v1/chat/completions?api-version=2024-01-01&x=1`, {
      method: 'POST',
      headers: {
        Authorization: 'Bearer sk-provider-key',
        'OpenAI-Organization': 'org-1',
        'content-type': 'application/json',
      },
      body,
    });
    const [req] = fake.requests;
    if (req === undefined) throw new Error('no request recorded');
    expect(req).toMatchObject({
      method: 'POST',
      path: '/v1/chat/completions',
      query: 'api-version=2024-01-01&x=1',
      url: '/v1/chat/completions?api-version=2024-01-01&x=1',
      provider: 'openai',
      text: body,
      json: sent,
      clientAborted: false,
    });
    expect(req.body.equals(Buffer.from(body))).toBe(true);
    expect(req.headers['authorization']).toBe('Bearer sk-provider-key');
    expect(req.headers['openai-organization']).toBe('org-1');
    expect(req.rawHeaders).toEqual(expect.arrayContaining(['Authorization', 'Bearer sk-provider-key', 'OpenAI-Organization']));
    expect(req.receivedAt).toBeGreaterThan(Date.now() - 5_000);
    await fake.waitUntil(() => req.finished);
    expect(fake.lastRequest()).toBe(req);
  });

  it('records Anthropic requests with x-api-key and non-JSON bodies', async () => {
    await fetch(`${fake.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'sk-ant-1' },
      body: 'not json',
    });
    await fetch(`${fake.url}/v1/models`, {
      headers: { 'anthropic-version': '2023-06-01' },
    });
    const [messages, models] = fake.requests;
    expect(messages).toMatchObject({
      provider: 'anthropic',
      text: 'not json',
      json: undefined,
      query: '',
    });
    expect(messages?.headers['x-api-key']).toBe('sk-ant-1');
    expect(models).toMatchObject({
      method: 'GET',
      provider: 'anthropic',
      body: Buffer.alloc(0),
    });
  });

  it('waits for requests, and times out with the count seen', async () => {
    const waiting = fake.waitForRequests(2);
    void fetch(`${fake.url}/v1/models`);
    void fetch(`${fake.url}/v1/models`);
    await waiting;
    expect(fake.requestCount).toBe(2);
    await expect(fake.waitForRequests(3, 50)).rejects.toThrow('expected 3 request(s) within 50 ms, got 2');
  });

  it('reset() clears requests, count, queue and default in place', async () => {
    const requests = fake.requests;
    fake.enqueue({ kind: 'json', body: {} });
    fake.setDefault(() => ({ kind: 'json', body: { custom: true } }));
    await fetch(`${fake.url}/v1/models`);
    fake.reset();
    expect(fake.requests).toBe(requests);
    expect(requests).toHaveLength(0);
    expect(fake.requestCount).toBe(0);
    expect(fake.pending).toBe(0);
    expect((await readJsonAs<{ object: string }>(await fetch(`${fake.url}/v1/models`))).object).toBe('list');
  });

  it('keeps at most maxRecorded requests (newest), and none with record: false while still counting', async () => {
    const bounded = await startFakeUpstream({ maxRecorded: 2 });
    const silent = await startFakeUpstream({ record: false });
    try {
      for (const model of ['a', 'b', 'c']) {
        await fetch(`${bounded.url}/v1/models/${model}`);
        await fetch(`${silent.url}/v1/models/${model}`);
      }
      expect(bounded.requests.map((r) => r.path)).toEqual(['/v1/models/b', '/v1/models/c']);
      expect(bounded.requestCount).toBe(3);
      expect(silent.requests).toHaveLength(0);
      expect(silent.requestCount).toBe(3);
      expect(silent.lastRequest()).toBeUndefined();
    } finally {
      await Promise.all([bounded.close(), silent.close()]);
    }
  });
});
