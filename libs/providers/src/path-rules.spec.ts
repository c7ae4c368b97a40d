import { compilePathRules, isSafeIdSegment } from './path-rules';

describe('path rules', () => {
  const allowlist = compilePathRules([
    { methods: ['GET'], path: '/v1/items' },
    { methods: ['GET', 'DELETE'], path: '/v1/items/:id' },
    { methods: ['POST'], path: '/v1/items/:id/cancel' },
    { methods: ['GET'], path: '/v1/items/special' },
    { methods: ['POST'], path: '/v1/family/**' },
  ]);

  it.each([
    ['GET', '/v1/items', true],
    ['GET', '/v1/items/item_1', true],
    ['DELETE', '/v1/items/item_1', true],
    ['POST', '/v1/items/item_1/cancel', true],
    ['GET', '/v1/items/special', true],
    ['POST', '/v1/family/a', true],
    ['POST', '/v1/family/a/b/c', true],
    ['POST', '/v1/family', false],
    ['GET', '/v1/family/a', false],
    ['POST', '/v1/items', false],
    ['get', '/v1/items', false],
    ['GET', '/v1/items/', false],
    ['GET', '/v1/items/item_1/extra', false],
    ['POST', '/v1/family/a/../b', false],
    ['GET', '', false],
    ['GET', 'v1/items', false],
  ])('%s %s → %s', (method, path, expected) => {
    expect(allowlist.allows(method, path)).toBe(expected);
  });

  it.each([
    ['resp_67ccd2bed1ec8190', true],
    ['gpt-4.1-mini', true],
    ['ft:gpt-4o-mini:acme::AbC123', true],
    ['ft%3Agpt-4o', true],
    ['.', false],
    ['..', false],
    ['%2e%2E', false],
    ['.%2e', false],
    ['a%2fb', false],
    ['a%5cb', false],
    ['a%00b', false],
    ['%zz', false],
    ['%E0%A4%A', false],
    ['a b', false],
    ['a?b', false],
    ['', false],
  ])('isSafeIdSegment(%j) = %s', (segment, expected) => {
    expect(isSafeIdSegment(segment)).toBe(expected);
  });

  it('refuses malformed rules at compile time', () => {
    expect(() => compilePathRules([{ methods: ['GET'], path: 'v1/x' }])).toThrow();
    expect(() => compilePathRules([{ methods: ['GET'], path: '/v1/x/' }])).toThrow();
    expect(() => compilePathRules([{ methods: ['GET'], path: '/v1/**/x' }])).toThrow();
  });
});
