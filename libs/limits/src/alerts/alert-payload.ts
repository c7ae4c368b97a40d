import { createHmac } from 'node:crypto';
import type { LimitScope } from '../limit-document';

/** The name of the org's vault secret that signs its spend alerts (a reserved internal `navplane.` secret). */
export const WEBHOOK_SECRET_NAME = 'navplane.webhook-secret';

/** The signature header of a spend alert. */
export const SIGNATURE_HEADER = 'X-NavPlane-Signature';

/** The JSON body of a spend alert (docs/limits.md, "Spend alerts"). */
export interface SpendAlert {
  readonly orgId: string;
  readonly scope: LimitScope;
  /** `day` or `month`. */
  readonly period: 'day' | 'month';
  /** The period's first day, `YYYY-MM-DD` (UTC). */
  readonly periodStart: string;
  /** The fraction of the budget crossed (0.8 = 80 %). */
  readonly threshold: number;
  /** Settled spend of the period when the threshold was crossed. */
  readonly spentUsd: number;
  readonly budgetUsd: number;
}

/** `sha256=<hex HMAC-SHA256 of the raw body, keyed with the secret's UTF-8 bytes>`. */
export function signAlert(rawBody: string, secret: string): string {
  return `sha256=${createHmac('sha256', Buffer.from(secret, 'utf8')).update(rawBody, 'utf8').digest('hex')}`;
}
