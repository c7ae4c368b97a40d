import { anthropicAdapter } from './anthropic.adapter';

describe('anthropicAdapter', () => {
  it('has its id, route prefix, root aliases and passthrough credential headers', () => {
    expect(anthropicAdapter.id).toBe('anthropic');
    expect(anthropicAdapter.routePrefix).toBe('/anthropic');
    expect(anthropicAdapter.rootAliases).toEqual([
      { path: '/v1/messages', match: 'exact' },
      { path: '/v1/messages/', match: 'prefix' },
      { path: '/v1/', match: 'prefix', header: 'anthropic-version' },
    ]);
    expect(anthropicAdapter.keyHeaders).toEqual([{ name: 'x-api-key' }, { name: 'authorization', scheme: 'bearer' }]);
  });

  it('forwards the headers the Anthropic SDKs send, by name, and no other anthropic-* or openai-* header', () => {
    for (const name of ['anthropic-version', 'anthropic-beta', 'anthropic-dangerous-direct-browser-access', 'x-stainless-timeout']) {
      expect(anthropicAdapter.forwardedHeaderNames.has(name)).toBe(true);
    }
    for (const name of ['anthropic-foo', 'anthropic-base-url', 'openai-organization', 'x-api-key', 'authorization']) {
      expect(anthropicAdapter.forwardedHeaderNames.has(name)).toBe(false);
    }
  });

  it('sends a stored key as x-api-key', () => {
    expect(anthropicAdapter.vaultAuthHeaders('sk-ant-test')).toEqual({ 'x-api-key': 'sk-ant-test' });
  });

  it('builds the upstream URL from the base URL only', () => {
    expect(anthropicAdapter.upstreamUrl('https://api.anthropic.com', '/v1/messages', 'beta=true')).toBe(
      'https://api.anthropic.com/v1/messages?beta=true',
    );
  });

  it.each([
    ['POST', '/v1/messages'],
    ['POST', '/v1/messages/count_tokens'],
    ['POST', '/v1/messages/batches'],
    ['GET', '/v1/messages/batches'],
    ['GET', '/v1/messages/batches/msgbatch_013Zva2CMHLNnXjNJJKqJ2EF'],
    ['DELETE', '/v1/messages/batches/msgbatch_013Zva2CMHLNnXjNJJKqJ2EF'],
    ['GET', '/v1/messages/batches/msgbatch_013Zva2CMHLNnXjNJJKqJ2EF/results'],
    ['POST', '/v1/messages/batches/msgbatch_013Zva2CMHLNnXjNJJKqJ2EF/cancel'],
    ['GET', '/v1/models'],
    ['GET', '/v1/models/claude-sonnet-4-5-20250929'],
    ['GET', '/v1/files'],
    ['POST', '/v1/files'],
    ['GET', '/v1/files/file_011CNha8iCJcU1wXNR6q4V8w'],
    ['DELETE', '/v1/files/file_011CNha8iCJcU1wXNR6q4V8w'],
    ['GET', '/v1/files/file_011CNha8iCJcU1wXNR6q4V8w/content'],
  ])('allows %s %s', (method, path) => {
    expect(anthropicAdapter.isAllowedPath(method, path)).toBe(true);
  });

  it.each([
    ['GET', '/v1/messages'],
    ['POST', '/v1/complete'],
    ['GET', '/v1/organizations/api_keys'],
    ['POST', '/v1/chat/completions'],
    ['GET', '/v1/messages/batches/../../organizations/users'],
    ['GET', '/v1/messages/batches/%2e%2e/results'],
    ['POST', '/v1/messages/'],
    ['PUT', '/v1/files'],
  ])('refuses %s %s', (method, path) => {
    expect(anthropicAdapter.isAllowedPath(method, path)).toBe(false);
  });

  it('never needs the request body, and only messages report usage', () => {
    expect(anthropicAdapter.needsRequestBody('POST', '/v1/messages')).toBe(false);
    expect(anthropicAdapter.reportsUsage('POST', '/v1/messages')).toBe(true);
    expect(anthropicAdapter.reportsUsage('POST', '/v1/messages/count_tokens')).toBe(false);
  });

  it('prepareRequest only reads stream and model', () => {
    const body = { model: 'claude-sonnet-4-5', max_tokens: 10, stream: true, messages: [] };
    expect(anthropicAdapter.prepareRequest('/v1/messages', body)).toEqual({
      body,
      changed: false,
      stream: true,
      model: 'claude-sonnet-4-5',
      stripUsageChunk: false,
    });
  });

  it('reads usage from a messages response: inputTokens is the whole prompt', () => {
    const json = {
      id: 'msg_1',
      type: 'message',
      model: 'claude-opus-4-1-20250805',
      content: [{ type: 'tool_use', id: 't', name: 'x', input: { usage: { input_tokens: 999 } } }],
      usage: {
        input_tokens: 50,
        cache_creation_input_tokens: 1000,
        cache_read_input_tokens: 4000,
        cache_creation: { ephemeral_5m_input_tokens: 400, ephemeral_1h_input_tokens: 600 },
        output_tokens: 120,
        server_tool_use: null,
        service_tier: 'standard',
      },
    };
    expect(anthropicAdapter.usageFromJson('/v1/messages', json)).toEqual({
      inputTokens: 5050,
      outputTokens: 120,
      cacheReadTokens: 4000,
      cacheWriteTokens: 1000,
      cacheWrite1hTokens: 600,
      totalTokens: 5170,
    });
    expect(anthropicAdapter.modelFromJson(json)).toBe('claude-opus-4-1-20250805');
  });

  it('count_tokens, batches and errors are not usage', () => {
    expect(anthropicAdapter.usageFromJson('/v1/messages/count_tokens', { input_tokens: 12 })).toBeUndefined();
    expect(anthropicAdapter.usageFromJson('/v1/messages', { type: 'error', error: { type: 'overloaded_error' } })).toBeUndefined();
  });
});
