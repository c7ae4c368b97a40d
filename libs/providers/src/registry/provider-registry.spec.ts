import { anthropicAdapter } from '../anthropic/anthropic.adapter';
import { openaiAdapter } from '../openai/openai.adapter';
import { createProviderRegistry, splitRequestUrl } from './provider-registry';

const registry = createProviderRegistry({
  baseUrls: {
    openai: 'https://api.openai.com/',
    anthropic: 'http://127.0.0.1:4010/anthropic-mock//',
    gemini: 'https://generativelanguage.googleapis.com',
    mistral: 'https://api.mistral.ai',
  },
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

  describe('root claims: any root /v1/* request carrying anthropic-version is Anthropic’s', () => {
    const anthropicClient = { 'anthropic-version': '2023-06-01', authorization: 'Bearer np_x' };

    it.each([
      ['/v1/models', '/v1/models'],
      ['/v1/models/claude-sonnet-4-6', '/v1/models/claude-sonnet-4-6'],
      ['/v1/files', '/v1/files'],
      ['/v1/files/file_011/content', '/v1/files/file_011/content'],
      ['/v1/messages/count_tokens', '/v1/messages/count_tokens'],
      ['/v1/messages/batches', '/v1/messages/batches'],
      // Not Anthropic's API: routed to it all the same, where its allow-list refuses it (404, no OpenAI call).
      ['/v1/chat/completions', '/v1/chat/completions'],
    ])('%s with anthropic-version → anthropic %s', (path, suffix) => {
      const route = registry.resolve(path, anthropicClient);
      expect(route?.adapter.id).toBe('anthropic');
      expect(route?.pathSuffix).toBe(suffix);
    });

    it('holds whatever the header’s value, even as an array, and only at the root', () => {
      expect(registry.resolve('/v1/models', { 'anthropic-version': '' })?.adapter.id).toBe('anthropic');
      expect(registry.resolve('/v1/models', { 'anthropic-version': ['2023-06-01', 'x'] })?.adapter.id).toBe('anthropic');
      expect(registry.resolve('/openai/v1/models', anthropicClient)?.adapter.id).toBe('openai');
      expect(registry.resolve('/v2/models', anthropicClient)).toBeUndefined();
      expect(registry.resolve('/v1', anthropicClient)).toBeUndefined();
    });

    it('without the header (or without headers) /v1/* other than /v1/messages stays OpenAI’s', () => {
      for (const headers of [undefined, {}, { authorization: 'Bearer np_x', 'anthropic-beta': 'x', 'anthropic-versions': '1' }]) {
        expect(registry.resolve('/v1/models', headers)?.adapter.id).toBe('openai');
        expect(registry.resolve('/v1/files', headers)?.adapter.id).toBe('openai');
        expect(registry.resolve('/v1/messages', headers)?.adapter.id).toBe('anthropic');
      }
    });

    it('route() applies the claim, then Anthropic’s allow-list', () => {
      expect(registry.route('GET', '/v1/models', anthropicClient)).toMatchObject({ ok: true, value: { adapter: { id: 'anthropic' } } });
      expect(registry.route('POST', '/v1/messages/count_tokens', anthropicClient).ok).toBe(true);
      expect(registry.route('POST', '/v1/chat/completions', anthropicClient)).toEqual({ ok: false, error: 'route_not_found' });
      expect(registry.route('GET', '/v1/models')).toMatchObject({ ok: true, value: { adapter: { id: 'openai' } } });
    });

    it('a claim wins over a longer alias of another provider, whatever order the providers come in', () => {
      const longAlias = {
        ...openaiAdapter,
        rootAliases: [...openaiAdapter.rootAliases, { path: '/v1/models/', match: 'prefix' as const }],
      };
      for (const builtIns of [
        [longAlias, anthropicAdapter],
        [anthropicAdapter, longAlias],
      ]) {
        const custom = createProviderRegistry({ baseUrls: { openai: 'https://a.example', anthropic: 'https://b.example' }, builtIns });
        expect(custom.resolve('/v1/models/m', anthropicClient)?.adapter.id).toBe('anthropic');
        expect(custom.resolve('/v1/models/m')?.adapter.id).toBe('openai');
      }
    });

    it('refuses two providers that claim the same path with the same header', () => {
      const twin = {
        ...anthropicAdapter,
        id: 'twin',
        routePrefix: '/twin',
        rootAliases: [{ path: '/v1/', match: 'prefix' as const, header: 'anthropic-version' }],
      };
      expect(() =>
        createProviderRegistry({
          baseUrls: { openai: 'https://a.example', anthropic: 'https://b.example', twin: 'https://c.example' },
          builtIns: [openaiAdapter, anthropicAdapter, twin],
        }),
      ).toThrow(/providers anthropic and twin both claim \/v1\//);
    });
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
    expect(registry.adapters.map((a) => a.id)).toEqual(['openai', 'anthropic', 'gemini', 'mistral', 'azure-openai']);
    expect(registry.ids).toEqual(['openai', 'anthropic', 'gemini', 'mistral', 'azure-openai']);
    expect(registry.adapter('anthropic')?.id).toBe('anthropic');
    expect(registry.has('openai')).toBe(true);
    expect(registry.baseUrl('gemini')).toBe('https://generativelanguage.googleapis.com');
    expect(registry.has('no-such-provider')).toBe(false);
    expect(registry.adapter('no-such-provider')).toBeUndefined();
    expect(registry.baseUrl('no-such-provider')).toBeUndefined();
  });

  it.each([
    'not a url',
    'ftp://api.openai.com',
    'https://user:pw@api.openai.com',
    'https://api.openai.com/?x=1',
    'https://api.openai.com/#f',
  ])('refuses the base URL %s at construction', (url) => {
    expect(() =>
      createProviderRegistry({ baseUrls: { openai: url, anthropic: 'https://api.anthropic.com', mistral: 'https://api.mistral.ai' } }),
    ).toThrow(/baseUrls\.openai/);
  });

  it('needs a base URL for every built-in provider', () => {
    expect(() => createProviderRegistry({ baseUrls: { openai: 'https://api.openai.com' } })).toThrow(/no base URL for provider anthropic/);
  });

  it('resolves root aliases longest first, whatever order the providers come in', () => {
    const reversed = createProviderRegistry({
      baseUrls: {
        openai: 'https://api.openai.com',
        anthropic: 'https://api.anthropic.com',
        gemini: 'https://generativelanguage.googleapis.com',
        mistral: 'https://api.mistral.ai',
      },
      builtIns: [anthropicAdapter, openaiAdapter],
    });
    expect(reversed.resolve('/v1/messages/batches')?.adapter.id).toBe('anthropic');
    expect(reversed.resolve('/v1/messages')?.adapter.id).toBe('anthropic');
    expect(reversed.resolve('/v1/messagesx')?.adapter.id).toBe('openai');
  });

  it('lists the requests that must reach each provider: its main endpoint under its prefix and its covering root aliases', () => {
    expect(registry.routeChecks()).toEqual([
      { method: 'POST', path: '/openai/v1/chat/completions', provider: 'openai' },
      { method: 'POST', path: '/v1/chat/completions', provider: 'openai' },
      { method: 'POST', path: '/anthropic/v1/messages', provider: 'anthropic' },
      { method: 'POST', path: '/v1/messages', provider: 'anthropic' },
      { method: 'POST', path: '/v1/messages', headers: { 'anthropic-version': 'probe' }, provider: 'anthropic' },
      { method: 'POST', path: '/gemini/v1beta/models/gemini-2.5-flash:generateContent', provider: 'gemini' },
      { method: 'POST', path: '/mistral/v1/chat/completions', provider: 'mistral' },
      { method: 'POST', path: '/azure-openai/openai/v1/chat/completions', provider: 'azure-openai' },
    ]);
  });

  it('takes no operator base URL for a provider whose endpoint is the tenant’s: the upstream URL needs the stored one', () => {
    expect(registry.baseUrl('azure-openai')).toBeUndefined();
    const route = registry.route('POST', '/azure-openai/openai/deployments/gpt/chat/completions');
    expect(route.ok && route.value.baseUrl).toBeUndefined();
    if (!route.ok) throw new Error('no route');
    expect(registry.upstreamUrl(route.value, 'api-version=2024-10-21', 'https://mine.openai.azure.com')).toBe(
      'https://mine.openai.azure.com/openai/deployments/gpt/chat/completions?api-version=2024-10-21',
    );
    expect(() => registry.upstreamUrl(route.value)).toThrow(/no base URL/);
    // An operator-configured provider ignores a tenant's URL: no tenant can choose its upstream.
    const openai = registry.route('POST', '/openai/v1/chat/completions');
    if (!openai.ok) throw new Error('no route');
    expect(registry.upstreamUrl(openai.value, '', 'https://evil.example')).toBe('https://api.openai.com/v1/chat/completions');
  });

  it('knows a provider key by any provider’s key prefix, never a NavPlane key', () => {
    expect(registry.looksLikeProviderKey('sk-proj-abc')).toBe(true);
    expect(registry.looksLikeProviderKey('sk-ant-api03-abc')).toBe(true);
    expect(registry.looksLikeProviderKey('np_abc')).toBe(false);
    expect(registry.looksLikeProviderKey('garbage')).toBe(false);
  });

  describe('operator-defined OpenAI-compatible providers', () => {
    const withGroq = createProviderRegistry({
      baseUrls: {
        openai: 'https://api.openai.com',
        anthropic: 'https://api.anthropic.com',
        gemini: 'https://generativelanguage.googleapis.com',
        mistral: 'https://api.mistral.ai',
      },
      openaiCompatible: [
        { id: 'groq', baseUrl: 'https://api.groq.com/openai/', auth: 'bearer' },
        { id: 'local-llm', baseUrl: 'http://127.0.0.1:11434', auth: 'header:API-Key' },
      ],
    });

    it('routes /<id>/v1/* to <baseUrl>/v1/* on the OpenAI API paths, after the built-in providers', () => {
      expect(withGroq.ids).toEqual(['openai', 'anthropic', 'gemini', 'mistral', 'azure-openai', 'groq', 'local-llm']);
      const route = withGroq.route('POST', '/groq/v1/chat/completions');
      expect(route.ok && withGroq.upstreamUrl(route.value)).toBe('https://api.groq.com/openai/v1/chat/completions');
      expect(withGroq.route('GET', '/groq/v1/organization/users').ok).toBe(false);
      expect(withGroq.resolve('/groq/chat/completions')).toBeUndefined();
      // Root aliases stay the built-in providers'.
      expect(withGroq.resolve('/v1/chat/completions')?.adapter.id).toBe('openai');
    });

    it('sends the stored key as its auth says, and takes a client key there too', () => {
      expect(withGroq.adapter('groq')?.vaultAuthHeaders('gsk_1')).toEqual({ authorization: 'Bearer gsk_1' });
      expect(withGroq.adapter('local-llm')?.vaultAuthHeaders('k-1')).toEqual({ 'api-key': 'k-1' });
      expect(withGroq.adapter('local-llm')?.keyHeaders).toEqual([{ name: 'api-key' }]);
    });

    it.each([
      [
        'an id taken by a built-in provider',
        { id: 'openai', baseUrl: 'https://x.example', auth: 'bearer' },
        /two providers have the id openai/,
      ],
      ['an id that is a root alias', { id: 'v1', baseUrl: 'https://x.example', auth: 'bearer' }, /taken by the gateway/],
      ['an id that is a gateway path', { id: 'healthz', baseUrl: 'https://x.example', auth: 'bearer' }, /taken by the gateway/],
      ['an id that is no provider id', { id: 'Bad Id', baseUrl: 'https://x.example', auth: 'bearer' }, /provider id/],
      ['an unknown auth', { id: 'x', baseUrl: 'https://x.example', auth: 'basic' }, /providers\[0\]: auth/],
      ['a reserved auth header', { id: 'x', baseUrl: 'https://x.example', auth: 'header:host' }, /providers\[0\]: auth/],
      ['a NavPlane auth header', { id: 'x', baseUrl: 'https://x.example', auth: 'header:x-navplane-key' }, /providers\[0\]: auth/],
      ['a base URL with a query', { id: 'x', baseUrl: 'https://x.example/?a=1', auth: 'bearer' }, /providers\[0\]\.baseUrl/],
    ])('refuses %s at start-up', (_name, provider, message) => {
      expect(() =>
        createProviderRegistry({
          baseUrls: {
            openai: 'https://api.openai.com',
            anthropic: 'https://api.anthropic.com',
            gemini: 'https://generativelanguage.googleapis.com',
            mistral: 'https://api.mistral.ai',
          },
          openaiCompatible: [provider],
        }),
      ).toThrow(message);
    });

    it('refuses two providers that claim the same root alias', () => {
      const twin = { ...openaiAdapter, id: 'twin', routePrefix: '/twin' };
      expect(() =>
        createProviderRegistry({ baseUrls: { openai: 'https://a.example', twin: 'https://b.example' }, builtIns: [openaiAdapter, twin] }),
      ).toThrow(/providers openai and twin both claim \/v1\//);
    });
  });

  it('splits a request URL into path and raw query', () => {
    expect(splitRequestUrl('/v1/files?purpose=batch&a=%20')).toEqual({
      path: '/v1/files',
      rawQuery: 'purpose=batch&a=%20',
    });
    expect(splitRequestUrl('/v1/models')).toEqual({ path: '/v1/models', rawQuery: '' });
  });
});
