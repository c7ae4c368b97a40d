import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase } from '../database/open-database';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '../testing';
import { getMigrationStatus, migrateToLatest } from './migrate';
import { MIGRATIONS } from './migration-list';

const ALL = MIGRATIONS.map(([name]) => name);
const TABLES = [
  'admin_tokens',
  'audit_log',
  'batch_usage',
  'change_events',
  'gateway_keys',
  'orgs',
  'policies',
  'provider_keys',
  'routes',
  'trace_forks',
  'traces',
  'workspaces',
];

async function userTables(test: TestDatabase): Promise<string[]> {
  const tables = await test.database.db.introspection.getTables();
  return tables.map((table) => table.name).sort();
}

/** Runs migrateToLatest in a separate OS process (fresh Database instance) and returns what it applied. */
function migrateInChildProcess(url: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@navplane/source', '-r', '@swc-node/register', join(__dirname, 'migrate.fixture.ts')],
      { env: { ...process.env, NAVPLANE_DATABASE_URL: url }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let errors = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve((JSON.parse(out) as { applied: string[] }).applied) : reject(new Error(`child exited ${code}: ${errors}`)),
    );
  });
}

describe.each(TEST_DIALECTS)('migrations on %s', (dialect) => {
  it('reports an empty database as not current with everything pending', async () => {
    const test = await createTestDatabase(dialect, { migrate: false });
    try {
      expect(await getMigrationStatus(test.database)).toEqual({ current: false, applied: [], pending: ALL, unknown: [] });
    } finally {
      await test.drop();
    }
  });

  it('migrates to latest once, then reports current with nothing pending', async () => {
    const test = await createTestDatabase(dialect, { migrate: false });
    try {
      expect(await migrateToLatest(test.database)).toEqual({ applied: ALL });
      expect(await migrateToLatest(test.database)).toEqual({ applied: [] });
      expect(await getMigrationStatus(test.database)).toEqual({ current: true, applied: ALL, pending: [], unknown: [] });
      expect(await userTables(test)).toEqual(TABLES);
    } finally {
      await test.drop();
    }
  });

  it('reports migrations applied by a newer release as unknown', async () => {
    const test = await createTestDatabase(dialect);
    try {
      await sql`insert into kysely_migration (name, timestamp) values ('2099_01_01_0001_future', '2099-01-01T00:00:00.000Z')`.execute(
        test.database.db,
      );
      const status = await getMigrationStatus(test.database);
      expect(status.current).toBe(true);
      expect(status.unknown).toEqual(['2099_01_01_0001_future']);
    } finally {
      await test.drop();
    }
  });

  it('lets two processes migrate one fresh database at once: both succeed, the schema is applied once', async () => {
    const test = await createTestDatabase(dialect, { migrate: false });
    try {
      const results = await Promise.all([migrateInChildProcess(test.url), migrateInChildProcess(test.url)]);
      expect(results.flat()).toEqual(ALL);
      expect(await getMigrationStatus(test.database)).toMatchObject({ current: true, pending: [] });
      expect(await userTables(test)).toEqual(TABLES);
    } finally {
      await test.drop();
    }
  });

  it('lets two Database instances in one process migrate one fresh database at once (pool dialects)', async () => {
    const test = await createTestDatabase(dialect, { migrate: false });
    // SQLite's driver is synchronous: two connections of one process would block each other's thread, so
    // the in-process race is only meaningful where writers can run concurrently (the child-process test
    // above covers SQLite).
    if (!test.database.capabilities.concurrentWriters) return test.drop();
    const second = await openDatabase({ url: test.url, poolSize: 2 });
    try {
      const results = await Promise.all([migrateToLatest(test.database), migrateToLatest(second)]);
      expect(results.flatMap((result) => result.applied)).toEqual(ALL);
      expect(await getMigrationStatus(second)).toMatchObject({ current: true, applied: ALL, pending: [] });
      expect(await userTables(test)).toEqual(TABLES);
    } finally {
      await second.close();
      await test.drop();
    }
  });
});
