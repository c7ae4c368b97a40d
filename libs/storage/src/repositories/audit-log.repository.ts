import type { Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import type { DialectCapabilities } from '../database/dialect-capabilities';
import type { JsonObject } from '../schema/json';
import type { AuditLogTable, DB } from '../schema/schema';

/** One audit record: who did what to what, when, from where. Never secrets. */
export interface AuditEntry {
  /** `aud_…`, time-sortable. */
  id: string;
  at: string;
  /** e.g. `admin_token`, `gateway_key`, `bootstrap`, `cli`. */
  actorType: string;
  actorId: string | null;
  orgId: string | null;
  /** e.g. `org.disable`, `key.rotate`. */
  action: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  details: JsonObject | null;
}

/** What appending an audit record needs (optional fields default to null). */
export type NewAuditEntry = Pick<AuditEntry, 'id' | 'at' | 'actorType' | 'action'> &
  Partial<Omit<AuditEntry, 'id' | 'at' | 'actorType' | 'action'>>;

/** Options of AuditLogRepository.list. */
export interface ListAuditOptions {
  /** Only this org's records (default: every org's and platform records). */
  orgId?: string;
  /** Page size (default 100, clamped to 1..1000). */
  limit?: number;
  /** Cursor: the id of the last record of the previous page; returns older records only. */
  before?: string;
}

/** The append-only audit log. */
export interface AuditLogRepository {
  /** Appends one record. */
  append(entry: NewAuditEntry): Promise<void>;
  /** Records newest first (at, then id). */
  list(options?: ListAuditOptions): Promise<AuditEntry[]>;
}

/** The audit-log repository over `db` (a Kysely instance or transaction). */
export function createAuditLogRepository(db: Kysely<DB>, capabilities: DialectCapabilities): AuditLogRepository {
  const toEntry = (row: Selectable<AuditLogTable>): AuditEntry => ({
    id: row.id,
    at: row.at,
    actorType: row.actor_type,
    actorId: row.actor_id,
    orgId: row.org_id,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    ip: row.ip,
    details: row.details === null ? null : capabilities.json.decode<JsonObject>(row.details),
  });

  return {
    async append(entry) {
      await db
        .insertInto('audit_log')
        .values({
          id: entry.id,
          at: entry.at,
          actor_type: entry.actorType,
          actor_id: entry.actorId ?? null,
          org_id: entry.orgId ?? null,
          action: entry.action,
          target_type: entry.targetType ?? null,
          target_id: entry.targetId ?? null,
          ip: entry.ip ?? null,
          details: entry.details === undefined || entry.details === null ? null : capabilities.json.encode(entry.details),
        })
        .execute();
    },
    async list(options = {}) {
      const limit = Math.min(1000, Math.max(1, Math.trunc(options.limit ?? 100)));
      let query = db.selectFrom('audit_log').selectAll();
      if (options.orgId !== undefined) query = query.where('org_id', '=', options.orgId);
      if (options.before !== undefined) {
        const cursor = db.selectFrom('audit_log as c').select(['c.at', 'c.id']).where('c.id', '=', options.before);
        const scoped = options.orgId === undefined ? cursor : cursor.where('c.org_id', '=', options.orgId);
        query = query.where(sql<boolean>`(at, id) < (${scoped})`);
      }
      const rows = await query.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map(toEntry);
    },
  };
}
