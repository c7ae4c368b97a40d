import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DialectName } from '@navplane/storage';
import { createTestDatabase, type TestDatabase } from '@navplane/testing';
import { runCli, type CliRun } from './cli-process.fixture';

/** A fresh base64 master key (32 random bytes). */
export function newMasterKey(): string {
  return randomBytes(32).toString('base64');
}

/** A working directory, a migrated test database and the env pointing the CLI at them. */
export interface CliSandbox {
  readonly cwd: string;
  readonly testDb: TestDatabase;
  /** NAVPLANE_DATABASE_URL and NAVPLANE_MASTER_KEY (and whatever was passed in). */
  readonly env: Record<string, string>;
  /** Runs the CLI in the sandbox (extra env merged over `env`). */
  run(args: string[], options?: { env?: Record<string, string>; stdin?: string }): Promise<CliRun>;
  /** Runs the CLI, expects exit 0, and parses stdout as JSON. */
  json<T = Record<string, unknown>>(args: string[], options?: { env?: Record<string, string>; stdin?: string }): Promise<T>;
  /** Drops the database and removes the directory. */
  cleanup(): Promise<void>;
}

/** A sandbox on `dialect` (default env: a new master key). */
export async function createCliSandbox(dialect: DialectName, env: Record<string, string> = {}): Promise<CliSandbox> {
  const cwd = await mkdtemp(join(tmpdir(), 'navplane-cli-'));
  const testDb = await createTestDatabase(dialect);
  const baseEnv = { NAVPLANE_DATABASE_URL: testDb.url, NAVPLANE_MASTER_KEY: newMasterKey(), ...env };
  const run = (args: string[], options: { env?: Record<string, string>; stdin?: string } = {}) =>
    runCli(args, { cwd, env: { ...baseEnv, ...options.env }, stdin: options.stdin });
  return {
    cwd,
    testDb,
    env: baseEnv,
    run,
    async json<T>(args: string[], options: { env?: Record<string, string>; stdin?: string } = {}) {
      const result = await run(args, options);
      if (result.code !== 0) {
        throw new Error(`navplane ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
      }
      return JSON.parse(result.stdout) as T;
    },
    async cleanup() {
      await testDb.drop();
      await rm(cwd, { recursive: true, force: true });
    },
  };
}
