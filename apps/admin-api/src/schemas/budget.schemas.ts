import { z } from 'zod';
import { timestamp } from './common.schemas';

/** A budget's scope as the limits document names it. */
const budgetScope = z.discriminatedUnion('type', [
  z.object({ type: z.literal('org') }),
  z.object({ type: z.literal('workspace'), id: z.string() }),
  z.object({ type: z.literal('key'), id: z.string() }),
]);

/** One budget of the org's limits in its current period (docs/limits.md, "Budgets"). */
export const budgetStatusSchema = z.object({
  scope: budgetScope,
  usd: z.number().describe('The budget in USD per period'),
  period: z.enum(['day', 'month']).describe('UTC day or UTC calendar month'),
  periodStart: z.string().describe('The current period’s first day (YYYY-MM-DD, UTC)'),
  resetsAt: timestamp.describe('When the current period ends and the next one starts'),
  spentUsd: z.number().describe('Settled spend of the period (requests that ended)'),
  reservedUsd: z
    .number()
    .describe('Held by requests in flight: every instance’s with NAVPLANE_REDIS_URL; without it, none is visible from the admin API'),
  remainingUsd: z.number().describe('usd − spentUsd − reservedUsd, never below 0'),
  unpricedRequests: z.number().int().describe('Requests of unpriced models settled in the period: counted apart, never as $0 spend'),
});

/** `POST /admin/orgs/:orgId/limits/webhook-secret` answer. */
export const webhookSecretSchema = z.object({
  webhookSecret: z.string().describe('The new secret that signs the org’s spend alerts: shown this once'),
});
