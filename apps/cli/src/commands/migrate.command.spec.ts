import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@navplane/testing';
import { runCli } from '../testing/cli-process.fixture';

jest.setTimeout(60_000);

describe.each(TEST_DIALECTS)('navplane migrate on %s', (dialect) => {
  let cwd: string;
  let testDb: TestDatabase;

  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'navplane-migrate-'));
    testDb = await createTestDatabase(dialect, { migrate: false });
  });
  afterAll(async () => {
    await testDb.drop();
    await rm(cwd, { recursive: true, force: true });
  });

  it('lists pending migrations, applies them, and is idempotent', async () => {
    const env = { NAVPLANE_DATABASE_URL: testDb.url };
    const before = await runCli(['migrate', '--status', '--format', 'json'], { cwd, env });
    expect(before.code).toBe(0);
    const status = JSON.parse(before.stdout) as { current: boolean; pending: string[]; applied: string[] };
    expect(status.current).toBe(false);
    expect(status.pending.length).toBeGreaterThan(0);
    expect(status.applied).toEqual([]);

    const [first, second] = await Promise.all([
      runCli(['migrate', '--format', 'json'], { cwd, env }),
      runCli(['migrate', '--format', 'json'], { cwd, env }),
    ]);
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    const results = [first, second].map((r) => JSON.parse(r.stdout) as { appliedNow: string[]; current: boolean });
    // Two concurrent runs apply each migration exactly once between them.
    expect(results.flatMap((r) => r.appliedNow).sort()).toEqual([...status.pending].sort());
    expect(results.every((r) => r.current)).toBe(true);

    const again = await runCli(['migrate'], { cwd, env });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('database is up to date');
  });
});

describe('navplane migrate errors', () => {
  it('fails with one line and no credentials when the database is unreachable', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'navplane-migrate-bad-'));
    try {
      const run = await runCli(['migrate'], {
        cwd,
        env: { NAVPLANE_DATABASE_URL: 'postgres://navplane:s3cretpw@127.0.0.1:1/none' },
      });
      expect(run.code).toBe(1);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(/^navplane: /);
      expect(run.stderr).not.toContain('s3cretpw');
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });
});
