import type { Kysely, Migration, MigrationProvider } from 'kysely';
import type { DialectName } from '@navplane/core';
import * as initial from './2026-11-23-0001-initial.migration';
import * as traceQueries from './2026-11-23-0002-trace-queries.migration';
import * as failedRequests from './2026-12-07-0003-failed-requests.migration';
import * as batchUsage from './2026-12-07-0004-batch-usage.migration';
import * as keyModels from './2026-12-07-0005-key-models.migration';
import * as providerKeyBaseUrl from './2026-12-07-0006-provider-key-base-url.migration';
import * as namedProviderKeys from './2026-12-07-0007-named-provider-keys.migration';
import * as routes from './2026-12-07-0008-routes.migration';
import * as traceAttempts from './2026-12-07-0009-trace-attempts.migration';
import * as traceTags from './2026-12-07-0011-trace-tags.migration';
import * as traceOtelId from './2026-12-07-0012-trace-otel-id.migration';
import * as limits from './2026-12-07-0013-limits.migration';
import * as budgets from './2026-12-07-0014-budgets.migration';

/** A frozen migration: it receives the dialect instead of detecting it. */
export interface FrozenMigration {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are written against Kysely<any>.
  up(db: Kysely<any>, dialect: DialectName): Promise<void>;
}

/**
 * Every migration, by name, in the order they apply. Listed statically (no folder scan) so bundlers and
 * `dist/` keep them; names are `YYYY_MM_DD_NNNN_what` so text order is time order. Append only.
 */
export const MIGRATIONS: ReadonlyArray<readonly [name: string, migration: FrozenMigration]> = [
  ['2026_11_23_0001_initial', initial],
  ['2026_11_23_0002_trace_queries', traceQueries],
  ['2026_12_07_0003_failed_requests', failedRequests],
  ['2026_12_07_0004_batch_usage', batchUsage],
  ['2026_12_07_0005_key_models', keyModels],
  ['2026_12_07_0006_provider_key_base_url', providerKeyBaseUrl],
  ['2026_12_07_0007_named_provider_keys', namedProviderKeys],
  ['2026_12_07_0008_routes', routes],
  ['2026_12_07_0009_trace_attempts', traceAttempts],
  ['2026_12_07_0011_trace_tags', traceTags],
  ['2026_12_07_0012_trace_otel_id', traceOtelId],
  ['2026_12_07_0013_limits', limits],
  ['2026_12_07_0014_budgets', budgets],
];

/** Kysely's MigrationProvider over MIGRATIONS, with `dialect` bound into each `up`. */
export function staticMigrationProvider(dialect: DialectName): MigrationProvider {
  return {
    getMigrations() {
      const entries = MIGRATIONS.map(([name, migration]): [string, Migration] => [name, { up: (db) => migration.up(db, dialect) }]);
      return Promise.resolve(Object.fromEntries(entries));
    },
  };
}
