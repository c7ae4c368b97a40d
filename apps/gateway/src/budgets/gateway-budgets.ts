import type { Clock } from '@navplane/core';
import {
  createAlertDispatcher,
  createBudgetEngine,
  createLimitStore,
  WEBHOOK_SECRET_NAME,
  type AlertDispatcher,
  type BudgetEngine,
  type LimitSource,
} from '@navplane/limits';
import type { Runtime } from '@navplane/runtime';
import type { Redis } from 'ioredis';
import { createWebhookSender } from './webhook-sender';

/** Options of createGatewayBudgets. */
export interface GatewayBudgetsOptions {
  /** The orgs' limits (default: a limit store over the database, change-feed evicted, started here). */
  limits?: LimitSource;
  /** Shared reservations across instances: the runtime's ioredis client and NAVPLANE_REDIS_PREFIX (default: per process). */
  redis?: { client: Redis; prefix: string };
  /** NAVPLANE_LIMITS_FAIL_MODE=open: reservations held in this process while Redis is unreachable (default: closed, 503). */
  failOpen?: boolean;
  /** A Redis reservation call failed (`first`: first since it last answered). */
  onStoreError?: (error: unknown, first: boolean) => void;
  /** Periods roll over by it (default: the system clock). */
  clock?: Clock;
  /** Spend-alert retries: most POSTs and the first backoff (defaults 5 and 2000 ms). */
  alertAttempts?: number;
  alertBackoffMs?: number;
}

/** The gateway's budgets and spend alerts (docs/limits.md), closed with the runtime. */
export interface GatewayBudgets {
  readonly engine: BudgetEngine;
  readonly alerts: AlertDispatcher;
}

/**
 * Budgets and spend alerts from a process runtime: the budget engine over `budget_spend`, the alert dispatcher
 * (claims in `budget_alerts`, audit log, the org's vault webhook secret, POSTs under the egress rules).
 */
export async function createGatewayBudgets(runtime: Runtime, options: GatewayBudgetsOptions = {}): Promise<GatewayBudgets> {
  const { repos, vault, logger } = runtime;
  let limits = options.limits;
  if (limits === undefined) {
    const store = createLimitStore({
      limits: repos.limits,
      changeFeed: runtime.changeFeed,
      onError: (error) => logger.warn('limits cache error', { err: error }),
    });
    await store.start();
    runtime.onShutdown(() => store.close());
    limits = store;
  }
  const sender = createWebhookSender({ egress: runtime.egress });
  const alerts = createAlertDispatcher({
    alerts: repos.budgets,
    audit: repos.auditLog,
    webhookSecret: async (orgId) => {
      const secret = await vault.getProviderKey(orgId, WEBHOOK_SECRET_NAME);
      return secret.ok ? secret.key : undefined;
    },
    send: sender.send,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.alertAttempts === undefined ? {} : { attempts: options.alertAttempts }),
    ...(options.alertBackoffMs === undefined ? {} : { backoffMs: options.alertBackoffMs }),
    onError: (error) => logger.warn('spend alert error', { err: error }),
  });
  const engine = createBudgetEngine({
    limits,
    spend: repos.budgets,
    ...(options.redis === undefined ? {} : { redis: options.redis }),
    ...(options.failOpen === undefined ? {} : { failOpen: options.failOpen }),
    ...(options.onStoreError === undefined ? {} : { onStoreError: options.onStoreError }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    onSpend: (event) => alerts.onSpend(event),
    onError: (error) => logger.warn('budget settlement failed', { err: error }),
  });
  runtime.onShutdown(async () => {
    engine.close();
    await alerts.close();
    await sender.close();
  });
  return { engine, alerts };
}
