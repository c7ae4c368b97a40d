import { estimateCost } from '@navplane/providers';
import type { TraceRecord } from '@navplane/trace';
import type { AnyContext, RequestOutcome } from '../gateway-context';
import { batchUsageOf } from './batch-usage';

const NOT_CONNECTED = new Set(['connection_refused', 'connect_timeout', 'dns_failure', 'tls_failure', 'egress_refused']);

/**
 * The trace's cost. With usage: priced from the table (`unknown` for unpriced models, never $0).
 * Without usage: nothing billable happened when the provider was never reached or refused the request
 * (`exact` $0), or when the route carries no usage at all (model listings, files); a successful
 * usage-bearing response whose usage could not be read (a client that left early) stays `unknown`.
 */
function costOf(
  context: AnyContext,
  outcome: RequestOutcome,
  model: string | null,
): { status: 'exact' | 'estimated' | 'unknown'; usd: number | null } {
  // A routed request is priced by the target that answered, from its usage; its failed attempts are never billed, so
  // when none answered the request cost nothing (docs/routing.md).
  if (outcome.routing !== undefined && outcome.routing.answered === undefined && outcome.usage === undefined)
    return { status: 'exact', usd: 0 };
  const route = outcome.routing?.answered ?? context.route;
  if (outcome.usage !== undefined) {
    // Usage comes only from a provider's response, so the route is known; priced by that provider's rows.
    const priced =
      route === undefined ? undefined : estimateCost(route.adapter.id, model ?? undefined, outcome.usage, new Date(context.startedAtMs));
    return priced?.status === 'estimated' ? { status: 'estimated', usd: priced.usd } : { status: 'unknown', usd: null };
  }
  if (route === undefined || context.forwardedAt === undefined) return { status: 'exact', usd: 0 }; // refused by the gateway
  if (context.upstreamHeadersAt === undefined) {
    // Never connected: nothing reached the provider. Otherwise it may have worked (and billed) before we gave up.
    return NOT_CONNECTED.has(outcome.upstreamFailure ?? '') ? { status: 'exact', usd: 0 } : { status: 'unknown', usd: null };
  }
  if (outcome.status >= 400) return { status: 'exact', usd: 0 }; // providers do not bill refused requests
  return route.adapter.reportsUsage(context.method, route.pathSuffix) ? { status: 'unknown', usd: null } : { status: 'exact', usd: 0 };
}

const round = (ms: number | undefined) => (ms === undefined ? null : Math.round(ms * 1000) / 1000);

/**
 * The trace of one request (docs/traces.md), or undefined when no org is known (the key was missing or
 * invalid: there is no tenant to record it under; metrics still count it).
 */
export function buildTrace(
  context: AnyContext,
  outcome: RequestOutcome,
  policy?: Pick<TraceRecord, 'policyDecisions' | 'requestBody' | 'responseBody'>,
): TraceRecord | undefined {
  const key = context.key;
  if (key === undefined) return undefined;
  const answered = outcome.routing?.answered;
  const provider = answered?.adapter.id ?? context.route?.adapter.id ?? 'unknown';
  const model = outcome.model ?? context.model ?? null;
  const cost = costOf(context, outcome, model);
  const lineage = context.lineage;
  return {
    id: context.traceId,
    orgId: key.orgId,
    workspaceId: key.workspaceId,
    keyId: key.id,
    provider,
    model,
    route: answered?.pathSuffix ?? context.route?.pathSuffix ?? context.path,
    method: context.method,
    status: outcome.status,
    requestId: context.requestId,
    startedAt: new Date(context.startedAtMs).toISOString(),
    latencyMs: round(outcome.latencyMs) ?? 0,
    ttfbMs: round(outcome.ttfbMs),
    overheadMs: round(outcome.overheadMs),
    tokensIn: outcome.usage?.inputTokens ?? null,
    tokensOut: outcome.usage?.outputTokens ?? null,
    cacheReadTokens: outcome.usage?.cacheReadTokens ?? null,
    cacheWriteTokens: outcome.usage?.cacheWriteTokens ?? null,
    costUsd: cost.usd,
    costStatus: cost.status,
    errorClass: outcome.errorClass ?? (outcome.status >= 400 ? `upstream_${outcome.status}` : null),
    upstreamFailure: outcome.upstreamFailure ?? null,
    traceGroup: lineage?.traceGroup ?? null,
    threadId: lineage?.threadId ?? null,
    runId: lineage?.runId ?? null,
    parentTraceId: lineage?.parentTraceId ?? null,
    stream: outcome.stream,
    ...(context.otel?.traceId === undefined ? {} : { otelTraceId: context.otel.traceId }),
    ...(context.tags === undefined || context.tags.length === 0 ? {} : { tags: context.tags }),
    ...(outcome.routing === undefined
      ? {}
      : { routeName: outcome.routing.name, attempts: outcome.routing.attempts.map((attempt) => ({ ...attempt })) }),
    // The fetch itself costs nothing; its results' usage is stored beside it, once per result.
    ...(outcome.batchResults === undefined || context.route === undefined
      ? {}
      : { batchUsage: batchUsageOf(context.route.adapter.id, outcome.batchResults, new Date(context.startedAtMs)) }),
    ...(policy?.policyDecisions == null ? {} : { policyDecisions: policy.policyDecisions }),
    ...(policy?.requestBody == null ? {} : { requestBody: policy.requestBody }),
    ...(policy?.responseBody == null ? {} : { responseBody: policy.responseBody }),
  };
}
