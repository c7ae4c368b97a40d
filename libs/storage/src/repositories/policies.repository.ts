import type { Kysely, Selectable } from 'kysely';
import type { DialectCapabilities } from '../database/dialect-capabilities';
import type { JsonObject } from '../schema/json';
import type { DB, PoliciesTable } from '../schema/schema';

/** What a policy can apply to (docs/policy.md); the most specific wins. */
export const POLICY_SCOPE_TYPES = ['org', 'workspace', 'key', 'provider', 'route'] as const;

/** What a policy applies to. */
export type PolicyScopeType = (typeof POLICY_SCOPE_TYPES)[number];

/** What a policy can do (docs/policy.md). */
export const POLICY_MODES = ['off', 'redact_storage', 'redact_upstream', 'block'] as const;

/** What a policy does. */
export type PolicyMode = (typeof POLICY_MODES)[number];

/** A stored policy. `scopeValue` is null exactly when `scopeType` is `org`. */
export interface Policy {
  id: string;
  orgId: string;
  scopeType: PolicyScopeType;
  scopeValue: string | null;
  mode: PolicyMode;
  /** Detector and action settings; the policy lib owns its shape. */
  config: JsonObject;
  createdAt: string;
  updatedAt: string;
}

/** One policy of a replacement set. */
export type NewPolicy = Pick<Policy, 'id' | 'scopeType' | 'scopeValue' | 'mode' | 'config'>;

/** An org's policies, replaced as a whole. */
export interface PoliciesRepository {
  /** The org's policies ordered by scope type then value. */
  listByOrg(orgId: string): Promise<Policy[]>;
  /** Every org's policies, ordered by org then scope (gateways load them all at start). */
  listAll(): Promise<Policy[]>;
  /**
   * Replaces the org's policies with `policies` in one transaction and returns them. A policy whose scope
   * existed before keeps its createdAt; updatedAt is `at` for all. Rejects (nothing changed) on a duplicate scope.
   */
  replaceForOrg(orgId: string, policies: readonly NewPolicy[], at: string): Promise<Policy[]>;
}

const scopeKey = (scopeType: string, scopeValue: string | null) => `${scopeType}\u0000${scopeValue ?? ''}`;

/** The policies repository over `db` (a Kysely instance or transaction). */
export function createPoliciesRepository(db: Kysely<DB>, capabilities: DialectCapabilities): PoliciesRepository {
  const toPolicy = (row: Selectable<PoliciesTable>): Policy => ({
    id: row.id,
    orgId: row.org_id,
    scopeType: row.scope_type as PolicyScopeType,
    scopeValue: row.scope_value,
    mode: row.mode as PolicyMode,
    config: capabilities.json.decode<JsonObject>(row.config),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });

  async function listByOrg(on: Kysely<DB>, orgId: string): Promise<Policy[]> {
    const rows = await on
      .selectFrom('policies')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('scope_type')
      .orderBy('scope_value')
      .orderBy('id')
      .execute();
    return rows.map(toPolicy);
  }

  async function replace(trx: Kysely<DB>, orgId: string, policies: readonly NewPolicy[], at: string) {
    const previous = await trx
      .selectFrom('policies')
      .select(['scope_type', 'scope_value', 'created_at'])
      .where('org_id', '=', orgId)
      .execute();
    const createdAt = new Map(previous.map((row) => [scopeKey(row.scope_type, row.scope_value), row.created_at]));
    await trx.deleteFrom('policies').where('org_id', '=', orgId).execute();
    if (policies.length > 0) {
      await trx
        .insertInto('policies')
        .values(
          policies.map((policy) => ({
            id: policy.id,
            org_id: orgId,
            scope_type: policy.scopeType,
            scope_value: policy.scopeValue,
            mode: policy.mode,
            config: capabilities.json.encode(policy.config),
            created_at: createdAt.get(scopeKey(policy.scopeType, policy.scopeValue)) ?? at,
            updated_at: at,
          })),
        )
        .execute();
    }
    return listByOrg(trx, orgId);
  }

  return {
    listByOrg: (orgId) => listByOrg(db, orgId),
    async listAll() {
      const rows = await db
        .selectFrom('policies')
        .selectAll()
        .orderBy('org_id')
        .orderBy('scope_type')
        .orderBy('scope_value')
        .orderBy('id')
        .execute();
      return rows.map(toPolicy);
    },
    replaceForOrg(orgId, policies, at) {
      // Inside a caller's transaction (createRepositories().transaction) Kysely cannot nest one: reuse it.
      return db.isTransaction ? replace(db, orgId, policies, at) : db.transaction().execute((trx) => replace(trx, orgId, policies, at));
    },
  };
}
