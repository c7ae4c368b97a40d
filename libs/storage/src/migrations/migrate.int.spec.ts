import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Migrator, sql } from 'kysely';
import { openDatabase } from '../database/open-database';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '../testing';
import { getMigrationStatus, migrateToLatest } from './migrate';
import { MIGRATIONS, staticMigrationProvider } from './migration-list';

const ALL = MIGRATIONS.map(([name]) => name);
const TABLES = [
  'admin_tokens',
  'audit_log',
  'batch_usage',
  'budget_alerts',
  'budget_spend',
  'change_events',
  'gateway_keys',
  'limits',
  'orgs',
  'policies',
  'provider_keys',
  'routes',
  'trace_forks',
  'trace_tags',
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

  it('0007 names every existing provider key `default`, keeps its data, and makes (org, provider, name) unique', async () => {
    const test = await createTestDatabase(dialect, { migrate: false });
    const db = test.database.db;
    try {
      const migrator = new Migrator({ db, provider: staticMigrationProvider(dialect) });
      const before = await migrator.migrateTo('2026_12_07_0006_provider_key_base_url');
      expect(before.error).toBeUndefined();
      const at = '2026-12-07T00:00:00.000Z';
      await sql`insert into orgs (id, name, enabled, created_at, updated_at) values ('org_a', 'A', 1, ${at}, ${at})`.execute(db);
      const row = (id: string, provider: string, baseUrl: string | null) => ({
        id,
        org_id: 'org_a',
        provider,
        ciphertext: `c-${id}`,
        iv: `i-${id}`,
        auth_tag: `t-${id}`,
        wrapped_dek: `w-${id}`,
        dek_iv: `di-${id}`,
        dek_auth_tag: `dt-${id}`,
        kek_version: 7,
        last4: id.slice(-4),
        created_at: at,
        rotated_at: id === 'pk_0001' ? at : null,
        base_url: baseUrl,
      });
      const rows = [
        row('pk_0001', 'openai', null),
        row('pk_0002', 'azure-openai', 'https://r.openai.azure.com'),
        row('pk_0003', 'navplane.placeholder-salt', null),
      ];
      // Rows as the schema of 0006 has them (no name): written in plain SQL, the current types require a name.
      const insertWithoutName = (values: ReturnType<typeof row>) =>
        sql`insert into provider_keys (${sql.join(Object.keys(values).map((column) => sql.ref(column)))})
            values (${sql.join(Object.values(values))})`.execute(db);
      for (const values of rows) await insertWithoutName(values);

      expect(await migrateToLatest(test.database)).toEqual({ applied: ALL.slice(ALL.indexOf('2026_12_07_0007_named_provider_keys')) });
      const after = await db.selectFrom('provider_keys').selectAll().orderBy('id').execute();
      expect(after).toEqual(rows.map((r) => ({ ...r, name: 'default' })));

      // A second name for the same org and provider is another row; the same name again is refused.
      await db
        .insertInto('provider_keys')
        .values({ ...row('pk_0004', 'openai', null), name: 'eu' })
        .execute();
      await expect(
        db
          .insertInto('provider_keys')
          .values({ ...row('pk_0005', 'openai', null), name: 'eu' })
          .execute(),
      ).rejects.toThrow(/unique/i);
      await expect(insertWithoutName(row('pk_0006', 'anthropic', null))).rejects.toThrow(/null|name/i);
      // The rebuilt table still references orgs, and an upsert can target the new unique key.
      await expect(
        db
          .insertInto('provider_keys')
          .values({ ...row('pk_0007', 'openai', null), org_id: 'org_missing', name: 'x' })
          .execute(),
      ).rejects.toThrow(/foreign key/i);
      await db
        .insertInto('provider_keys')
        .values({ ...row('pk_0008', 'openai', null), name: 'eu', last4: 'NEW!' })
        .onConflict((conflict) => conflict.columns(['org_id', 'provider', 'name']).doUpdateSet({ last4: 'NEW!' }))
        .execute();
      const eu = await db.selectFrom('provider_keys').select(['id', 'last4']).where('name', '=', 'eu').execute();
      expect(eu).toEqual([{ id: 'pk_0004', last4: 'NEW!' }]);
    } finally {
      await test.drop();
    }
  });
});
