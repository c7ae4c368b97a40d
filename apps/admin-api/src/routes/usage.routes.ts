import { AppError, err, ok, toIso } from '@navplane/core';
import type { AccessRule } from '../auth/access-rule';
import { orgParams } from '../schemas/common.schemas';
import { usageQuery, usageReportSchema } from '../schemas/usage.schemas';
import { defineRoute } from './route-definition';

/** `analytics:read` keys (and admin keys) read their own org's usage. */
const ANALYTICS_READ: AccessRule = Object.freeze({ kind: 'org', scopes: Object.freeze(['admin', 'analytics:read'] as const) });

/** Default report window when `from` is not given. */
export const DEFAULT_USAGE_WINDOW_MS = 30 * 24 * 3600 * 1000;

const invalid = (param: string, message: string) => err(new AppError('invalid_request', message, { details: { param } }));

/** Tokens and estimated cost. */
export const USAGE_ROUTES = [
  defineRoute({
    operationId: 'getUsage',
    method: 'get',
    path: '/admin/orgs/:orgId/usage',
    tag: 'usage',
    summary: 'Tokens and estimated cost over a time range, grouped by model, UTC day, key, tag or provider',
    description:
      'A group whose requests include one with an unknown cost (unpriced model, no usage reported) has costUsd null ' +
      'and counts those requests in unknownCostRequests: an unknown cost is never summed as 0. Grouped by tag ' +
      '(X-NavPlane-Tags), a request with several tags counts once under each of them and untagged requests form the ' +
      'null group, so the rows can add up to more than totals, which count every request once. `budgets` shows each ' +
      "budget of the org's limits in its current period: spent, reserved by requests in flight, remaining.",
    access: ANALYTICS_READ,
    params: orgParams,
    query: usageQuery,
    status: 200,
    response: usageReportSchema,
    errors: [400, 404],
    example: { query: { groupBy: 'day' } },
    async handle({ params, query, deps }) {
      const toMs = query.to === undefined ? deps.clock.nowMs() : Date.parse(query.to);
      const fromMs = query.from === undefined ? toMs - DEFAULT_USAGE_WINDOW_MS : Date.parse(query.from);
      if (!(fromMs < toMs)) return invalid('from', 'from must be before to');
      const org = await deps.operations.orgs.get(params.orgId);
      if (!org.ok) return org;
      const from = toIso(fromMs);
      const to = toIso(toMs);
      const groupBy = query.groupBy ?? 'model';
      // Summed in SQL (one aggregate query; by tag, a second for the totals); unknown costs are counted, never as 0.
      const report = await deps.traceQueries.usage(params.orgId, { groupBy, from, to });
      if (!report.ok) return report;
      const budgets = await deps.operations.budgets.status(params.orgId);
      if (!budgets.ok) return budgets;
      return ok({ orgId: params.orgId, from, to, groupBy, data: report.value.rows, totals: report.value.totals, budgets: budgets.value });
    },
  }),
];
