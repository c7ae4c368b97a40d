import { z } from 'zod';
import { formatParamPath, invalidRequestFromZod } from './invalid-request';

describe('invalidRequestFromZod', () => {
  const schema = z.strictObject({ name: z.string().min(1), items: z.array(z.strictObject({ n: z.number() })).optional() });
  const errorFor = (data: unknown) => {
    const parsed = schema.safeParse(data);
    if (parsed.success) throw new Error('expected a failure');
    return invalidRequestFromZod(parsed.error, data);
  };

  it('names a missing field', () => {
    const error = errorFor({});
    expect([error.code, error.message, error.details]).toEqual(['invalid_request', 'name is required', { param: 'name' }]);
  });

  it('names an unknown field', () => {
    expect(errorFor({ name: 'x', admin: true }).details).toEqual({ param: 'admin' });
    expect(errorFor({ name: 'x', admin: true }).message).toBe('Unknown field "admin"');
  });

  it('gives nested paths with indexes and never quotes the value', () => {
    const error = errorFor({ name: 'x', items: [{ n: 1 }, { n: 'sk-secret-value' }] });
    expect(error.details).toEqual({ param: 'items[1].n' });
    expect(error.message).toMatch(/^items\[1\]\.n: /);
    expect(error.message).not.toContain('sk-secret-value');
  });

  it('formats paths', () => {
    expect(formatParamPath(['policies', 0, 'scope', 'value'])).toBe('policies[0].scope.value');
    expect(formatParamPath([])).toBe('');
  });
});
