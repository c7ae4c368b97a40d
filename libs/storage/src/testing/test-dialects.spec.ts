import { jest } from '@jest/globals';
import { resolveTestDialects } from './test-dialects';

describe('resolveTestDialects', () => {
  it('adds postgres when NAVPLANE_TEST_POSTGRES_URL is set', () => {
    expect(resolveTestDialects({ NAVPLANE_TEST_POSTGRES_URL: 'postgres://x@127.0.0.1/postgres' })).toEqual(['sqlite', 'postgres']);
    expect(resolveTestDialects({ NAVPLANE_TEST_POSTGRES_URL: 'postgres://x@127.0.0.1/postgres', CI: 'true' })).toEqual([
      'sqlite',
      'postgres',
    ]);
  });

  it('runs sqlite only without it, and refuses to skip Postgres in CI', () => {
    expect(resolveTestDialects({})).toEqual(['sqlite']);
    expect(() => resolveTestDialects({ CI: 'true' })).toThrow(/NAVPLANE_TEST_POSTGRES_URL must be set when CI=true/);
  });

  it('prints no notice outside a Jest worker (the benches and scripts choose their dialect themselves)', () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(resolveTestDialects({})).toEqual(['sqlite']);
      expect(write).not.toHaveBeenCalled();
    } finally {
      write.mockRestore();
    }
  });
});
