import { isId, newId } from './ids';

describe('newId', () => {
  it('carries the prefix of its kind and 26 base32 characters', () => {
    const id = newId('org');
    expect(id).toMatch(/^org_[0-9a-hjkmnp-tv-z]{26}$/);
    expect(isId('org', id)).toBe(true);
    expect(isId('trace', id)).toBe(false);
  });

  it('sorts by creation time in text order', () => {
    const earlier = newId('trace', Date.UTC(2026, 0, 1));
    const later = newId('trace', Date.UTC(2026, 0, 1) + 1);
    expect(earlier < later).toBe(true);
  });

  it('does not repeat', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newId('gatewayKey', 0)));
    expect(ids.size).toBe(10_000);
  });

  it('rejects malformed ids', () => {
    expect(isId('org', 'org_')).toBe(false);
    expect(isId('org', 'org_' + 'u'.repeat(26))).toBe(false); // u is not Crockford
    expect(isId('org', 42)).toBe(false);
  });
});
