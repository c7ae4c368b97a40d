import { expect } from '@jest/globals';
import { TEST_DIALECTS } from '@navplane/testing';
import { OPENAI_TEST_KEY, startGatewayHarness, type GatewayHarness } from './testing/gateway-harness.fixture';

jest.setTimeout(60_000);

const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };

describe.each(TEST_DIALECTS)('gateway refusals on %s', (dialect) => {
  let h: GatewayHarness;
  let orgId: string;

  beforeAll(async () => {
    h = await startGatewayHarness(dialect);
    orgId = await h.createOrg();
    await h.storeProviderKey(orgId, 'openai', OPENAI_TEST_KEY);
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => h.upstream.reset());

  async function chat(headers: Record<string, string>, path = '/v1/chat/completions', body: unknown = CHAT) {
    const res = await fetch(`${h.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    let json: { error?: { code?: string; message?: string; type?: string } } = {};
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      // not JSON
    }
    return { status: res.status, json, text, headers: res.headers };
  }

  function expectRefusal(res: Awaited<ReturnType<typeof chat>>, status: number, code: string) {
    expect(res.status).toBe(status);
    expect(res.json.error).toEqual({ message: expect.any(String), type: expect.any(String), code });
    expect(res.headers.get('x-navplane-trace-id')).toMatch(/^trc_/);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(res.headers.get('x-navplane-overhead-ms')).toMatch(/^\d+\.\d\d$/);
    expect(h.upstream.requestCount).toBe(0);
  }

  it('401 missing_api_key when no credential at all is sent', async () => {
    expectRefusal(await chat({}), 401, 'missing_api_key');
    expectRefusal(await chat({ authorization: '', 'x-api-key': ' ' }), 401, 'missing_api_key');
    expectRefusal(await chat({ 'x-navplane-key': '' }), 401, 'missing_api_key');
  });

  it('401 invalid_api_key for a credential that is not a NavPlane key, in every header a key is sent in', async () => {
    const sent: Array<Record<string, string>> = [
      { authorization: 'Bearer garbage' },
      { authorization: 'Bearer ' },
      { authorization: 'Basic dXNlcjpwYXNz' },
      { authorization: 'garbage' },
      { 'x-api-key': 'garbage' },
    ];
    for (const headers of sent) {
      for (const path of ['/v1/chat/completions', '/anthropic/v1/messages']) {
        const res = await chat(headers, path);
        expectRefusal(res, 401, 'invalid_api_key');
        expect(res.text).not.toContain('garbage');
      }
    }
  });

  it('401 invalid_api_key for a provider key alone, saying how to send it (never echoing it)', async () => {
    const providerKeys: Array<Record<string, string>> = [
      { authorization: 'Bearer sk-live-something-0123456789' },
      { authorization: 'Bearer sk-proj-something-0123456789' },
      { 'x-api-key': 'sk-ant-api03-something-0123456789' },
      { authorization: 'Bearer sk-ant-api03-something-0123456789' },
    ];
    for (const headers of providerKeys) {
      for (const path of ['/v1/chat/completions', '/v1/messages']) {
        const res = await chat(headers, path);
        expectRefusal(res, 401, 'invalid_api_key');
        expect(res.json.error?.message).toContain('X-NavPlane-Key');
        expect(res.text).not.toContain('something-0123456789');
      }
    }
  });

  it('401 invalid_api_key for malformed and unknown keys', async () => {
    expectRefusal(await chat({ authorization: 'Bearer np_garbage' }), 401, 'invalid_api_key');
    const { key } = await h.issueKey(orgId);
    const typo = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    expectRefusal(await chat({ authorization: `Bearer ${typo}` }), 401, 'invalid_api_key');
  });

  it('accepts the key as x-api-key on the OpenAI routes too', async () => {
    const { key } = await h.issueKey(orgId);
    const res = await chat({ 'x-api-key': key });
    expect(res.status).toBe(200);
  });

  it('kill switch: 403 org_disabled with no upstream call, traffic flows again once re-enabled', async () => {
    const { key } = await h.issueKey(orgId);
    expect((await chat({ authorization: `Bearer ${key}` })).status).toBe(200);
    h.upstream.reset();
    await h.setOrgEnabled(orgId, false);
    expectRefusal(await chat({ authorization: `Bearer ${key}` }), 403, 'org_disabled');
    await h.setOrgEnabled(orgId, true);
    expect((await chat({ authorization: `Bearer ${key}` })).status).toBe(200);
    const traces = await h.traces(orgId);
    // A refusal is traced, and costs exactly nothing (it never reached the provider).
    expect(traces.find((t) => t.errorClass === 'org_disabled')).toMatchObject({ status: 403, costStatus: 'exact', costUsd: 0 });
  });

  it('revoked key: 401 invalid_api_key at once', async () => {
    const { key, id } = await h.issueKey(orgId);
    expect((await chat({ authorization: `Bearer ${key}` })).status).toBe(200);
    h.upstream.reset();
    await h.revokeKey(orgId, id);
    expectRefusal(await chat({ authorization: `Bearer ${key}` }), 401, 'invalid_api_key');
  });

  it('expired key: 401 invalid_api_key', async () => {
    const { key } = await h.issueKey(orgId, { expiresAt: new Date(Date.now() + 500).toISOString() });
    expect((await chat({ authorization: `Bearer ${key}` })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 600));
    h.upstream.reset();
    expectRefusal(await chat({ authorization: `Bearer ${key}` }), 401, 'invalid_api_key');
  });

  it('rotated NavPlane key: the old one works until its grace ends, the new one at once', async () => {
    const old = await h.issueKey(orgId);
    expect((await chat({ authorization: `Bearer ${old.key}` })).status).toBe(200);
    const fresh = await h.rotateKey(orgId, old.id, 1);
    expect((await chat({ authorization: `Bearer ${fresh.key}` })).status).toBe(200);
    expect((await chat({ authorization: `Bearer ${old.key}` })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    h.upstream.reset();
    expectRefusal(await chat({ authorization: `Bearer ${old.key}` }), 401, 'invalid_api_key');
    expect((await chat({ authorization: `Bearer ${fresh.key}` })).status).toBe(200);
  });

  it('deleted provider key: 400 provider_key_missing; a rotated provider key is used on the next request', async () => {
    const { key } = await h.issueKey(orgId);
    const other = await h.createOrg('beta');
    const otherKey = (await h.issueKey(other)).key;
    expectRefusal(await chat({ authorization: `Bearer ${otherKey}` }), 400, 'provider_key_missing');

    await h.storeProviderKey(other, 'openai', 'sk-test-beta-first-0123456789');
    expect((await chat({ authorization: `Bearer ${otherKey}` })).status).toBe(200);
    expect(h.upstream.lastRequest()?.headers['authorization']).toBe('Bearer sk-test-beta-first-0123456789');

    await h.storeProviderKey(other, 'openai', 'sk-test-beta-second-0123456789');
    expect((await chat({ authorization: `Bearer ${otherKey}` })).status).toBe(200);
    expect(h.upstream.lastRequest()?.headers['authorization']).toBe('Bearer sk-test-beta-second-0123456789');

    await h.deleteProviderKey(other, 'openai');
    h.upstream.reset();
    expectRefusal(await chat({ authorization: `Bearer ${otherKey}` }), 400, 'provider_key_missing');
    // The first org is untouched (tenancy).
    expect((await chat({ authorization: `Bearer ${key}` })).status).toBe(200);
    expect(h.upstream.lastRequest()?.headers['authorization']).toBe(`Bearer ${OPENAI_TEST_KEY}`);
  });

  it('named keys beside the default: a request without a route sends the default key; with the default deleted, 400 provider_key_missing', async () => {
    const org = await h.createOrg('named');
    const { key } = await h.issueKey(org);
    await h.runtime.vault.storeProviderKey({ orgId: org, provider: 'openai', name: 'eu', key: 'sk-test-named-eu-0123456789' });
    // Only a named key: nothing to send for a request without a route.
    expectRefusal(await chat({ authorization: `Bearer ${key}` }), 400, 'provider_key_missing');

    await h.storeProviderKey(org, 'openai', 'sk-test-named-default-0123456789');
    await h.runtime.vault.storeProviderKey({ orgId: org, provider: 'openai', name: 'us', key: 'sk-test-named-us-0123456789' });
    expect((await chat({ authorization: `Bearer ${key}` })).status).toBe(200);
    expect(h.upstream.lastRequest()?.headers['authorization']).toBe('Bearer sk-test-named-default-0123456789');

    // Replacing a named key leaves the default in use.
    await h.runtime.vault.storeProviderKey({ orgId: org, provider: 'openai', name: 'eu', key: 'sk-test-named-eu2-0123456789' });
    expect((await chat({ authorization: `Bearer ${key}` })).status).toBe(200);
    expect(h.upstream.lastRequest()?.headers['authorization']).toBe('Bearer sk-test-named-default-0123456789');

    expect(await h.runtime.vault.deleteProviderKey(org, 'openai', 'default')).toBe(true);
    h.upstream.reset();
    expectRefusal(await chat({ authorization: `Bearer ${key}` }), 400, 'provider_key_missing');
    expect(h.upstream.lastRequest()).toBeUndefined();
    expect(await h.runtime.vault.getProviderKey(org, 'openai', 'us')).toMatchObject({ ok: true, key: 'sk-test-named-us-0123456789' });
  });

  it('403 permission_denied for a key without the proxy scope', async () => {
    const { key } = await h.issueKey(orgId, { scopes: ['traces:read'] });
    expectRefusal(await chat({ authorization: `Bearer ${key}` }), 403, 'permission_denied');
  });

  it('404 route_not_found for paths outside the providers’ APIs', async () => {
    const { key } = await h.issueKey(orgId);
    expectRefusal(await chat({ authorization: `Bearer ${key}` }, '/v1/not-a-real-endpoint'), 404, 'route_not_found');
    expectRefusal(await chat({ authorization: `Bearer ${key}` }, '/v1/../admin'), 404, 'route_not_found');
    expectRefusal(await chat({}, '/elsewhere'), 404, 'route_not_found');
  });

  it('400 invalid_request for malformed JSON where the gateway reads the body', async () => {
    const { key } = await h.issueKey(orgId);
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: '{"model": "gpt-4o-mini", "messages": [',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
    expect(h.upstream.requestCount).toBe(0);
  });
});

describe('gateway limits and upstream failures', () => {
  it('413 request_too_large above NAVPLANE_MAX_BODY_BYTES, declared or chunked', async () => {
    const h = await startGatewayHarness('sqlite', { env: { NAVPLANE_MAX_BODY_BYTES: '1024' } });
    try {
      const orgId = await h.createOrg();
      await h.storeProviderKey(orgId, 'openai', OPENAI_TEST_KEY);
      const { key } = await h.issueKey(orgId);
      const big = JSON.stringify({ ...CHAT, pad: 'x'.repeat(2000) });
      for (const path of ['/v1/chat/completions', '/v1/embeddings']) {
        const res = await fetch(`${h.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: big,
        });
        expect(res.status).toBe(413);
        expect(await res.json()).toMatchObject({ error: { code: 'request_too_large' } });
      }
      // A chunked upload (no Content-Length) is counted as it arrives.
      const chunked = await fetch(`${h.url}/v1/embeddings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode(big));
            controller.close();
          },
        }),
        duplex: 'half',
      });
      expect(chunked.status).toBe(413);
      expect(h.upstream.requestCount).toBe(0);
    } finally {
      await h.close();
    }
  });

  it('502 upstream_unreachable when the provider refuses the connection', async () => {
    const h = await startGatewayHarness('sqlite', { upstreamUrl: 'http://127.0.0.1:1' });
    try {
      const orgId = await h.createOrg();
      await h.storeProviderKey(orgId, 'openai', OPENAI_TEST_KEY);
      const { key } = await h.issueKey(orgId);
      const res = await fetch(`${h.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify(CHAT),
      });
      expect(res.status).toBe(502);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('upstream_unreachable');
      const [trace] = await h.traces(orgId);
      expect(trace).toMatchObject({
        status: 502,
        errorClass: 'upstream_unreachable',
        upstreamFailure: 'connection_refused',
        costStatus: 'exact',
        costUsd: 0,
      });
      // Logged at warn (seen at the default level), with where and how, and the ids that find the trace.
      const warned = h
        .logs()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((entry) => entry['level'] === 'warn' && entry['message'] === 'upstream failure: connection_refused');
      expect(warned).toEqual([
        expect.objectContaining({
          provider: 'openai',
          host: '127.0.0.1:1',
          failure: 'connection_refused',
          status: 502,
          traceId: trace?.id,
          orgId,
        }),
      ]);
    } finally {
      await h.close();
    }
  });

  it('504 upstream_timeout when the provider sends no response in time', async () => {
    const h = await startGatewayHarness('sqlite', { env: { NAVPLANE_UPSTREAM_TIMEOUT_MS: '300' } });
    try {
      const orgId = await h.createOrg();
      await h.storeProviderKey(orgId, 'openai', OPENAI_TEST_KEY);
      const { key } = await h.issueKey(orgId);
      h.upstream.enqueue({ kind: 'hang' });
      const started = Date.now();
      const res = await fetch(`${h.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify(CHAT),
      });
      expect(res.status).toBe(504);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('upstream_timeout');
      expect(Date.now() - started).toBeLessThan(3000);
      await h.upstream.waitUntil(() => h.upstream.requests[0]?.clientAborted === true, 2000);
      const [trace] = await h.traces(orgId);
      // The provider may have worked (and billed) before the gateway gave up: cost unknown, not $0.
      expect(trace).toMatchObject({
        status: 504,
        errorClass: 'upstream_timeout',
        upstreamFailure: 'response_timeout',
        costStatus: 'unknown',
      });
    } finally {
      await h.close();
    }
  });
});
