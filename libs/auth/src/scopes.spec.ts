import { DEFAULT_SCOPES, hasScope, isScope, normalizeScopes, SCOPES } from './scopes';

describe('scopes', () => {
  it('are the contract four, proxy by default', () => {
    expect(SCOPES).toEqual(['proxy', 'traces:read', 'analytics:read', 'admin']);
    expect(DEFAULT_SCOPES).toEqual(['proxy']);
    expect(isScope('admin')).toBe(true);
    expect(isScope('Admin')).toBe(false);
    expect(isScope(undefined)).toBe(false);
  });

  it('hasScope is plain membership: admin implies nothing else', () => {
    const key = { scopes: ['admin'] as const };
    expect(hasScope(key, 'admin')).toBe(true);
    expect(hasScope(key, 'proxy')).toBe(false);
    expect(hasScope({ scopes: [] }, 'proxy')).toBe(false);
  });

  it('normalizes requested scopes to a deduplicated canonical list and names the bad ones', () => {
    expect(normalizeScopes(['admin', 'proxy', 'admin'])).toEqual({ ok: true, value: ['proxy', 'admin'] });
    expect(normalizeScopes(['proxy', 'root', 'traces:write'])).toEqual({ ok: false, error: { invalid: ['root', 'traces:write'] } });
    expect(normalizeScopes([])).toEqual({ ok: false, error: { invalid: [] } });
    expect(normalizeScopes([1])).toEqual({ ok: false, error: { invalid: ['1'] } });
  });
});
