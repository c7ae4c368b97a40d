import { DETECTOR_IDS } from '../detector-ids';
import { resolvePolicy, routeMatch, type PolicyRule, type PolicyTarget } from './resolve-policy';

const target: PolicyTarget = { workspaceId: 'ws_1', keyId: 'key_1', provider: 'openai', path: '/v1/chat/completions' };
const rule = (
  id: string,
  scopeType: PolicyRule['scopeType'],
  scopeValue: string | null,
  mode: PolicyRule['mode'] = 'block',
): PolicyRule => ({
  id,
  scopeType,
  scopeValue,
  mode,
});

describe('resolvePolicy', () => {
  it('falls back to the built-in default: redact_storage when bodies are captured, else off', () => {
    expect(resolvePolicy([], target, true)).toEqual({
      policyId: null,
      scope: { type: 'default' },
      mode: 'redact_storage',
      detectors: DETECTOR_IDS,
    });
    expect(resolvePolicy([], target, false).mode).toBe('off');
    expect(resolvePolicy([rule('p1', 'key', 'other_key')], target, false).policyId).toBeNull();
  });

  const all = [
    rule('p_org', 'org', null, 'redact_storage'),
    rule('p_provider', 'provider', 'openai', 'redact_upstream'),
    rule('p_route', 'route', '/v1/chat/completions', 'block'),
    rule('p_ws', 'workspace', 'ws_1', 'off'),
    rule('p_key', 'key', 'key_1', 'redact_upstream'),
  ];

  it.each([
    ['key', all, 'p_key'],
    ['workspace', all.filter((r) => r.id !== 'p_key'), 'p_ws'],
    ['route', all.filter((r) => !['p_key', 'p_ws'].includes(r.id)), 'p_route'],
    ['provider', all.filter((r) => ['p_provider', 'p_org'].includes(r.id)), 'p_provider'],
    ['org', all.filter((r) => r.id === 'p_org'), 'p_org'],
  ])('the most specific applicable scope wins: %s', (_name, rules, expected) => {
    expect(resolvePolicy(rules, target, false).policyId).toBe(expected);
    expect(resolvePolicy([...rules].reverse(), target, false).policyId).toBe(expected);
  });

  it('ignores policies of other workspaces, keys, providers and routes', () => {
    const rules = [
      rule('a', 'workspace', 'ws_2'),
      rule('b', 'key', 'key_2'),
      rule('c', 'provider', 'anthropic'),
      rule('d', 'route', '/v1/embeddings'),
      rule('e', 'org', null, 'redact_storage'),
    ];
    expect(resolvePolicy(rules, target, false).policyId).toBe('e');
    expect(resolvePolicy(rules, { ...target, workspaceId: null }, false).policyId).toBe('e');
  });

  it('among route policies, an exact path beats any prefix and a longer prefix beats a shorter one', () => {
    const rules = [
      rule('short', 'route', '/v1/*'),
      rule('long', 'route', '/v1/chat/*'),
      rule('exact', 'route', '/openai/v1/chat/completions'),
    ];
    expect(resolvePolicy(rules, target, false).policyId).toBe('exact');
    expect(resolvePolicy(rules.slice(0, 2), target, false).policyId).toBe('long');
    expect(resolvePolicy(rules.slice(0, 1), target, false).policyId).toBe('short');
  });

  it.each([
    ['/v1/chat/completions', true],
    ['/openai/v1/chat/completions', true],
    ['/anthropic/v1/chat/completions', false],
    ['/openai/*', true],
    ['/v1/chat', false],
    ['/v1/chat*', true],
    ['*', true],
  ])('route value %s matches /openai + /v1/chat/completions: %s', (value, matches) => {
    expect(routeMatch(value, 'openai', '/v1/chat/completions') >= 0).toBe(matches);
  });

  it('uses the policy’s detectors, or every detector when it names none', () => {
    expect(resolvePolicy([{ ...rule('p', 'org', null), detectors: ['email'] }], target, false).detectors).toEqual(['email']);
    expect(resolvePolicy([rule('p', 'org', null)], target, false)).toEqual({
      policyId: 'p',
      scope: { type: 'org' },
      mode: 'block',
      detectors: DETECTOR_IDS,
    });
    expect(resolvePolicy([rule('p', 'key', 'key_1')], target, false).scope).toEqual({ type: 'key', value: 'key_1' });
  });
});
