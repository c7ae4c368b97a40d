import { createProviderRegistry, splitRequestUrl } from './provider-registry';

const registry = createProviderRegistry({
  baseUrls: { openai: 'https://api.openai.com/', anthropic: 'http://127.0.0.1:4010/anthropic-mock//' },
});

describe('provider registry', () => {
  it.each([
    ['/openai/v1/chat/completions', 'openai', '/v1/chat/completions'],
    ['/openai/v1/models/gpt-4o', 'openai', '/v1/models/gpt-4o'],
    ['/anthropic/v1/messages', 'anthropic', '/v1/messages'],
    ['/anthropic/v1/messages/batches/msgbatch_1/results', 'anthropic', '/v1/messages/batches/msgbatch_1/results'],
    ['/anthropic/v1/models', 'anthropic', '/v1/models'],
    ['/v1/messages', 'anthropic', '/v1/messages'],
    ['/v1/messages/count_tokens', 'anthropic', '/v1/messages/count_tokens'],
    ['/v1/messages/batches', 'anthropic', '/v1/messages/batches'],
    ['/v1/messages/batches/msgbatch_1/cancel', 'anthropic', '/v1/messages/batches/msgbatch_1/cancel'],
    ['/v1/chat/completions', 'openai', '/v1/chat/completions'],
    ['/v1/responses', 'openai', '/v1/responses'],
    ['/v1/embeddings', 'openai', '/v1/embeddings'],
    ['/v1/models', 'openai', '/v1/models'],
    ['/v1/messagesx', 'openai', '/v1/messagesx'],
  ])('resolves %s to %s %s', (path, provider, suffix) => {
    const route = registry.resolve(path);
    expect(route?.adapter.id).toBe(provider);
    expect(route?.pathSuffix).toBe(suffix);
  });

  it.each([
    '/',
    '/healthz',
    '/metrics',
    '/openai',
    '/openai/v1',
    '/openai/v2/chat/completions',
    '/anthropic/messages',
    '/v1',
    '/v2/x',
    'openai/v1/x',
    '/OPENAI/v1/models',
  ])('resolves nothing for %s', (path) => {
    expect(registry.resolve(path)).toBeUndefined();
  });

  it('normalises base URLs once and builds upstream URLs from them', () => {
    expect(registry.baseUrl('openai')).toBe('https://api.openai.com');
    expect(registry.baseUrl('anthropic')).toBe('http://127.0.0.1:4010/anthropic-mock');
    const openai = registry.resolve('/openai/v1/files');
    const anthropic = registry.resolve('/v1/messages');
    if (!openai || !anthropic) throw new Error('unresolved');
    expect(registry.upstreamUrl(openai, 'limit=2')).toBe('https://api.openai.com/v1/files?limit=2');
    expect(registry.upstreamUrl(anthropic)).toBe('http://127.0.0.1:4010/anthropic-mock/v1/messages');
  });

  it('a request cannot choose the upstream host', () => {
    for (const path of ['/openai/v1/@evil.example/x', '/v1//evil.example/x', '/openai/v1/..%2F..%2Fevil']) {
      const route = registry.resolve(path);
      if (route) expect(new URL(registry.upstreamUrl(route)).host).toBe('api.openai.com');
    }
  });

  it.each([
    ['POST', '/openai/v1/chat/completions', true],
    ['POST', '/v1/messages', true],
    ['GET', '/v1/organization/users', false],
    ['POST', '/anthropic/v1/chat/completions', false],
    ['GET', '/nothing', false],
  ])('route(%s %s) ok = %s', (method, path, ok) => {
    const result = registry.route(method, path);
    expect(result.ok).toBe(ok);
    if (!result.ok) expect(result.error).toBe('route_not_found');
  });

  it('exposes adapters by id, and knows no other', () => {
    expect(registry.adapters.map((a) => a.id)).toEqual(['openai', 'anthropic']);
    expect(registry.ids).toEqual(['openai', 'anthropic']);
    expect(registry.adapter('anthropic')?.id).toBe('anthropic');
    expect(registry.has('openai')).toBe(true);
    expect(registry.has('gemini')).toBe(false);
    expect(registry.adapter('gemini')).toBeUndefined();
    expect(registry.baseUrl('gemini')).toBeUndefined();
  });

  it.each([
    'not a url',
    'ftp://api.openai.com',
    'https://user:pw@api.openai.com',
    'https://api.openai.com/?x=1',
    'https://api.openai.com/#f',
  ])('refuses the base URL %s at construction', (url) => {
    expect(() => createProviderRegistry({ baseUrls: { openai: url, anthropic: 'https://api.anthropic.com' } })).toThrow(/baseUrls\.openai/);
  });

  it('splits a request URL into path and raw query', () => {
    expect(splitRequestUrl('/v1/files?purpose=batch&a=%20')).toEqual({
      path: '/v1/files',
      rawQuery: 'purpose=batch&a=%20',
    });
    expect(splitRequestUrl('/v1/models')).toEqual({ path: '/v1/models', rawQuery: '' });
  });
});
