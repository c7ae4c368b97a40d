import { z } from 'zod';
import { budgetStatusSchema } from './budget.schemas';
import { timestamp } from './common.schemas';

/** How usage is grouped. */
export const USAGE_GROUP_BY = ['model', 'day', 'key', 'tag', 'provider'] as const;

const instant = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);

/** `GET /admin/orgs/:orgId/usage` query. */
export const usageQuery = z.strictObject({
  from: instant.optional().describe('Start, inclusive (ISO-8601 time or date; default: 30 days before `to`)'),
  to: instant.optional().describe('End, exclusive (ISO-8601 time or date; default: now)'),
  groupBy: z
    .enum(USAGE_GROUP_BY)
    .optional()
    .describe(
      'Default `model`. `tag`: one row per request tag (`X-NavPlane-Tags`) plus a null row for untagged requests; a request ' +
        'with several tags counts once under each, so the rows can add up to more than `totals` (which count it once)',
    ),
});

const usageNumbers = {
  requests: z.number().int().describe('Proxied requests plus Batch API results fetched through the gateway'),
  batchRequests: z.number().int().describe('Of requests, the Batch API results (priced at the batch price; docs/traces.md, "Batch usage")'),
  tokensIn: z.number().int().describe('Sum of reported input tokens'),
  tokensOut: z.number().int().describe('Sum of reported output tokens'),
  cacheReadTokens: z.number().int(),
  cacheWriteTokens: z.number().int(),
  costUsd: z
    .number()
    .nullable()
    .describe('Estimated cost in USD; null when any request of the group has an unknown cost (see unknownCostRequests)'),
  pricedCostUsd: z.number().describe('Sum over the requests whose cost is known (a lower bound when unknownCostRequests > 0)'),
  unknownCostRequests: z.number().int().describe('Requests whose cost is unknown (unpriced model, no usage reported)'),
  costStatus: z
    .enum(['exact', 'estimated', 'partial', 'unknown'])
    .describe('exact: every cost known exactly; estimated: priced from the table; partial: some unknown; unknown: all unknown'),
};

/** One group of the usage report. */
export const usageRowSchema = z.object({
  group: z
    .string()
    .nullable()
    .describe('The model, the UTC day (YYYY-MM-DD), the key id, the tag or the provider; null when not recorded (by tag: untagged)'),
  ...usageNumbers,
});

/** The usage report. */
export const usageReportSchema = z.object({
  orgId: z.string(),
  from: timestamp,
  to: timestamp,
  groupBy: z.enum(USAGE_GROUP_BY),
  data: z.array(usageRowSchema),
  totals: z.object(usageNumbers).describe('Every request of the range once (by tag, the rows can add up to more)'),
  budgets: z
    .array(budgetStatusSchema)
    .describe('Each budget of the org’s limits in its current period, whatever `from` and `to` (docs/limits.md, "Budgets")'),
});
