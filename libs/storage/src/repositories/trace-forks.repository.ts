import type { Kysely, Selectable } from 'kysely';
import type { DB, TraceForksTable } from '../schema/schema';

/** A fork: a new run (`newRunId`) that continues from a stored checkpoint trace. */
export interface TraceFork {
  /** `frk_…`, time-sortable. */
  id: string;
  orgId: string;
  /** The checkpoint the new run continues from. */
  sourceTraceId: string;
  /** The run id clients send as `X-NavPlane-Run` to continue the fork. */
  newRunId: string;
  createdAt: string;
  /** Who forked (e.g. `admin_token:adm_…`, `gateway_key:key_…`, `cli`); never a secret. */
  createdBy: string;
}

/** Forks of traces; trace rows themselves are never changed by a fork. */
export interface TraceForksRepository {
  /** Records a fork (a duplicate `newRunId` rejects: run ids are unique). */
  insert(fork: TraceFork): Promise<void>;
  /** The org's fork that created run `runId`, or undefined (also for another org's run). */
  findByRunId(orgId: string, runId: string): Promise<TraceFork | undefined>;
  /** The org's forks of one checkpoint, oldest first (created_at, id). */
  listBySourceTrace(orgId: string, sourceTraceId: string): Promise<TraceFork[]>;
  /** Deletes forks created before `cutoffIso` in batches of `batchSize` (default 500); returns the count. */
  deleteOlderThan(cutoffIso: string, batchSize?: number): Promise<number>;
}

const toFork = (row: Selectable<TraceForksTable>): TraceFork => ({
  id: row.id,
  orgId: row.org_id,
  sourceTraceId: row.source_trace_id,
  newRunId: row.new_run_id,
  createdAt: row.created_at,
  createdBy: row.created_by,
});

/** The trace-forks repository over `db` (a Kysely instance or transaction). */
export function createTraceForksRepository(db: Kysely<DB>): TraceForksRepository {
  return {
    async insert(fork) {
      await db
        .insertInto('trace_forks')
        .values({
          id: fork.id,
          org_id: fork.orgId,
          source_trace_id: fork.sourceTraceId,
          new_run_id: fork.newRunId,
          created_at: fork.createdAt,
          created_by: fork.createdBy,
        })
        .execute();
    },
    async findByRunId(orgId, runId) {
      const row = await db
        .selectFrom('trace_forks')
        .selectAll()
        .where('new_run_id', '=', runId)
        .where('org_id', '=', orgId)
        .executeTakeFirst();
      return row && toFork(row);
    },
    async listBySourceTrace(orgId, sourceTraceId) {
      const rows = await db
        .selectFrom('trace_forks')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('source_trace_id', '=', sourceTraceId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toFork);
    },
    async deleteOlderThan(cutoffIso, batchSize = 500) {
      const size = Math.max(1, Math.trunc(batchSize));
      let deleted = 0;
      for (;;) {
        const result = await db
          .deleteFrom('trace_forks')
          .where('id', 'in', (eb) =>
            eb.selectFrom('trace_forks').select('id').where('created_at', '<', cutoffIso).orderBy('created_at').limit(size),
          )
          .executeTakeFirst();
        const count = Number(result.numDeletedRows);
        deleted += count;
        if (count < size) return deleted;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    },
  };
}
