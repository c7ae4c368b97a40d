import { routeTable, sampleRoute, smartFallbackRoute } from '@navplane/testing';
import {
  describeRouteProblems,
  findRoute,
  parseRouteDocument,
  readStoredRouteDocument,
  retryPolicyOf,
  type RouteProviders,
} from './route-document';

const providers: RouteProviders = {
  apiFormat: (id) => ({ openai: 'openai', 'azure-openai': 'openai', mistral: 'openai', anthropic: 'anthropic', gemini: 'gemini' })[id],
};

describe('parseRouteDocument', () => {
  it('accepts the contract example and fills in the defaults', () => {
    // The shared `smart` route (libs/testing) written out in full, and a route leaving every default out.
    const smart = smartFallbackRoute({
      second: { provider: 'azure-openai', model: 'gpt-4.1', key: 'eu', weight: 1 },
      retry: { attempts: 2, on: ['connect', 'timeout', '429', '5xx'] },
    });
    const cheap = sampleRoute({ model: 'cheap', targets: [{ provider: 'mistral', model: 'mistral-small-latest' }] });
    const parsed = parseRouteDocument({ routes: [smart.stored, cheap.input] }, providers);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value).toEqual(routeTable(smart, cheap).stored);
    expect(parsed.value.routes[1]).toEqual({
      model: 'cheap',
      strategy: 'fallback',
      targets: [{ provider: 'mistral', model: 'mistral-small-latest', key: 'default' }],
    });
    const first = parsed.value.routes[0];
    expect(first && retryPolicyOf(first)).toEqual({ attempts: 2, on: new Set(['connect', 'timeout', '429', '5xx']) });
    const second = parsed.value.routes[1];
    expect(second && retryPolicyOf(second).attempts).toBe(1);
  });

  it('says which route and target is wrong, for every problem', () => {
    const parsed = parseRouteDocument(
      {
        routes: [
          {
            model: 'a',
            targets: [
              { provider: 'openai', model: 'gpt-4.1' },
              { provider: 'anthropic', model: 'claude-sonnet-4-5' },
            ],
          },
          { model: 'a', targets: [{ provider: 'nope', model: 'x' }] },
        ],
      },
      providers,
    );
    expect(parsed).toEqual({
      ok: false,
      problems: [
        { path: 'routes[0].targets', message: "targets speak different API formats (anthropic, openai): a route's targets must speak one" },
        { path: 'routes[1].model', message: '"a" is also routes[0]\'s name' },
        { path: 'routes[1].targets[0].provider', message: 'unknown provider "nope"' },
      ],
    });
  });

  it.each([
    [{}, 'routes'],
    [{ routes: [{ model: 'x', targets: [] }] }, 'routes[0].targets'],
    [{ routes: [{ model: ' x', targets: [{ provider: 'openai', model: 'm' }] }] }, 'routes[0].model'],
    [{ routes: [{ model: 'x', strategy: 'random', targets: [{ provider: 'openai', model: 'm' }] }] }, 'routes[0].strategy'],
    [{ routes: [{ model: 'x', targets: [{ provider: 'openai', model: 'm', key: 'a b' }] }] }, 'routes[0].targets[0].key'],
    [{ routes: [{ model: 'x', targets: [{ provider: 'openai', model: 'm', weight: 0 }] }] }, 'routes[0].targets[0].weight'],
    [{ routes: [{ model: 'x', targets: [{ provider: 'openai', model: 'm' }], retry: { attempts: 0 } }] }, 'routes[0].retry.attempts'],
    [{ routes: [{ model: 'x', targets: [{ provider: 'openai', model: 'm' }], retry: { on: ['404'] } }] }, 'routes[0].retry.on[0]'],
    [{ routes: [{ model: 'x', targets: [{ provider: 'openai', model: 'm' }], extra: 1 }] }, 'routes[0]'],
  ])('refuses %j at %s', (raw, path) => {
    const parsed = parseRouteDocument(raw, providers);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems.map((p) => p.path)).toContain(path);
  });
});

describe('stored documents and lookups', () => {
  it('reads a stored document back through the schema, and refuses one it no longer accepts', () => {
    const minimal = routeTable(sampleRoute({ model: 'm', targets: [{ provider: 'p', model: 'x' }] }));
    expect(readStoredRouteDocument(minimal.input)).toEqual(minimal.stored);
    expect(() => readStoredRouteDocument({ routes: [{ model: 'm', targets: [] }] })).toThrow(/routes\[0\]\.targets: /);
  });

  it('finds a route by its model name, and says every problem on one line', () => {
    const document = readStoredRouteDocument({
      routes: [
        { model: 'a', targets: [{ provider: 'openai', model: 'gpt-4.1' }] },
        { model: 'b', targets: [{ provider: 'openai', model: 'gpt-4.1-mini' }] },
      ],
    });
    expect(findRoute(document, 'b')?.targets[0]?.model).toBe('gpt-4.1-mini');
    expect(findRoute(document, 'b')).toBe(findRoute(document, 'b'));
    expect(findRoute(document, 'gpt-4.1')).toBeUndefined();
    expect(
      describeRouteProblems([
        { path: 'routes[0].targets[1].provider', message: 'unknown provider "x"' },
        { path: 'routes[1].model', message: 'duplicate' },
      ]),
    ).toBe('routes[0].targets[1].provider: unknown provider "x"; routes[1].model: duplicate');
  });
});

describe('key names', () => {
  it('checks every target’s key against the org’s stored names when given, beside the other problems', () => {
    const parsed = parseRouteDocument(
      {
        routes: [
          {
            model: 'r',
            targets: [
              { provider: 'openai', model: 'a' },
              { provider: 'openai', model: 'b', key: 'eu' },
              { provider: 'mistral', model: 'c' },
              { provider: 'nope', model: 'd', key: 'x' },
            ],
          },
        ],
      },
      { ...providers, keyNames: (id) => (id === 'openai' ? ['default', 'us'] : undefined) },
    );
    expect(parsed).toEqual({
      ok: false,
      problems: [
        { path: 'routes[0].targets[1].key', message: 'this org has no openai key named "eu" (it has: default, us)' },
        { path: 'routes[0].targets[2].key', message: 'this org has no mistral key stored (store one first)' },
        { path: 'routes[0].targets[3].provider', message: 'unknown provider "nope"' },
      ],
    });
    expect(
      parseRouteDocument(
        { routes: [{ model: 'r', targets: [{ provider: 'openai', model: 'a', key: 'us' }] }] },
        { ...providers, keyNames: () => ['us'] },
      ).ok,
    ).toBe(true);
  });
});
