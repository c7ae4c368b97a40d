import type { Kysely } from 'kysely';
import type { DB } from '../schema/schema';

/** One budget's period: the org, the scope key (`org`, `workspace:ws_…`, `key:key_…`), `day`/`month` and its UTC start. */
export interface BudgetPeriodKey {
  orgId: string;
  scopeKey: string;
  period: string;
  /** `YYYY-MM-DD`: the day, or the first day of the month. */
  periodStart: string;
}

/** A budget period's settled spend. */
export interface BudgetSpend {
  spentUsd: number;
  /** Requests of unpriced models settled in the period (never counted as $0 spend). */
  unpricedRequests: number;
}

/** An alert claimed for one threshold of one budget period. */
export interface BudgetAlertClaim extends BudgetPeriodKey {
  threshold: number;
  spentUsd: number;
  budgetUsd: number;
}

/** A stored alert: the claim, how its sending went, and when. */
export interface StoredBudgetAlert extends BudgetAlertClaim {
  status: 'sending' | 'sent' | 'failed';
  attempts: number;
  createdAt: string;
  updatedAt: string;
}

/** Settled budget spend (the database is the truth across restarts and instances) and the spend alerts claimed. */
export interface BudgetsRepository {
  /**
   * Adds `usd` (and `unpriced` unpriced requests) to the period's spend atomically, creating its row; returns the
   * spend after the addition (the spend before it is that minus `usd`, whatever other instances added meanwhile).
   */
  addSpend(key: BudgetPeriodKey, usd: number, unpriced: number, at: string): Promise<BudgetSpend>;
  /** The period's spend (zero when nothing was settled in it yet). */
  findSpend(key: BudgetPeriodKey): Promise<BudgetSpend>;
  /**
   * Claims the alert of one threshold of one period: true for the one caller whose insert created it (that caller
   * sends it), false when it was claimed before (by this or any other instance).
   */
  claimAlert(claim: BudgetAlertClaim, at: string): Promise<boolean>;
  /** Records how sending a claimed alert went: its status and the attempts made so far. */
  markAlert(
    key: BudgetPeriodKey & { threshold: number },
    status: 'sending' | 'sent' | 'failed',
    attempts: number,
    at: string,
  ): Promise<void>;
  /** The org's alerts, oldest first. */
  listAlerts(orgId: string): Promise<StoredBudgetAlert[]>;
}

const NO_SPEND: BudgetSpend = Object.freeze({ spentUsd: 0, unpricedRequests: 0 });
const STATUSES = new Set(['sending', 'sent', 'failed'] as const);
const isStatus = (value: string): value is StoredBudgetAlert['status'] => (STATUSES as ReadonlySet<string>).has(value);

/** The budgets repository over `db` (a Kysely instance or transaction). */
export function createBudgetsRepository(db: Kysely<DB>): BudgetsRepository {
  return {
    async addSpend(key, usd, unpriced, at) {
      const row = await db
        .insertInto('budget_spend')
        .values({
          org_id: key.orgId,
          scope_key: key.scopeKey,
          period: key.period,
          period_start: key.periodStart,
          spent_usd: usd,
          unpriced_requests: unpriced,
          updated_at: at,
        })
        .onConflict((conflict) =>
          conflict.columns(['org_id', 'scope_key', 'period', 'period_start']).doUpdateSet((eb) => ({
            spent_usd: eb('budget_spend.spent_usd', '+', usd),
            unpriced_requests: eb('budget_spend.unpriced_requests', '+', unpriced),
            updated_at: at,
          })),
        )
        .returning(['spent_usd', 'unpriced_requests'])
        .executeTakeFirstOrThrow();
      return { spentUsd: Number(row.spent_usd), unpricedRequests: Number(row.unpriced_requests) };
    },
    async findSpend(key) {
      const row = await db
        .selectFrom('budget_spend')
        .select(['spent_usd', 'unpriced_requests'])
        .where('org_id', '=', key.orgId)
        .where('scope_key', '=', key.scopeKey)
        .where('period', '=', key.period)
        .where('period_start', '=', key.periodStart)
        .executeTakeFirst();
      return row === undefined ? NO_SPEND : { spentUsd: Number(row.spent_usd), unpricedRequests: Number(row.unpriced_requests) };
    },
    async claimAlert(claim, at) {
      const result = await db
        .insertInto('budget_alerts')
        .values({
          org_id: claim.orgId,
          scope_key: claim.scopeKey,
          period: claim.period,
          period_start: claim.periodStart,
          threshold: claim.threshold,
          spent_usd: claim.spentUsd,
          budget_usd: claim.budgetUsd,
          status: 'sending',
          attempts: 0,
          created_at: at,
          updated_at: at,
        })
        .onConflict((conflict) => conflict.columns(['org_id', 'scope_key', 'period', 'period_start', 'threshold']).doNothing())
        .executeTakeFirst();
      return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
    },
    async markAlert(key, status, attempts, at) {
      await db
        .updateTable('budget_alerts')
        .set({ status, attempts, updated_at: at })
        .where('org_id', '=', key.orgId)
        .where('scope_key', '=', key.scopeKey)
        .where('period', '=', key.period)
        .where('period_start', '=', key.periodStart)
        .where('threshold', '=', key.threshold)
        .execute();
    },
    async listAlerts(orgId) {
      const rows = await db
        .selectFrom('budget_alerts')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('created_at')
        .orderBy('scope_key')
        .orderBy('threshold')
        .execute();
      return rows.map((row) => ({
        orgId: row.org_id,
        scopeKey: row.scope_key,
        period: row.period,
        periodStart: row.period_start,
        threshold: Number(row.threshold),
        spentUsd: Number(row.spent_usd),
        budgetUsd: Number(row.budget_usd),
        status: isStatus(row.status) ? row.status : 'failed',
        attempts: Number(row.attempts),
        createdAt: row.created_at,
        updatedAt: row.updated_at,
      }));
    },
  };
}
