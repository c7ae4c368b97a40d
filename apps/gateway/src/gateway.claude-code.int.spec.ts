import Anthropic from '@anthropic-ai/sdk';
import { expect } from '@jest/globals';
import OpenAI from 'openai';
import type { Trace } from '@navplane/storage';
import {
  anthropicMessageStream,
  readJsonAs,
  startFakeUpstream,
  TEST_DIALECTS,
  type FakeUpstream,
  type RecordedRequest,
} from '@navplane/testing';
import { ANTHROPIC_TEST_KEY, OPENAI_TEST_KEY, startKeyedGateway, type GatewayHarness } from './testing/gateway-harness.fixture';

jest.setTimeout(60_000);

// What Claude Code sends besides the Anthropic SDK's own headers (docs/coding-agents.md): its betas, its app name, its
// session id and its user agent. `anthropic-beta` must reach Anthropic unchanged, and `user-agent` does; `x-app` and
// `x-claude-code-session-id` are no headers of Anthropic's API and are not forwarded.
const CLAUDE_CODE_BETAS = ['claude-code-20250219', 'interleaved-thinking-2025-05-14', 'fine-grained-tool-streaming-2025-05-14'];
const CLAUDE_CODE_HEADERS = {
  'anthropic-beta': CLAUDE_CODE_BETAS.join(','),
  'x-app': 'cli',
  'x-claude-code-session-id': '3f6c2a9e-8d41-4b7a-9c55-0e2d7f1b6a10',
  'user-agent': 'claude-cli/2.1.0 (external, cli)',
};
const MODEL = 'claude-sonnet-4-6';

/** One request as the SDK sent it. */
interface Sent {
  readonly url: URL;
  readonly headers: Headers;
  readonly body: string | undefined;
}

/** A fetch for an SDK client that records what the SDK sent. */
function recordingFetch(sent: Sent[]): typeof fetch {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    sent.push({ url, headers: new Headers(init?.headers), body: typeof init?.body === 'string' ? init.body : undefined });
    return fetch(input, init);
  };
}

/** Nothing of NavPlane's and no OpenAI key reached the provider. */
function expectOnlyTheAnthropicKey(seen: RecordedRequest, navplaneKey: string): void {
  expect(seen.headers['x-api-key']).toBe(ANTHROPIC_TEST_KEY);
  expect(seen.headers['authorization']).toBeUndefined();
  for (const [name, value] of Object.entries(seen.headers)) {
    expect(name.startsWith('x-navplane')).toBe(false);
    expect(String(value)).not.toContain(navplaneKey);
    expect(String(value)).not.toContain(OPENAI_TEST_KEY);
  }
}

describe.each(TEST_DIALECTS)('Anthropic clients and Claude Code at the gateway root on %s', (dialect) => {
  let h: GatewayHarness;
  let orgId: string;
  let key: string;
  // OpenAI's upstream is another server than Anthropic's (`h.upstream`): a request that went the wrong way shows.
  let openaiUpstream: FakeUpstream;

  beforeAll(async () => {
    openaiUpstream = await startFakeUpstream();
    ({ h, orgId, key } = await startKeyedGateway(dialect, { env: { NAVPLANE_OPENAI_BASE_URL: openaiUpstream.url } }));
  });
  afterAll(async () => {
    await h.close();
    await openaiUpstream.close();
  });
  beforeEach(() => {
    h.upstream.reset();
    openaiUpstream.reset();
  });

  /** The org's traces, oldest first. */
  async function tracesInOrder(): Promise<Trace[]> {
    return (await h.traces(orgId)).sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id));
  }

  describe('root routing: a root /v1/* request carrying anthropic-version is Anthropic’s', () => {
    const anthropic = () => new Anthropic({ apiKey: key, baseURL: h.url, maxRetries: 0 });

    it('GET /v1/models and /v1/models/{id} answer in Anthropic’s shape, with the Anthropic key, from Anthropic’s upstream', async () => {
      const page = await anthropic().models.list({ limit: 2 });
      expect(page.data.map((model) => model.id)).toEqual(['claude-sonnet-4-6', 'claude-haiku-4-5', 'claude-opus-4-6']);
      expect(page.data[0]).toMatchObject({ type: 'model', display_name: 'claude-sonnet-4-6' });
      const listed = h.upstream.lastRequest();
      expect(listed).toMatchObject({ method: 'GET', path: '/v1/models', query: 'limit=2' });
      if (listed) expectOnlyTheAnthropicKey(listed, key);

      const model = await anthropic().models.retrieve('claude-opus-4-6');
      expect(model).toMatchObject({ type: 'model', id: 'claude-opus-4-6' });
      expect(h.upstream.lastRequest()?.path).toBe('/v1/models/claude-opus-4-6');
      expect(openaiUpstream.requestCount).toBe(0);

      const traces = await tracesInOrder();
      expect(traces.slice(-2).map(({ provider, route, status }) => ({ provider, route, status }))).toEqual([
        { provider: 'anthropic', route: '/v1/models', status: 200 },
        { provider: 'anthropic', route: '/v1/models/claude-opus-4-6', status: 200 },
      ]);
    });

    it('GET /v1/files (Files API beta) reaches Anthropic with its key and beta header, never OpenAI', async () => {
      const files = {
        data: [{ type: 'file', id: 'file_011CNha8iCJcU1wXNR6q4V8w', filename: 'a.txt' }],
        has_more: false,
        first_id: null,
        last_id: null,
      };
      h.upstream.enqueue({ kind: 'json', body: files });
      const page = await anthropic().beta.files.list({ betas: ['files-api-2025-04-14'] });
      expect(page.data.map((file) => file.id)).toEqual(['file_011CNha8iCJcU1wXNR6q4V8w']);
      const seen = h.upstream.lastRequest();
      expect(seen).toMatchObject({ method: 'GET', path: '/v1/files' });
      expect(seen?.headers['anthropic-beta']).toBe('files-api-2025-04-14');
      if (seen) expectOnlyTheAnthropicKey(seen, key);
      expect(openaiUpstream.requestCount).toBe(0);
    });

    it('a plain client’s GET /v1/files with x-api-key and anthropic-version is Anthropic’s too', async () => {
      h.upstream.enqueue({ kind: 'json', body: { data: [], has_more: false, first_id: null, last_id: null } });
      const res = await fetch(`${h.url}/v1/files?limit=5`, { headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01' } });
      expect(res.status).toBe(200);
      expect(h.upstream.lastRequest()).toMatchObject({ path: '/v1/files', query: 'limit=5' });
      const seen = h.upstream.lastRequest();
      if (seen) expectOnlyTheAnthropicKey(seen, key);
      expect(openaiUpstream.requestCount).toBe(0);
    });

    it('without anthropic-version, root /v1/* stays OpenAI’s (the OpenAI SDK), with the OpenAI key', async () => {
      const openai = new OpenAI({ apiKey: key, baseURL: `${h.url}/v1`, maxRetries: 0 });
      const models = await openai.models.list();
      expect(models.data.length).toBeGreaterThan(0);
      expect(openaiUpstream.lastRequest()).toMatchObject({ method: 'GET', path: '/v1/models' });
      expect(openaiUpstream.lastRequest()?.headers['authorization']).toBe(`Bearer ${OPENAI_TEST_KEY}`);
      expect(h.upstream.requestCount).toBe(0);
    });

    it('an OpenAI path carrying anthropic-version goes to Anthropic, whose API has no such path: 404, no upstream call', async () => {
      const res = await fetch(`${h.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [] }),
      });
      expect(res.status).toBe(404);
      expect(await readJsonAs<{ error: { code: string } }>(res)).toMatchObject({ error: { code: 'route_not_found' } });
      expect(h.upstream.requestCount + openaiUpstream.requestCount).toBe(0);
    });
  });

  describe.each([
    // ANTHROPIC_AUTH_TOKEN=np_… (Authorization: Bearer), base URL = the gateway root.
    ['the gateway root, bearer key', '', 'bearer'],
    // ANTHROPIC_API_KEY=np_… (x-api-key), base URL = the gateway's /anthropic prefix.
    ['/anthropic, x-api-key', '/anthropic', 'x-api-key'],
  ] as const)('a Claude Code-shaped session at %s', (_name, prefix, keyForm) => {
    it('models, count_tokens, a streamed tool call and its tool_result: unchanged upstream, vault key, traced', async () => {
      const sent: Sent[] = [];
      const client = new Anthropic({
        baseURL: `${h.url}${prefix}`,
        maxRetries: 0,
        fetch: recordingFetch(sent),
        ...(keyForm === 'bearer'
          ? { authToken: key, defaultHeaders: CLAUDE_CODE_HEADERS }
          : { apiKey: null, defaultHeaders: { ...CLAUDE_CODE_HEADERS, 'x-api-key': key } }),
      });
      const beta = { query: { beta: 'true' } };
      const system = [{ type: 'text' as const, text: 'You are Claude Code, an interactive CLI tool.' }];
      const tools = [
        {
          name: 'Read',
          description: 'Reads a file from the local filesystem.',
          input_schema: { type: 'object' as const, properties: { file_path: { type: 'string' } }, required: ['file_path'] },
        },
      ];
      const question = { role: 'user' as const, content: [{ type: 'text' as const, text: 'What does README.md say?' }] };

      // 1. The model list (Claude Code's model discovery).
      const models = await client.models.list(undefined, { query: { beta: 'true', limit: 1000 } });
      expect(models.data.map((model) => model.id)).toContain(MODEL);

      // 2. Token counting.
      const counted = await client.beta.messages.countTokens(
        { model: MODEL, system, tools, messages: [question], betas: CLAUDE_CODE_BETAS },
        beta,
      );
      expect(counted.input_tokens).toBeGreaterThan(0);

      // 3. A streamed turn that calls a tool.
      const toolUse = { id: 'toolu_01session', name: 'Read', input: { file_path: '/repo/README.md' } };
      h.upstream.enqueue({
        kind: 'sse',
        events: anthropicMessageStream({
          model: MODEL,
          chunks: ['Let me ', 'read it.'],
          toolUse,
          usage: { inputTokens: 1200, outputTokens: 40, cacheReadInputTokens: 800, cacheCreationInputTokens: 100 },
        }),
      });
      const turn = {
        model: MODEL,
        max_tokens: 32000,
        system,
        tools,
        betas: CLAUDE_CODE_BETAS,
        metadata: { user_id: 'user_abc_session_1' },
      };
      const first = await client.beta.messages.stream({ ...turn, messages: [question] }, beta).finalMessage();
      expect(first.stop_reason).toBe('tool_use');
      expect(first.content).toContainEqual({ type: 'tool_use', ...toolUse });

      // 4. The follow-up with the tool's result.
      const second = await client.beta.messages
        .stream(
          {
            ...turn,
            messages: [
              question,
              { role: 'assistant', content: first.content },
              { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: '# NavPlane\nA gateway.' }] },
            ],
          },
          beta,
        )
        .finalMessage();
      expect(second.stop_reason).toBe('end_turn');

      // Every request reached Anthropic's upstream as the client sent it: path, query, betas, version, body; the vault key
      // in x-api-key and nothing of NavPlane's; no request reached OpenAI's.
      const seen = h.upstream.requests;
      expect(seen).toHaveLength(4);
      expect(openaiUpstream.requestCount).toBe(0);
      expect(seen.map(({ method, path }) => `${method} ${path}`)).toEqual([
        'GET /v1/models',
        'POST /v1/messages/count_tokens',
        'POST /v1/messages',
        'POST /v1/messages',
      ]);
      seen.forEach((upstream, index) => {
        const client = sent[index];
        if (client === undefined) throw new Error(`no client request ${index}`);
        expect(client.url.pathname).toBe(`${prefix}${upstream.path}`);
        expect(upstream.query).toBe(client.url.search.slice(1));
        expect(upstream.query).toContain('beta=true');
        expect(upstream.headers['anthropic-version']).toBe(client.headers.get('anthropic-version'));
        expect(upstream.headers['anthropic-beta']).toBe(client.headers.get('anthropic-beta'));
        expect(upstream.headers['anthropic-beta']).toContain(CLAUDE_CODE_BETAS.join(','));
        expect(upstream.headers['user-agent']).toBe(CLAUDE_CODE_HEADERS['user-agent']);
        expect(upstream.headers['x-app']).toBeUndefined();
        expect(upstream.headers['x-claude-code-session-id']).toBeUndefined();
        if (client.body !== undefined) expect(upstream.text).toBe(client.body);
        expectOnlyTheAnthropicKey(upstream, key);
      });
      expect(sent.slice(1).every((request) => request.body !== undefined)).toBe(true);
      expect(sent.every((request) => request.headers.get(keyForm === 'bearer' ? 'authorization' : 'x-api-key')?.includes(key))).toBe(true);

      // The traces: provider, model, usage and cost of each turn; the model of the token count.
      const traces = (await tracesInOrder()).slice(-4);
      expect(traces.map(({ provider, route, status }) => ({ provider, route, status }))).toEqual([
        { provider: 'anthropic', route: '/v1/models', status: 200 },
        { provider: 'anthropic', route: '/v1/messages/count_tokens', status: 200 },
        { provider: 'anthropic', route: '/v1/messages', status: 200 },
        { provider: 'anthropic', route: '/v1/messages', status: 200 },
      ]);
      const [, count, toolTurn, resultTurn] = traces;
      expect(count).toMatchObject({ model: MODEL, stream: false, costStatus: 'exact', costUsd: 0 });
      expect(toolTurn).toMatchObject({
        model: MODEL,
        stream: true,
        tokensIn: 1200 + 800 + 100,
        tokensOut: 40,
        cacheReadTokens: 800,
        cacheWriteTokens: 100,
        costStatus: 'estimated',
      });
      expect(toolTurn?.costUsd).toBeGreaterThan(0);
      expect(resultTurn).toMatchObject({ model: MODEL, stream: true, tokensOut: second.usage.output_tokens, costStatus: 'estimated' });
      expect(resultTurn?.tokensIn).toBeGreaterThan(0);
      expect(resultTurn?.costUsd).toBeGreaterThan(0);
    });
  });
});
