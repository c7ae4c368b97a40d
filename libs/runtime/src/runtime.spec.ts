import { expect } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { loadConfig } from '@navplane/config';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@navplane/testing';
import { createLogger } from '@navplane/telemetry';
import { checkDatabase, checkMigrations, createRuntime, limitsCountedPerProcess } from './runtime';
import { runServers } from './run-servers';

jest.setTimeout(30_000);

function configFor(url: string) {
  const loaded = loadConfig({ NAVPLANE_DATABASE_URL: url, NAVPLANE_SHUTDOWN_GRACE_MS: '2000' });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
  return loaded.value;
}

describe.each(TEST_DIALECTS)('runtime on %s', (dialect) => {
  let dir: string;
  let testDb: TestDatabase;
  const quietLogger = () => createLogger({ level: 'error', stream: new PassThrough() });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'navplane-rt-'));
    testDb = await createTestDatabase(dialect, { migrate: false });
  });
  afterEach(async () => {
    await testDb.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('is not ready while migrations are pending, and ready once they are applied', async () => {
    expect(await checkDatabase(testDb.database)).toEqual({ ok: true });
    expect(await checkMigrations(testDb.database)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/pending migration/),
      details: { pending: expect.arrayContaining([expect.any(String)]) },
    });

    const migrated = await createRuntime(configFor(testDb.url), { logger: quietLogger(), masterKeyFile: join(dir, 'master.key') });
    expect((await migrated.readiness.report()).status).toBe('ready');
    await migrated.close();
  });

  it('drains on shutdown: readiness fails at once, in-flight requests finish, hooks run before the DB closes', async () => {
    const runtime = await createRuntime(configFor(testDb.url), { logger: quietLogger(), masterKeyFile: join(dir, 'master.key') });
    const order: string[] = [];
    // Shutdown starts once the request is in the handler (not after a fixed delay: under load it may not be yet).
    let arrived: () => void = () => undefined;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    runtime.onShutdown(async () => {
      await runtime.database.ping(); // the database is still open for the flush
      order.push('hook');
    });
    const running = await runServers(
      runtime,
      [
        {
          name: 'slow',
          port: 0,
          app: (_req, res) => {
            arrived();
            setTimeout(() => {
              order.push('response');
              res.end('done');
            }, 300);
          },
        },
      ],
      { handleSignals: false },
    );
    const inFlight = fetch(running.servers['slow']?.url ?? 'http://invalid').then((r) => r.text());
    await reached;
    const shutdown = running.shutdown('test');
    expect(runtime.readiness.isDraining()).toBe(true);
    expect((await runtime.readiness.report()).status).toBe('not_ready');
    expect(await inFlight).toBe('done');
    await shutdown;
    expect(order).toEqual(['response', 'hook']);
    await expect(runtime.database.ping()).rejects.toBeDefined();
  });
});

describe('limitsCountedPerProcess', () => {
  it('warns a Postgres deployment without NAVPLANE_REDIS_URL that limits are counted per process, and no one else', () => {
    expect(limitsCountedPerProcess({ redisUrl: undefined }, 'postgres')).toMatch(
      /^NAVPLANE_REDIS_URL is not set: rate limits .* are counted per process/,
    );
    expect(limitsCountedPerProcess({ redisUrl: 'redis://127.0.0.1:6379' }, 'postgres')).toBeUndefined();
    expect(limitsCountedPerProcess({ redisUrl: undefined }, 'sqlite')).toBeUndefined();
  });
});
