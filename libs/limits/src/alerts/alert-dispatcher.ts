import { newId, systemClock, type Clock } from '@navplane/core';
import type { AuditLogRepository, BudgetsRepository } from '@navplane/storage';
import type { SpendSettled } from '../budgets/budget-engine';
import { scopeKey } from '../limit-document';
import { USD_EPSILON } from '../budgets/reservation-store';
import { SIGNATURE_HEADER, signAlert, type SpendAlert } from './alert-payload';

/** How one POST of an alert went: the receiver's status, or why nothing was delivered (`refused`: the egress rules). */
export type WebhookResult = { readonly status: number } | { readonly error: string; readonly refused?: boolean };

/** Posts `body` with `headers` to a tenant's webhook URL under the egress rules (the app supplies it). Never rejects. */
export type WebhookSend = (url: string, body: string, headers: Readonly<Record<string, string>>) => Promise<WebhookResult>;

/** Options of createAlertDispatcher. */
export interface AlertDispatcherOptions {
  /** Claims (one per threshold and period, whichever instance wins) and the record of how sending went. */
  alerts: Pick<BudgetsRepository, 'claimAlert' | 'markAlert'>;
  /** Every attempt and a final failure are written here (never the secret, never the URL's path). */
  audit: Pick<AuditLogRepository, 'append'>;
  /** The org's webhook secret (the vault's `navplane.webhook-secret`), undefined when it cannot be had. */
  webhookSecret: (orgId: string) => Promise<string | undefined>;
  send: WebhookSend;
  clock?: Clock;
  /** Most POSTs per alert (default 5). */
  attempts?: number;
  /** Wait before the second attempt, doubled for each next one (default 2000 ms). */
  backoffMs?: number;
  /** Claiming or recording failed (default: process.emitWarning). */
  onError?: (error: Error) => void;
}

/** Sends the spend alerts of settled spend (docs/limits.md, "Spend alerts"). */
export interface AlertDispatcher {
  /** The budget engine's `onSpend`: claims and sends (in the background) each threshold the spend crossed. */
  onSpend(event: SpendSettled): void;
  /** Resolves when every alert started so far is sent or has failed for good. */
  idle(): Promise<void>;
  /** Stops waiting between attempts (alerts still retrying are given up, recorded `failed`). */
  close(): Promise<void>;
}

const RETRIED_STATUSES = new Set([408, 425, 429]);
const retryable = (result: WebhookResult) =>
  'status' in result ? result.status >= 500 || RETRIED_STATUSES.has(result.status) : result.refused !== true;
const delivered = (result: WebhookResult) => 'status' in result && result.status >= 200 && result.status < 300;
const toError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));
const defaultOnError = (error: Error) => process.emitWarning(`NavPlane spend alerts: ${error.message}`);

/** The URL's origin, for the audit log (its path may carry a token of the tenant's). */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(malformed)';
  }
}

/**
 * The spend-alert dispatcher (defaults: 5 attempts, backoff 2 s doubling, system clock). A threshold `t` of a budget
 * of `usd` is crossed by a settlement that takes the period's spend from below `t × usd` to at least it; its alert is
 * claimed in the database (unique per org, scope, period, threshold), so of several instances crossing it at once
 * exactly one sends it, once. The body is signed with the org's webhook secret; an alert without a secret is not
 * sent unsigned but fails (audited).
 */
export function createAlertDispatcher(options: AlertDispatcherOptions): AlertDispatcher {
  const clock = options.clock ?? systemClock;
  const attempts = options.attempts ?? 5;
  const backoffMs = options.backoffMs ?? 2000;
  const onError = options.onError ?? defaultOnError;
  const running = new Set<Promise<void>>();
  const timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  let closed = false;

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          timers.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      timers.add(entry);
    });

  const audit = (orgId: string, action: string, details: Record<string, string | number | boolean>) =>
    options.audit
      .append({
        id: newId('audit'),
        at: clock.now().toISOString(),
        actorType: 'system',
        orgId,
        action,
        targetType: 'budget',
        targetId: String(details['scope']),
        details,
      })
      .catch((error: unknown) => onError(toError(error)));

  async function deliver(url: string, alert: SpendAlert): Promise<void> {
    const key = {
      orgId: alert.orgId,
      scopeKey: scopeKey(alert.scope),
      period: alert.period,
      periodStart: alert.periodStart,
      threshold: alert.threshold,
    };
    const about = {
      scope: scopeKey(alert.scope),
      period: alert.period,
      periodStart: alert.periodStart,
      threshold: alert.threshold,
      webhook: originOf(url),
    };
    const body = JSON.stringify(alert);
    const secret = await options.webhookSecret(alert.orgId).catch(() => undefined);
    if (secret === undefined) {
      await audit(alert.orgId, 'limits.alert.failed', { ...about, attempts: 0, reason: 'the webhook secret cannot be read' });
      await options.alerts.markAlert(key, 'failed', 0, clock.now().toISOString()).catch((error: unknown) => onError(toError(error)));
      return;
    }
    const headers = { 'content-type': 'application/json', [SIGNATURE_HEADER]: signAlert(body, secret), 'user-agent': 'NavPlane-Alerts/1' };
    for (let attempt = 1; ; attempt += 1) {
      const result = await options.send(url, body, headers);
      const ok = delivered(result);
      await audit(alert.orgId, 'limits.alert.send', {
        ...about,
        attempt,
        ...('status' in result ? { status: result.status } : { error: result.error }),
      });
      if (ok) {
        await options.alerts.markAlert(key, 'sent', attempt, clock.now().toISOString()).catch((error: unknown) => onError(toError(error)));
        return;
      }
      if (attempt >= attempts || !retryable(result) || closed) {
        await audit(alert.orgId, 'limits.alert.failed', {
          ...about,
          attempts: attempt,
          reason: 'status' in result ? `status ${result.status}` : result.error,
        });
        await options.alerts
          .markAlert(key, 'failed', attempt, clock.now().toISOString())
          .catch((error: unknown) => onError(toError(error)));
        return;
      }
      await wait(backoffMs * 2 ** (attempt - 1));
    }
  }

  async function claimAndSend(event: SpendSettled, threshold: number, url: string): Promise<void> {
    const { hold } = event;
    const alert: SpendAlert = {
      orgId: event.orgId,
      scope: hold.scope,
      period: hold.window.period,
      periodStart: hold.window.start,
      threshold,
      spentUsd: Math.round(event.afterUsd * 1e6) / 1e6,
      budgetUsd: hold.budget.usd,
    };
    const won = await options.alerts.claimAlert(
      {
        orgId: event.orgId,
        scopeKey: hold.scopeKey,
        period: hold.window.period,
        periodStart: hold.window.start,
        threshold,
        spentUsd: alert.spentUsd,
        budgetUsd: hold.budget.usd,
      },
      clock.now().toISOString(),
    );
    if (won) await deliver(url, alert);
  }

  return {
    onSpend(event) {
      const alerts = event.hold.alerts;
      if (alerts === undefined || closed) return;
      const budgetUsd = event.hold.budget.usd;
      for (const threshold of alerts.thresholds) {
        const line = threshold * budgetUsd;
        if (!(event.beforeUsd < line - USD_EPSILON && event.afterUsd >= line - USD_EPSILON)) continue;
        const task = claimAndSend(event, threshold, alerts.webhookUrl).catch((error: unknown) => onError(toError(error)));
        running.add(task);
        void task.finally(() => running.delete(task));
      }
    },
    async idle() {
      while (running.size > 0) await Promise.all([...running]);
    },
    async close() {
      closed = true;
      for (const entry of timers) {
        clearTimeout(entry.timer);
        entry.resolve();
      }
      timers.clear();
      await Promise.all([...running]);
    },
  };
}
