import { expect } from '@jest/globals';
import { deflateSync, gzipSync } from 'node:zlib';
import {
  anthropicMessage,
  anthropicMessageStream,
  formatSseEvents,
  openaiChatCompletion,
  openaiChatStream,
  parseJsonAs,
  TEST_DIALECTS,
} from '@navplane/testing';
import type { Trace } from '@navplane/storage';
import {
  ANTHROPIC_TEST_KEY,
  OPENAI_TEST_KEY,
  startGatewayHarness,
  type GatewayHarness,
  type TestPolicy,
} from './testing/gateway-harness.fixture';

jest.setTimeout(60_000);

// Sensitive values, built so no committed text looks like a real credential.
const EMAIL = 'jane.doe@example.com';
const CARD = '4111 1111 1111 1111';
const SSN = '123-45-6789';
const SECRET = ['sk', 'proj', 'Zx9'.repeat(14)].join('-');
const AWS_KEY = 'AKIA' + 'IOSFODNN7EXAMPLE';
const RAW_VALUES = [EMAIL, CARD, SSN, SECRET, AWS_KEY, 'Zx9'.repeat(14)];

const PLACEHOLDER = /\[(EMAIL|PHONE|SSN|CREDIT_CARD|SECRET):[0-9a-f]{8}\]/;

/** The members of stored OpenAI chat and Anthropic message bodies the assertions read. */
type ChatCompletionBody = { choices: Array<{ message: { content: string } }> };
type MessageBody = { content: Array<{ text: string }> };

interface Reply {
  status: number;
  text: string;
  json: { error?: { code?: string; message?: string } } & Record<string, unknown>;
  headers: Headers;
}

/** Asserts `text` is there and holds none of the raw sensitive values (nor their digits-only forms). */
function expectNoRawValues(text: string | null | undefined): asserts text is string {
  expect(text).toEqual(expect.any(String));
  if (typeof text !== 'string') return;
  for (const value of RAW_VALUES) expect(text).not.toContain(value);
  expect(text.replace(/\D/g, '')).not.toContain('4111111111111111');
}

describe.each(TEST_DIALECTS)('policy enforcement through the gateway on %s', (dialect) => {
  let h: GatewayHarness;

  beforeAll(async () => {
    h = await startGatewayHarness(dialect, {
      env: { NAVPLANE_CAPTURE_BODIES: 'true', NAVPLANE_POLICY_MAX_BODY_BYTES: '65536', NAVPLANE_CAPTURE_MAX_BYTES: '8192' },
    });
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => h.upstream.reset());

  /** A fresh org with provider keys, a proxy key and `policies`; waits until the gateway sees the policies. */
  async function orgWith(policies: readonly TestPolicy[], options: { workspace?: boolean } = {}) {
    const orgId = await h.createOrg();
    const workspaceId = options.workspace === true ? await h.createWorkspace(orgId) : undefined;
    const issued = await h.issueKey(orgId, { workspaceId });
    await h.storeProviderKey(orgId, 'openai', OPENAI_TEST_KEY);
    await h.storeProviderKey(orgId, 'anthropic', ANTHROPIC_TEST_KEY);
    await h.setPolicies(orgId, policies);
    return { orgId, key: issued.key, keyId: issued.id, workspaceId };
  }

  // Only Anthropic's clients send `anthropic-version`: on another root /v1/* path it would route the request to Anthropic.
  async function send(path: string, key: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<Reply> {
    const anthropic = path.startsWith('/anthropic/') || path.startsWith('/v1/messages') ? { 'anthropic-version': '2023-06-01' } : {};
    const res = await fetch(`${h.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...anthropic, ...headers },
      body,
    });
    const text = await res.text();
    let json = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // SSE or other text
    }
    return { status: res.status, text, json, headers: res.headers };
  }

  async function onlyTrace(orgId: string): Promise<Trace> {
    const traces = await h.traces(orgId);
    const [trace] = traces;
    if (trace === undefined || traces.length !== 1) throw new Error(`expected one trace of ${orgId}, found ${traces.length}`);
    return trace;
  }

  const chatBody = (extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: `Escalate to ${EMAIL} when unsure.` },
        { role: 'user', content: [{ type: 'text', text: `My card is ${CARD} and my SSN is ${SSN}.` }] },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: JSON.stringify({ key: SECRET }) } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: `found ${AWS_KEY}` },
      ],
      metadata: { contact: EMAIL },
      ...extra,
    });

  const anthropicBody = (extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      model: 'claude-sonnet-4-6',
      max_tokens: 64,
      system: [{ type: 'text', text: `Escalate to ${EMAIL}.` }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: `Card ${CARD}` }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'tu_1', name: 'lookup', input: { ssn: SSN } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'tu_1', content: `key ${SECRET}` }] },
      ],
      ...extra,
    });

  describe('redact_upstream', () => {
    it('sends placeholders upstream in every field of an OpenAI chat request; the client gets the provider’s answer unchanged', async () => {
      const { orgId, key } = await orgWith([{ scopeType: 'org', mode: 'redact_upstream' }]);
      const answer = openaiChatCompletion({ content: 'Noted.' });
      h.upstream.enqueue({ kind: 'json', body: answer });
      const reply = await send('/v1/chat/completions', key, chatBody());
      expect(reply.status).toBe(200);
      expect(reply.json).toEqual(answer);

      const seen = h.upstream.lastRequest();
      expectNoRawValues(seen?.text);
      const sent = seen?.json as {
        messages: Array<{ content: unknown; tool_calls?: Array<{ function: { arguments: string } }> }>;
        metadata: { contact: string };
      };
      expect(sent.messages[0]?.content).toMatch(/^Escalate to \[EMAIL:[0-9a-f]{8}\] when unsure\.$/);
      expect(JSON.stringify(sent.messages[1]?.content)).toMatch(/\[CREDIT_CARD:[0-9a-f]{8}\].*\[SSN:[0-9a-f]{8}\]/);
      expect(JSON.parse(sent.messages[2]?.tool_calls?.[0]?.function.arguments ?? '{}')).toEqual({
        key: expect.stringMatching(/^\[SECRET:[0-9a-f]{8}\]$/),
      });
      expect(sent.messages[3]?.content).toMatch(/^found \[SECRET:[0-9a-f]{8}\]$/);
      // The same value gets the same placeholder wherever it appears.
      expect(sent.metadata.contact).toBe(/\[EMAIL:[0-9a-f]{8}\]/.exec(String(sent.messages[0]?.content))?.[0]);
      expect(seen?.headers['content-length']).toBe(String(seen?.body.length));

      const trace = await onlyTrace(orgId);
      expectNoRawValues(JSON.stringify(trace));
      expect(trace.requestBody).toBe(seen?.text);
      expect(JSON.parse(trace.responseBody ?? 'null')).toEqual(answer);
      expect(trace.policyDecisions).toMatchObject({ mode: 'redact_upstream', action: 'redacted', scope: { type: 'org' } });
      const detections = (trace.policyDecisions as { detections: Array<{ detector: string; count: number; fields: string[] }> }).detections;
      expect(Object.fromEntries(detections.map((d) => [d.detector, d.count]))).toEqual({ email: 2, ssn: 1, credit_card: 1, secrets: 2 });
      expect(detections.find((d) => d.detector === 'email')?.fields).toEqual(['messages[0].content', 'metadata.contact']);
    });

    it('redacts an Anthropic request (system blocks, tool_use input, tool_result) and a streamed one', async () => {
      const { orgId, key } = await orgWith([{ scopeType: 'org', mode: 'redact_upstream' }]);
      h.upstream.enqueue({ kind: 'json', body: anthropicMessage({ content: 'ok' }) });
      const plain = await send('/v1/messages', key, anthropicBody());
      expect(plain.status).toBe(200);
      expectNoRawValues(h.upstream.lastRequest()?.text);
      expect(h.upstream.lastRequest()?.text).toMatch(PLACEHOLDER);

      const events = anthropicMessageStream({ chunks: ['Hello', ' there'] });
      h.upstream.enqueue({ kind: 'sse', events });
      const streamed = await send('/anthropic/v1/messages', key, anthropicBody({ stream: true }));
      expect(streamed.status).toBe(200);
      expect(streamed.text).toBe(formatSseEvents(events));
      expectNoRawValues(h.upstream.lastRequest()?.text);
      const traces = await h.traces(orgId);
      expect(traces).toHaveLength(2);
      for (const trace of traces) expectNoRawValues(JSON.stringify(trace));
    });

    it('forwards a body with nothing to redact byte for byte', async () => {
      const { key } = await orgWith([{ scopeType: 'org', mode: 'redact_upstream' }]);
      const body = '{"model":"text-embedding-3-small",  "input":"nothing to see here"}';
      const reply = await send('/openai/v1/embeddings', key, body);
      expect(reply.status).toBe(200);
      expect(h.upstream.lastRequest()?.text).toBe(body);
    });

    it('decodes a gzip request body, redacts it, and forwards it uncompressed', async () => {
      const { key } = await orgWith([{ scopeType: 'org', mode: 'redact_upstream' }]);
      const reply = await send(
        '/openai/v1/embeddings',
        key,
        gzipSync(JSON.stringify({ model: 'text-embedding-3-small', input: `mail ${EMAIL}` })),
        {
          'content-encoding': 'gzip',
        },
      );
      expect(reply.status).toBe(200);
      const seen = h.upstream.lastRequest();
      expect(seen?.headers['content-encoding']).toBeUndefined();
      expect((seen?.json as { input: string }).input).toMatch(/^mail \[EMAIL:[0-9a-f]{8}\]$/);
    });
  });

  describe('block', () => {
    it('refuses a request with a detected value (400 policy_blocked, no upstream call) and records counts only', async () => {
      const { orgId, key } = await orgWith([{ scopeType: 'org', mode: 'block' }]);
      const reply = await send('/v1/chat/completions', key, chatBody());
      expect(reply.status).toBe(400);
      expect(reply.json.error?.code).toBe('policy_blocked');
      expect(reply.json.error?.message).toMatch(/email \(2\)/);
      expectNoRawValues(reply.text);
      expect(h.upstream.requestCount).toBe(0);
      const trace = await onlyTrace(orgId);
      expect(trace.status).toBe(400);
      expect(trace.errorClass).toBe('policy_blocked');
      expect(trace.policyDecisions).toMatchObject({ mode: 'block', action: 'blocked' });
      expectNoRawValues(JSON.stringify(trace));
      expect(trace.requestBody).toMatch(PLACEHOLDER); // the blocked body is stored redacted
    });

    it('blocks Anthropic shapes and values hidden by evasions, and lets clean requests through unchanged', async () => {
      const { key } = await orgWith([{ scopeType: 'org', mode: 'block' }]);
      expect((await send('/v1/messages', key, anthropicBody())).status).toBe(400);
      const evasions = [
        `write to jane.doe\u200b@example.com`, // zero-width space
        `ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ`, // fullwidth
        `reach me at jane%40example.com`, // percent-encoded
        `token ${Buffer.from(SECRET).toString('base64')}`, // base64
      ];
      for (const text of evasions) {
        const reply = await send(
          '/v1/chat/completions',
          key,
          JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: text }] }),
        );
        expect({ text, status: reply.status }).toEqual({ text, status: 400 });
      }
      // A text/plain body holding JSON is read as JSON: a value split across parts is still caught.
      const plainJson =
        '{"model":"gpt-4o-mini","messages":[{"role":"user","content":[{"type":"text","text":"AKIAIOSF"},{"type":"text","text":"ODNN7EXAMPLE"}]}]}';
      expect((await send('/v1/chat/completions', key, plainJson, { 'content-type': 'text/plain' })).status).toBe(400);
      // Duplicate keys: whichever copy a provider keeps, the gateway saw both.
      const duplicate = `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi","content":"${EMAIL}"}]}`;
      expect((await send('/v1/chat/completions', key, duplicate)).status).toBe(400);
      expect(h.upstream.requestCount).toBe(0);

      const clean = '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"What is 2+2?"}]}';
      const reply = await send('/v1/chat/completions', key, clean);
      expect(reply.status).toBe(200);
      expect(JSON.parse(h.upstream.lastRequest()?.text ?? '{}')).toMatchObject(parseJsonAs<object>(clean));
    });
  });

  describe('fail closed', () => {
    it.each([
      ['an unparseable JSON body', '{"model":"gpt-4o-mini","messages":[', {}, 503, 'policy_unavailable'],
      ['an unknown content type', 'field=value', { 'content-type': 'application/x-www-form-urlencoded' }, 503, 'policy_unavailable'],
      ['a non-UTF-8 charset', '{"input":"x"}', { 'content-type': 'application/json; charset=utf-16' }, 503, 'policy_unavailable'],
      ['an unsupported content encoding', '{"input":"x"}', { 'content-encoding': 'zstd' }, 415, 'unsupported_media_type'],
      ['a body over the policy limit', JSON.stringify({ input: 'a'.repeat(70_000) }), {}, 503, 'policy_unavailable'],
      ['a body nested deeper than the walk allows', `${'['.repeat(300)}"x"${']'.repeat(300)}`, {}, 503, 'policy_unavailable'],
      [
        'bytes after the end of a compressed body',
        Buffer.concat([deflateSync('{"input":"x"}'), Buffer.from(`{"input":"${EMAIL}"}`)]),
        { 'content-encoding': 'deflate' },
        503,
        'policy_unavailable',
      ],
    ])('refuses %s under redact_upstream and block, with no upstream call', async (_name, body, headers, status, code) => {
      for (const mode of ['redact_upstream', 'block'] as const) {
        const { orgId, key } = await orgWith([{ scopeType: 'org', mode }]);
        const reply = await send('/openai/v1/embeddings', key, body, headers);
        expect({ mode, status: reply.status, code: reply.json.error?.code }).toEqual({ mode, status, code });
        const trace = await onlyTrace(orgId);
        expect(trace.policyDecisions).toMatchObject({ mode, action: 'failed_closed' });
        expect(trace.requestBody).toBeNull();
      }
      expect(h.upstream.requestCount).toBe(0);
    });

    it('under redact_storage forwards what it cannot parse unchanged and stores no body', async () => {
      const { orgId, key } = await orgWith([]);
      const body = `{"input":"${EMAIL}",`;
      h.upstream.enqueue({ kind: 'error', status: 400, body: { error: { message: 'bad json' } } });
      const reply = await send('/openai/v1/embeddings', key, body);
      expect(reply.status).toBe(400);
      expect(h.upstream.lastRequest()?.text).toBe(body);
      const trace = await onlyTrace(orgId);
      expect(trace.requestBody).toBeNull();
      expect(trace.policyDecisions).toMatchObject({
        mode: 'redact_storage',
        storage: { request: { stored: false, reason: 'redaction_failed' } },
      });
    });
  });

  describe('redact_storage (the default with body capture)', () => {
    it('leaves upstream and client bytes untouched and stores redacted copies of a plain exchange', async () => {
      const { orgId, key } = await orgWith([]);
      const answer = openaiChatCompletion({ content: `Sure, I will email ${EMAIL}.` });
      h.upstream.enqueue({ kind: 'json', body: answer });
      const body = chatBody();
      const reply = await send('/v1/chat/completions', key, body);
      expect(reply.status).toBe(200);
      expect(reply.json).toEqual(answer);
      expect(h.upstream.lastRequest()?.text).toBe(body);
      const trace = await onlyTrace(orgId);
      expectNoRawValues(JSON.stringify(trace));
      expect(trace.requestBody).toMatch(PLACEHOLDER);
      expect(parseJsonAs<ChatCompletionBody>(trace.responseBody ?? '{}').choices[0]?.message.content).toMatch(
        /^Sure, I will email \[EMAIL:[0-9a-f]{8}\]\.$/,
      );
      expect(trace.policyDecisions).toMatchObject({
        policyId: null,
        scope: { type: 'default' },
        mode: 'redact_storage',
        action: 'none',
        detections: [],
      });
      const storage = (trace.policyDecisions as { storage: { request: { detections: Array<{ detector: string }> } } }).storage;
      expect(storage.request.detections.map((d) => d.detector)).toEqual(['email', 'ssn', 'credit_card', 'secrets']);
    });

    it('assembles a streamed OpenAI answer whose secret is split across chunks, storing it redacted and never raw', async () => {
      const { orgId, key } = await orgWith([]);
      const half = Math.floor(SECRET.length / 2);
      const events = openaiChatStream({
        chunks: ['Your key: ', SECRET.slice(0, half), SECRET.slice(half), ' and mail ', 'jane.doe@', 'example.com'],
      });
      h.upstream.enqueue({ kind: 'sse', events });
      const reply = await send(
        '/v1/chat/completions',
        key,
        JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      );
      expect(reply.status).toBe(200);
      expect(reply.text).toBe(formatSseEvents(events)); // the client stream is exactly the provider's
      const trace = await onlyTrace(orgId);
      expectNoRawValues(trace.responseBody);
      expect(trace.responseBody).not.toContain(SECRET.slice(0, half));
      expect(trace.responseBody).not.toContain(SECRET.slice(half));
      const assembled = parseJsonAs<ChatCompletionBody & { object: string }>(trace.responseBody ?? '{}');
      expect(assembled.object).toBe('chat.completion');
      expect(assembled.choices[0]?.message.content).toMatch(/^Your key: \[SECRET:[0-9a-f]{8}\] and mail \[EMAIL:[0-9a-f]{8}\]$/);
    });

    it('assembles a streamed Anthropic answer redacted for storage', async () => {
      const { orgId, key } = await orgWith([]);
      const events = anthropicMessageStream({ chunks: ['SSN ', '123-45-', '6789', ' done'] });
      h.upstream.enqueue({ kind: 'sse', events });
      const reply = await send(
        '/v1/messages',
        key,
        JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 16, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      );
      expect(reply.text).toBe(formatSseEvents(events));
      const trace = await onlyTrace(orgId);
      expectNoRawValues(trace.responseBody);
      const assembled = parseJsonAs<MessageBody>(trace.responseBody ?? '{}');
      expect(assembled.content[0]?.text).toMatch(/^SSN \[SSN:[0-9a-f]{8}\] done$/);
    });

    it('copies a request body that streams through unread (Anthropic) and stores it redacted', async () => {
      const { orgId, key } = await orgWith([]);
      h.upstream.enqueue({ kind: 'json', body: anthropicMessage({ content: 'fine' }) });
      const body = anthropicBody();
      const reply = await send('/v1/messages', key, body);
      expect(reply.status).toBe(200);
      expect(h.upstream.lastRequest()?.text).toBe(body); // forwarded untouched
      const trace = await onlyTrace(orgId);
      expectNoRawValues(trace.requestBody);
      expect(parseJsonAs<{ system: Array<{ text: string }> }>(trace.requestBody ?? '{}').system[0]?.text).toMatch(
        /^Escalate to \[EMAIL:[0-9a-f]{8}\]\.$/,
      );
      expect(parseJsonAs<MessageBody>(trace.responseBody ?? '{}').content[0]?.text).toBe('fine');
    });

    it('stores a body over NAVPLANE_CAPTURE_MAX_BYTES as a redacted prefix marked truncated', async () => {
      const { orgId, key } = await orgWith([]);
      const filler = 'lorem ipsum '.repeat(100);
      const messages = Array.from({ length: 30 }, (_, i) => ({ role: 'user', content: `${filler} contact ${EMAIL} card ${CARD} #${i}` }));
      const body = JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 8, messages });
      expect(body.length).toBeGreaterThan(30_000);
      const reply = await send('/v1/messages', key, body);
      expect(reply.status).toBe(200);
      expect(h.upstream.lastRequest()?.text).toBe(body);
      const trace = await onlyTrace(orgId);
      expect(trace.requestBody?.length).toBeLessThanOrEqual(8192);
      expect(trace.requestBody).toMatch(PLACEHOLDER);
      expectNoRawValues(trace.requestBody);
      expect(trace.policyDecisions).toMatchObject({ storage: { request: { stored: true, truncated: true } } });
    });

    it('redacts a Responses API request upstream (string and item inputs)', async () => {
      const { key } = await orgWith([{ scopeType: 'org', mode: 'redact_upstream' }]);
      for (const input of [`email ${EMAIL}`, [{ role: 'user', content: [{ type: 'input_text', text: `ssn ${SSN}` }] }]]) {
        const reply = await send('/v1/responses', key, JSON.stringify({ model: 'gpt-4o-mini', input, instructions: `reply to ${EMAIL}` }));
        expect(reply.status).toBe(200);
        const seen = h.upstream.lastRequest()?.text;
        expectNoRawValues(seen);
        expect(seen).toMatch(PLACEHOLDER);
      }
    });

    it('stores nothing for an org whose policy is off', async () => {
      const { orgId, key } = await orgWith([{ scopeType: 'org', mode: 'off' }]);
      const body = chatBody();
      expect((await send('/v1/chat/completions', key, body)).status).toBe(200);
      expect(h.upstream.lastRequest()?.text).toContain(EMAIL);
      const trace = await onlyTrace(orgId);
      expect(trace.requestBody).toBeNull();
      expect(trace.responseBody).toBeNull();
      expect(trace.policyDecisions).toMatchObject({ mode: 'off', action: 'none', storage: { skipped: 'policy_off' } });
    });
  });

  describe('the query string', () => {
    // As a client would send them: an email percent-encoded, an SSN plain, and values with nothing to find.
    const QUERY = `user=${encodeURIComponent(EMAIL)}&ssn=${SSN}&limit=5&note=a+b&x=%20y`;
    const ENCODED_EMAIL = encodeURIComponent(EMAIL);
    const clean = JSON.stringify({ model: 'text-embedding-3-small', input: 'nothing to see here' });

    async function get(path: string, key: string): Promise<Reply> {
      const res = await fetch(`${h.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
      const text = await res.text();
      return { status: res.status, text, json: text.startsWith('{') ? (JSON.parse(text) as Reply['json']) : {}, headers: res.headers };
    }

    it('redact_upstream: detected query values reach the provider as URL-encoded placeholders, the rest byte for byte', async () => {
      const { orgId, key } = await orgWith([{ scopeType: 'org', mode: 'redact_upstream' }]);
      const reply = await send(`/openai/v1/embeddings?${QUERY}`, key, JSON.stringify({ model: 'm', input: `mail ${EMAIL}` }));
      expect(reply.status).toBe(200);
      const seen = h.upstream.lastRequest();
      expect(seen?.query).not.toContain(ENCODED_EMAIL);
      expect(seen?.query).not.toContain(SSN);
      const pairs = (seen?.query ?? '').split('&');
      expect(pairs.slice(2)).toEqual(['limit=5', 'note=a+b', 'x=%20y']);
      const params = new URLSearchParams(seen?.query);
      expect(params.get('user')).toMatch(/^\[EMAIL:[0-9a-f]{8}\]$/);
      expect(params.get('ssn')).toMatch(/^\[SSN:[0-9a-f]{8}\]$/);
      // The same placeholder as the same value in the body.
      expect((seen?.json as { input: string }).input).toBe(`mail ${params.get('user')}`);

      const trace = await onlyTrace(orgId);
      expectNoRawValues(JSON.stringify(trace));
      expect(JSON.stringify(trace)).not.toContain(ENCODED_EMAIL);
      expect(trace.policyDecisions).toMatchObject({ mode: 'redact_upstream', action: 'redacted' });
      const detections = (trace.policyDecisions as { detections: Array<{ detector: string; fields: string[] }> }).detections;
      expect(detections.find((d) => d.detector === 'email')?.fields).toEqual(['input', 'query.user']);
      expect(detections.find((d) => d.detector === 'ssn')?.fields).toEqual(['query.ssn']);
    });

    it('redact_upstream: a request with no body (GET) is redacted too, and a name that is a value becomes its placeholder', async () => {
      const { orgId, key } = await orgWith([{ scopeType: 'org', mode: 'redact_upstream' }]);
      const reply = await get(`/v1/models?user=${ENCODED_EMAIL}&${SSN}`, key);
      expect(reply.status).toBe(200);
      const seen = h.upstream.lastRequest();
      expect(seen?.path).toBe('/v1/models');
      expect(seen?.query).toMatch(/^user=%5BEMAIL%3A[0-9a-f]{8}%5D&%5BSSN%3A[0-9a-f]{8}%5D$/);
      expectNoRawValues(JSON.stringify(await onlyTrace(orgId)));
    });

    it('block: a detected query value refuses the request like a body match (400 policy_blocked, no upstream call)', async () => {
      const { orgId, key } = await orgWith([{ scopeType: 'org', mode: 'block' }]);
      const reply = await send(`/openai/v1/embeddings?${QUERY}`, key, clean);
      expect(reply.status).toBe(400);
      expect(reply.json.error?.code).toBe('policy_blocked');
      expect(reply.json.error?.message).toMatch(/email \(1\), ssn \(1\)/);
      expectNoRawValues(reply.text);
      expect((await get(`/v1/models?q=${ENCODED_EMAIL}`, key)).status).toBe(400);
      expect((await get(`/v1/models?${encodeURIComponent(SECRET)}`, key)).status).toBe(400);
      expect(h.upstream.requestCount).toBe(0);
      const traces = await h.traces(orgId);
      expect(traces).toHaveLength(3);
      for (const trace of traces) {
        expect(trace).toMatchObject({ status: 400, errorClass: 'policy_blocked', policyDecisions: { mode: 'block', action: 'blocked' } });
        expectNoRawValues(JSON.stringify(trace));
        expect(JSON.stringify(trace)).not.toContain(ENCODED_EMAIL);
      }
    });

    it('forwards a query with nothing to find unchanged under block and redact_upstream', async () => {
      for (const mode of ['block', 'redact_upstream'] as const) {
        const { key } = await orgWith([{ scopeType: 'org', mode }]);
        const query = 'limit=10&after=file-abc123&order=desc&x=%20y&flag&a=b=c';
        expect((await send(`/openai/v1/embeddings?${query}`, key, clean)).status).toBe(200);
        expect(h.upstream.lastRequest()?.query).toBe(query);
      }
    });

    it('fails closed on a query that cannot be decoded, under block and redact_upstream', async () => {
      for (const mode of ['block', 'redact_upstream'] as const) {
        const { orgId, key } = await orgWith([{ scopeType: 'org', mode }]);
        const reply = await get(`/v1/models?user=jane.doe%40example.com%E0%A4`, key);
        expect({ mode, status: reply.status, code: reply.json.error?.code }).toEqual({ mode, status: 503, code: 'policy_unavailable' });
        expect((await onlyTrace(orgId)).policyDecisions).toMatchObject({ action: 'failed_closed', failure: 'unparseable' });
      }
      expect(h.upstream.requestCount).toBe(0);
    });

    it('redact_storage: the query reaches the provider as sent and is stored nowhere', async () => {
      const { orgId, key } = await orgWith([]);
      expect((await send(`/openai/v1/embeddings?${QUERY}`, key, clean)).status).toBe(200);
      expect(h.upstream.lastRequest()?.query).toBe(QUERY);
      const trace = await onlyTrace(orgId);
      expectNoRawValues(JSON.stringify(trace));
      expect(JSON.stringify(trace)).not.toContain(ENCODED_EMAIL);
    });
  });

  describe('scopes', () => {
    it('applies the most specific policy: key over workspace over route over provider over org', async () => {
      const { orgId, key, keyId, workspaceId } = await orgWith([], { workspace: true });
      const probe = async () => (await send('/openai/v1/embeddings', key, JSON.stringify({ model: 'm', input: EMAIL }))).status;
      const cases: Array<[TestPolicy[], number]> = [
        [[{ scopeType: 'org', mode: 'block' }], 400],
        [
          [
            { scopeType: 'org', mode: 'block' },
            { scopeType: 'provider', scopeValue: 'openai', mode: 'off' },
          ],
          200,
        ],
        [
          [
            { scopeType: 'provider', scopeValue: 'openai', mode: 'off' },
            { scopeType: 'route', scopeValue: '/v1/embeddings', mode: 'block' },
          ],
          400,
        ],
        [
          [
            { scopeType: 'route', scopeValue: '/v1/embeddings', mode: 'block' },
            { scopeType: 'workspace', scopeValue: workspaceId, mode: 'redact_upstream' },
          ],
          200,
        ],
        [
          [
            { scopeType: 'workspace', scopeValue: workspaceId, mode: 'off' },
            { scopeType: 'key', scopeValue: keyId, mode: 'block' },
          ],
          400,
        ],
        [
          [
            { scopeType: 'route', scopeValue: '/v1/chat/completions', mode: 'block' },
            { scopeType: 'provider', scopeValue: 'anthropic', mode: 'block' },
          ],
          200,
        ],
      ];
      for (const [policies, status] of cases) {
        await h.setPolicies(orgId, policies);
        expect({ policies, status: await probe() }).toEqual({ policies, status });
      }
      const traces = await h.traces(orgId);
      expect(traces.find((t) => t.status === 400)?.policyDecisions).toMatchObject({ scope: { type: 'key', value: keyId } });
    });

    it('names only the configured detectors', async () => {
      const { key } = await orgWith([{ scopeType: 'org', mode: 'block', detectors: ['secrets'] }]);
      const status = async (input: string) => (await send('/openai/v1/embeddings', key, JSON.stringify({ model: 'm', input }))).status;
      expect(await status(`mail ${EMAIL}`)).toBe(200);
      expect(await status(`key ${SECRET}`)).toBe(400);
    });
  });

  describe('every mode, both providers, plain and streamed: what the upstream, the client and storage saw', () => {
    const cases = (['off', 'redact_storage', 'redact_upstream', 'block'] as const).flatMap((mode) =>
      (['openai', 'anthropic'] as const).flatMap((provider) => ([false, true] as const).map((stream) => [mode, provider, stream] as const)),
    );

    it.each(cases)('%s, %s, stream %s', async (mode, provider, stream) => {
      const { orgId, key } = await orgWith([{ scopeType: 'org', mode }]);
      // The provider answers with a sensitive value too (the client must get it as sent; storage must not keep it).
      const answer = `Noted, I will write to ${EMAIL}.`;
      const events =
        provider === 'openai'
          ? openaiChatStream({ chunks: ['Noted, I will ', 'write to jane.doe@', 'example.com.'] })
          : anthropicMessageStream({ chunks: ['Noted, I will ', 'write to jane.doe@', 'example.com.'] });
      const json = provider === 'openai' ? openaiChatCompletion({ content: answer }) : anthropicMessage({ content: answer });
      h.upstream.enqueue(stream ? { kind: 'sse', events } : { kind: 'json', body: json });
      const body = provider === 'openai' ? chatBody(stream ? { stream: true } : {}) : anthropicBody(stream ? { stream: true } : {});
      const reply = await send(provider === 'openai' ? '/v1/chat/completions' : '/v1/messages', key, body);
      const trace = await onlyTrace(orgId);
      const upstreamText = h.upstream.lastRequest()?.text;

      if (mode === 'block') {
        expect(reply.status).toBe(400);
        expect(reply.json.error?.code).toBe('policy_blocked');
        expect(h.upstream.requestCount).toBe(0);
      } else {
        expect(reply.status).toBe(200);
        // The client gets the provider's bytes unchanged in every mode.
        if (stream) expect(reply.text).toBe(formatSseEvents(events));
        else expect(reply.json).toEqual(json);
        if (mode === 'redact_upstream') {
          expectNoRawValues(upstreamText);
          expect(upstreamText).toMatch(PLACEHOLDER);
        } else {
          // off and redact_storage: the provider gets the client's request (OpenAI chat: plus the usage option).
          for (const value of [EMAIL, SSN, SECRET]) expect(upstreamText).toContain(value);
        }
      }
      // Storage: nothing under off; otherwise redacted copies only.
      expectNoRawValues(JSON.stringify(trace));
      if (mode === 'off') {
        expect(trace.requestBody).toBeNull();
        expect(trace.responseBody).toBeNull();
      } else {
        expect(trace.requestBody).toMatch(PLACEHOLDER);
        if (mode !== 'block') expect(trace.responseBody).toMatch(/\[EMAIL:[0-9a-f]{8}\]/);
      }
      expect(trace.policyDecisions).toMatchObject({
        mode,
        action: { off: 'none', redact_storage: 'none', redact_upstream: 'redacted', block: 'blocked' }[mode],
      });
    });
  });

  it('gives the same value the same placeholder within an org and a different one in another org', async () => {
    const first = await orgWith([{ scopeType: 'org', mode: 'redact_upstream' }]);
    const second = await orgWith([{ scopeType: 'org', mode: 'redact_upstream' }]);
    const placeholder = async (key: string) => {
      await send('/openai/v1/embeddings', key, JSON.stringify({ model: 'm', input: EMAIL }));
      return (h.upstream.lastRequest()?.json as { input: string }).input;
    };
    const a = await placeholder(first.key);
    expect(a).toMatch(/^\[EMAIL:[0-9a-f]{8}\]$/);
    expect(await placeholder(first.key)).toBe(a);
    expect(await placeholder(second.key)).not.toBe(a);
  });

  it('counts decisions and detections on /metrics', async () => {
    const { key } = await orgWith([{ scopeType: 'org', mode: 'block' }]);
    await send('/openai/v1/embeddings', key, JSON.stringify({ model: 'm', input: EMAIL }));
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(/navplane_policy_decisions_total\{mode="block",action="blocked"\} [1-9]/);
    expect(metrics).toMatch(/navplane_policy_detections_total\{detector="email",stage="request"\} [1-9]/);
  });
});
