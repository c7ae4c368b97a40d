import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { DialectName } from '@navplane/core';
import { openDatabase, type Database } from '../database/open-database';
import { migrateToLatest } from '../migrations/migrate';
import { TEST_POSTGRES_URL_ENV } from './test-dialects';

/** A throw-away database for one test file or test. */
export interface TestDatabase {
  /** The open database (migrated unless `migrate: false`). */
  readonly database: Database;
  /** Its URL, for other instances or child processes. */
  readonly url: string;
  /** Closes `database` and deletes the database (SQLite: its temp dir; Postgres: DROP DATABASE … WITH (FORCE)). */
  drop(): Promise<void>;
}

/** Options of createTestDatabase. */
export interface CreateTestDatabaseOptions {
  /** Run migrateToLatest before returning (default true). */
  migrate?: boolean;
}

/**
 * A fresh database of `dialect`: SQLite = a new file in a new temp dir; Postgres = `CREATE DATABASE
 * navplane_test_<random>` on the NAVPLANE_TEST_POSTGRES_URL server. Migrated to latest unless
 * `{ migrate: false }`. Always call `drop()` (afterAll).
 */
export async function createTestDatabase(dialect: DialectName, options: CreateTestDatabaseOptions = {}): Promise<TestDatabase> {
  const created = dialect === 'sqlite' ? await createSqlite() : await createPostgres();
  if (options.migrate ?? true) {
    try {
      await migrateToLatest(created.database);
    } catch (error) {
      await created.drop();
      throw error;
    }
  }
  return created;
}

async function createSqlite(): Promise<TestDatabase> {
  const dir = await mkdtemp(join(tmpdir(), 'navplane-test-'));
  const url = `sqlite:${join(dir, 'navplane.db')}`;
  const database = await openDatabase({ url, poolSize: 1 }); // one connection on SQLite whatever the pool size
  return {
    database,
    url,
    async drop() {
      await database.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function createPostgres(): Promise<TestDatabase> {
  const serverUrl = process.env[TEST_POSTGRES_URL_ENV];
  if (!serverUrl) throw new Error(`${TEST_POSTGRES_URL_ENV} is not set: cannot create a Postgres test database`);
  const name = `navplane_test_${randomBytes(6).toString('hex')}`;
  await onServer(serverUrl, `create database ${name}`);
  const url = withDatabaseName(serverUrl, name);
  const database = await openDatabase({ url, poolSize: 4 });
  return {
    database,
    url,
    async drop() {
      await database.close();
      await onServer(serverUrl, `drop database if exists ${name} with (force)`);
    },
  };
}

// `name` is generated above from hex digits only, so interpolating it into DDL is safe.
async function onServer(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

function withDatabaseName(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
