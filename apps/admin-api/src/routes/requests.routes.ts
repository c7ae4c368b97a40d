import type { AccessRule } from '../auth/access-rule';
import { orgParams, pageOf } from '../schemas/common.schemas';
import { forkSchema, replaySchema, requestsQuery, traceParams, traceSchema, traceSummarySchema } from '../schemas/trace.schemas';
import { defineRoute } from './route-definition';

/** `traces:read` keys (and admin keys) read their own org's requests and traces. */
const TRACES_READ: AccessRule = Object.freeze({ kind: 'org', scopes: Object.freeze(['admin', 'traces:read'] as const) });
const TRACE_READ: AccessRule = Object.freeze({ kind: 'org-resource', scopes: Object.freeze(['admin', 'traces:read'] as const) });
/** Forking writes (a fork record and its audit entry): admin keys only. */
const TRACE_FORK: AccessRule = Object.freeze({ kind: 'org-resource', scopes: Object.freeze(['admin'] as const) });

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
    example: { query: { limit: '20', status: 'failed' } },
    async handle({ params, query, deps }) {
      const org = await deps.operations.orgs.get(params.orgId);
      if (!org.ok) return org;
      return deps.traceQueries.listRequests(params.orgId, { ...query, limit: query.limit ?? DEFAULT_REQUESTS_LIMIT });
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
      // Another org's trace is answered exactly like a missing one.
      return deps.traceQueries.getTrace(orgScope ?? null, params.traceId);
    },
  }),
  defineRoute({
    operationId: 'replayTrace',
    method: 'get',
    path: '/admin/traces/:traceId/replay',
    tag: 'requests',
    summary: 'The chain up to this checkpoint, as it was stored (run, else thread, else group); changes nothing',
    access: TRACE_READ,
    params: traceParams,
    status: 200,
    response: replaySchema,
    errors: [404],
    async handle({ params, orgScope, deps }) {
      return deps.traceQueries.replay(orgScope ?? null, params.traceId);
    },
  }),
  defineRoute({
    operationId: 'forkTrace',
    method: 'post',
    path: '/admin/traces/:traceId/fork',
    tag: 'requests',
    summary: 'A new run continuing from this checkpoint; no stored trace changes (audited as trace.fork)',
    access: TRACE_FORK,
    params: traceParams,
    status: 201,
    response: forkSchema,
    errors: [404],
    async handle({ params, orgScope, actor, deps }) {
      return deps.traceQueries.fork(orgScope ?? null, params.traceId, actor);
    },
  }),
];
