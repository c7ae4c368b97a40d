import { openaiAdapter } from './openai.adapter';

describe('openaiAdapter', () => {
  it('has its id, route prefix, root alias and passthrough credential header', () => {
    expect(openaiAdapter.id).toBe('openai');
    expect(openaiAdapter.routePrefix).toBe('/openai');
    expect(openaiAdapter.rootAliases).toEqual([{ path: '/v1/', match: 'prefix' }]);
    expect(openaiAdapter.keyHeaders).toEqual([{ name: 'authorization', scheme: 'bearer' }]);
  });

  it('forwards the headers the OpenAI SDKs send, by name, and no other openai-* or anthropic-* header', () => {
    for (const name of ['openai-organization', 'openai-project', 'openai-beta', 'x-stainless-lang', 'x-stainless-retry-count']) {
      expect(openaiAdapter.forwardedHeaderNames.has(name)).toBe(true);
    }
    for (const name of ['openai-base-url', 'openai-anything', 'anthropic-version', 'x-stainless-anything', 'authorization']) {
      expect(openaiAdapter.forwardedHeaderNames.has(name)).toBe(false);
    }
  });

  it('sends a stored key as a bearer token', () => {
    expect(openaiAdapter.vaultAuthHeaders('sk-test')).toEqual({ authorization: 'Bearer sk-test' });
  });

  it.each([
    ['https://api.openai.com', '/v1/chat/completions', undefined, 'https://api.openai.com/v1/chat/completions'],
    ['https://api.openai.com', '/v1/models', '', 'https://api.openai.com/v1/models'],
    ['https://api.openai.com', '/v1/files', 'purpose=batch&limit=2', 'https://api.openai.com/v1/files?purpose=batch&limit=2'],
    ['http://127.0.0.1:9999/prefix', '/v1/embeddings', undefined, 'http://127.0.0.1:9999/prefix/v1/embeddings'],
  ])('upstreamUrl(%s, %s, %s) = %s', (base, suffix, query, expected) => {
    expect(openaiAdapter.upstreamUrl(base, suffix, query)).toBe(expected);
  });

  it.each(['.evil.example/v1/x', '@evil.example/v1/x', 'v1/models'])('refuses a path that could change the host: %s', (suffix) => {
    expect(() => openaiAdapter.upstreamUrl('https://api.openai.com', suffix)).toThrow();
  });

  it.each([
    ['POST', '/v1/chat/completions'],
    ['GET', '/v1/chat/completions'],
    ['GET', '/v1/chat/completions/chatcmpl-abc123'],
    ['GET', '/v1/chat/completions/chatcmpl-abc123/messages'],
    ['POST', '/v1/completions'],
    ['POST', '/v1/responses'],
    ['GET', '/v1/responses/resp_67ccd2bed1ec8190'],
    ['DELETE', '/v1/responses/resp_67ccd2bed1ec8190'],
    ['POST', '/v1/responses/resp_67ccd2bed1ec8190/cancel'],
    ['GET', '/v1/responses/resp_67ccd2bed1ec8190/input_items'],
    ['POST', '/v1/responses/input_tokens'],
    ['POST', '/v1/embeddings'],
    ['GET', '/v1/models'],
    ['GET', '/v1/models/gpt-4.1-mini'],
    ['GET', '/v1/models/ft:gpt-4o-mini-2024-07-18:acme::AbC123'],
    ['GET', '/v1/models/ft%3Agpt-4o-mini%3Aacme'],
    ['DELETE', '/v1/models/ft:gpt-4o-mini-2024-07-18:acme::AbC123'],
    ['POST', '/v1/moderations'],
    ['POST', '/v1/images/generations'],
    ['POST', '/v1/images/edits'],
    ['POST', '/v1/audio/speech'],
    ['POST', '/v1/audio/transcriptions'],
    ['GET', '/v1/files'],
    ['POST', '/v1/files'],
    ['GET', '/v1/files/file-abc123/content'],
    ['DELETE', '/v1/files/file-abc123'],
    ['POST', '/v1/uploads/upload_abc/parts'],
    ['POST', '/v1/batches'],
    ['POST', '/v1/batches/batch_abc/cancel'],
    ['POST', '/v1/fine_tuning/jobs'],
    ['GET', '/v1/fine_tuning/jobs/ftjob-abc/events'],
    ['POST', '/v1/vector_stores/vs_abc/file_batches'],
    ['GET', '/v1/vector_stores/vs_abc/files/file-1/content'],
    ['POST', '/v1/assistants'],
    ['POST', '/v1/threads/thread_abc/runs/run_abc/submit_tool_outputs'],
    ['POST', '/v1/threads/runs'],
    ['POST', '/v1/realtime/sessions'],
    ['POST', '/v1/realtime/client_secrets'],
    ['POST', '/v1/conversations/conv_abc/items'],
  ])('allows %s %s', (method, path) => {
    expect(openaiAdapter.isAllowedPath(method, path)).toBe(true);
  });

  it.each([
    ['GET', '/v1/organization/admin_api_keys'],
    ['GET', '/v1/organization/usage/completions'],
    ['GET', '/v1/realtime'],
    ['GET', '/v1/embeddings'],
    ['PUT', '/v1/chat/completions'],
    ['POST', '/v1/chat/completions/'],
    ['POST', '/v1//chat/completions'],
    ['POST', '/v1/Chat/Completions'],
    ['POST', '/chat/completions'],
    ['POST', '/v2/chat/completions'],
    ['GET', '/v1/models/..'],
    ['GET', '/v1/models/.'],
    ['GET', '/v1/models/%2e%2e'],
    ['GET', '/v1/models/a%2Fb'],
    ['GET', '/v1/models/a%5Cb'],
    ['GET', '/v1/files/../../organization/users'],
    ['GET', '/v1/files/file-1/%2E%2E/%2E%2E/organization'],
    ['GET', '/v1/models/a b'],
    ['GET', '/v1/models/%zz'],
    ['POST', '/v1/messages'],
    ['GET', '/v1/files/a/b/c/d/e/f/g/h/i'],
  ])('refuses %s %s', (method, path) => {
    expect(openaiAdapter.isAllowedPath(method, path)).toBe(false);
  });

  it.each([
    ['POST', '/v1/chat/completions', true],
    ['GET', '/v1/chat/completions', false],
    ['POST', '/v1/responses', false],
    ['POST', '/v1/embeddings', false],
  ])('needsRequestBody(%s %s) = %s', (method, path, expected) => {
    expect(openaiAdapter.needsRequestBody(method, path)).toBe(expected);
  });

  it.each([
    ['POST', '/v1/chat/completions', true],
    ['POST', '/v1/responses', true],
    ['POST', '/v1/embeddings', true],
    ['POST', '/v1/completions', true],
    ['GET', '/v1/responses/resp_1', false],
    ['GET', '/v1/models', false],
    ['POST', '/v1/responses/input_tokens', false],
    ['POST', '/v1/moderations', false],
  ])('reportsUsage(%s %s) = %s', (method, path, expected) => {
    expect(openaiAdapter.reportsUsage(method, path)).toBe(expected);
  });
});
