import { AppError, err, isId, ok } from '@navplane/core';
import type { AccessRule } from '../auth/access-rule';
import { orgParams, pageOf } from '../schemas/common.schemas';
import { requestsQuery, traceParams, traceSchema, traceSummarySchema } from '../schemas/trace.schemas';
import { defineRoute } from './route-definition';

/** `traces:read` keys (and admin keys) read their own org's requests and traces. */
const TRACES_READ: AccessRule = Object.freeze({ kind: 'org', scopes: Object.freeze(['admin', 'traces:read'] as const) });
const TRACE_READ: AccessRule = Object.freeze({ kind: 'org-resource', scopes: Object.freeze(['admin', 'traces:read'] as const) });

/** Default page size of the request listing. */
export const DEFAULT_REQUESTS_LIMIT = 50;

/** Recent requests and single traces. */
export const REQUEST_ROUTES = [
  defineRoute({
    operationId: 'listRequests',
    method: 'get',
    path: '/admin/orgs/:orgId/requests',
    tag: 'requests',
    summary: "The org's recent requests, newest first (no bodies), paged by cursor",
    access: TRACES_READ,
    params: orgParams,
    query: requestsQuery,
    status: 200,
    response: pageOf(traceSummarySchema),
    errors: [400, 404],
    example: { query: { limit: '20' } },
    async handle({ params, query, deps }) {
      if (query.before !== undefined && !isId('trace', query.before)) {
        return err(new AppError('invalid_request', 'before must be a trace id (trc_…)', { details: { param: 'before' } }));
      }
      const org = await deps.operations.orgs.get(params.orgId);
      if (!org.ok) return org;
      const limit = query.limit ?? DEFAULT_REQUESTS_LIMIT;
      const data = await deps.traces.listByOrg(params.orgId, { limit, before: query.before });
      const last = data[data.length - 1];
      return ok({ data, nextCursor: data.length === limit && last !== undefined ? last.id : null });
    },
  }),
  defineRoute({
    operationId: 'getTrace',
    method: 'get',
    path: '/admin/traces/:traceId',
    tag: 'requests',
    summary: 'One trace, with its redacted bodies when body capture is on (tenant-checked)',
    access: TRACE_READ,
    params: traceParams,
    status: 200,
    response: traceSchema,
    errors: [404],
    async handle({ params, orgScope, deps }) {
      const trace = await deps.traces.findById(params.traceId);
      // Another org's trace is answered exactly like a missing one.
      if (trace === undefined || (orgScope !== undefined && trace.orgId !== orgScope)) {
        return err(new AppError('not_found', 'No such trace'));
      }
      return ok(trace);
    },
  }),
];
