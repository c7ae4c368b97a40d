import { expect } from '@jest/globals';
import { MAX_ALLOWED_MODELS, MAX_MODEL_NAME_LENGTH, normalizeModelAllowlist } from './model-allowlist';

describe('normalizeModelAllowlist', () => {
  it('takes absent and null as "any model"', () => {
    expect(normalizeModelAllowlist(undefined)).toEqual({ ok: true, value: null });
    expect(normalizeModelAllowlist(null)).toEqual({ ok: true, value: null });
  });

  it('trims and deduplicates in the order given, keeping case', () => {
    expect(normalizeModelAllowlist([' gpt-4.1 ', 'GPT-4.1', 'gpt-4.1', 'claude-sonnet-4-5'])).toEqual({
      ok: true,
      value: ['gpt-4.1', 'GPT-4.1', 'claude-sonnet-4-5'],
    });
  });

  it.each([
    ['not a list', 'gpt-4.1'],
    ['an empty list', []],
    ['a non-string', ['gpt-4.1', 4]],
    ['an empty name', ['gpt-4.1', '  ']],
    ['a name too long', ['x'.repeat(MAX_MODEL_NAME_LENGTH + 1)]],
    ['a control character', ['gpt-4.1\u0007']],
    ['a control character inside', ['gpt\u00004.1']],
    ['too many names', Array.from({ length: MAX_ALLOWED_MODELS + 1 }, (_, i) => `m${i}`)],
  ])('refuses %s', (_why, value) => {
    expect(normalizeModelAllowlist(value)).toMatchObject({ ok: false, error: expect.stringMatching(/model/) });
  });

  it('accepts the longest name and the most names', () => {
    expect(normalizeModelAllowlist(['x'.repeat(MAX_MODEL_NAME_LENGTH)]).ok).toBe(true);
    const many = Array.from({ length: MAX_ALLOWED_MODELS }, (_, i) => `m${i}`);
    expect(normalizeModelAllowlist([...many, 'm0'])).toEqual({ ok: true, value: many });
  });
});
