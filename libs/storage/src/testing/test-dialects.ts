import type { DialectName } from '@navplane/core';

/** The environment variable holding the Postgres server URL tests create their databases on. */
export const TEST_POSTGRES_URL_ENV = 'NAVPLANE_TEST_POSTGRES_URL';

// Jest gives every test file a fresh module registry, global object and copy of process.env; the stderr
// stream object is what the files of one worker process share, so the marker lives there.
const NOTICE_MARKER = Symbol.for('navplane.testing.postgresSkipNoticeShown');

/**
 * The dialects the current test run covers: always `sqlite`, plus `postgres` when
 * NAVPLANE_TEST_POSTGRES_URL is set. Without it, throws when `CI=true` (CI must run the Postgres suites) and,
 * inside a Jest worker only, prints one notice line per process (the benches and scripts that import the test
 * helpers choose their dialect themselves, so the notice would be wrong there). The end of a Jest run says it
 * again (tools/workspace/postgres-skip-reporter.cjs).
 */
export function resolveTestDialects(env: NodeJS.ProcessEnv = process.env): DialectName[] {
  if (env[TEST_POSTGRES_URL_ENV]) return ['sqlite', 'postgres'];
  if (env['CI'] === 'true') {
    throw new Error(`${TEST_POSTGRES_URL_ENV} must be set when CI=true: the Postgres suites may not be skipped in CI`);
  }
  const stderr = process.stderr as NodeJS.WriteStream & { [NOTICE_MARKER]?: true };
  if (env['JEST_WORKER_ID'] !== undefined && stderr[NOTICE_MARKER] !== true) {
    stderr[NOTICE_MARKER] = true;
    stderr.write(`[navplane] ${TEST_POSTGRES_URL_ENV} is not set: Postgres suites are skipped\n`);
  }
  return ['sqlite'];
}

/** The dialects to run every storage suite on (see resolveTestDialects): `describe.each(TEST_DIALECTS)`. */
export const TEST_DIALECTS: readonly DialectName[] = resolveTestDialects();
