import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { AuthThrottle, VerifyResult } from '@navplane/auth';
import { AppError } from '@navplane/core';
import {
  clientAddressResolver,
  errorHandler,
  healthRoutes,
  metricsHandler,
  notFound,
  sendError,
  toErrorResponse,
  trustProxySetting,
  type LoggerLike,
  type MetricsSource,
  type Readiness,
} from '@navplane/http';
import { NOTHING_SPENT, type BudgetEngine, type CountedLimit, type LimitCounters, type LimitSource } from '@navplane/limits';
import type { DetectorId, PolicyStore, Redactor } from '@navplane/policy';
import type { ProviderRegistry } from '@navplane/providers';
import type { TraceSink } from '@navplane/trace';
import type { ProviderKeyLookup } from '@navplane/vault';
import express from 'express';
import type { AnyContext, Started } from './gateway-context';
import type { GatewayMetrics } from './gateway-metrics';
import { Pipeline, type Exchange } from './pipeline/pipeline';
import type { CapturedBodies } from './policy/body-capture';
import { buildDecisionRecord } from './policy/decision-record';
import type { PolicyLimits } from './policy/enforce-policy';
import { resolveRequestPolicy } from './policy/policy.step';
import { enforceQueryPolicy } from './policy/query-policy.step';
import { forwardUpstream, setRateLimitHeaders, type ProxyOutcome } from './proxy/forward-upstream';
import type { UpstreamPools } from './proxy/upstream-pools';
import type { CircuitBreakers } from './routing/circuit-breakers';
import { createRoutedForwarder } from './routing/routed-request';
import type { RouteSource } from './routing/route-source';
import type { Random } from './routing/target-order';
import { resolveModelRoute } from './steps/model-route.step';
import { authenticate, requireScope, type AuthenticateOptions } from './steps/authenticate.step';
import { checkBudgets } from './steps/budgets.step';
import { resolveCredential } from './steps/credential.step';
import { checkModelAllowlist } from './steps/model-allowlist.step';
import { checkFraming } from './steps/framing.step';
import { admitDeferredLimits, enforceLimits } from './steps/limits.step';
import { readBodyWhenNeeded } from './steps/request-body.step';
import { checkAllowedPath, resolveRoute } from './steps/resolve-route.step';
import { readTags } from './steps/tags.step';
import { formatOverhead, startRequest } from './steps/start-request';
import { buildTrace } from './trace/build-trace';
import { otelLogFields, type GatewayTelemetry } from './telemetry/request-telemetry';

/** The logger slice the gateway uses: access lines at `http`, request headers at `debug` (scrubbed). */
export interface GatewayLogger extends LoggerLike {
  http(message: string, meta?: Record<string, unknown>): unknown;
  debug(message: string, meta?: Record<string, unknown>): unknown;
  isLevelEnabled(level: string): boolean;
}

/**
 * True unless `url` surely names none of `/healthz`, `/readyz`, `/metrics` (the router matches them case-
 * insensitively, with an optional trailing slash): an origin-form path whose first letter is not h, r or m.
 */
function mayBeOpsPath(url: string): boolean {
  if (url.charCodeAt(0) !== 0x2f) return true; // not origin-form: let the router parse it
  const first = url.charCodeAt(1) | 0x20; // lower-cased ASCII letter
  return first === 0x68 || first === 0x72 || first === 0x6d; // h, r, m
}

/** The host[:port] of an upstream base URL, for logs; undefined when there is none. */
function upstreamHost(baseUrl: string | undefined): string | undefined {
  if (baseUrl === undefined) return undefined;
  try {
    return new URL(baseUrl).host;
  } catch {
    return undefined;
  }
}

/** The authenticate step's throttle: the deps' throttle with the client address Express would derive (NAVPLANE_TRUST_PROXY). */
export function authThrottleOf(deps: Pick<GatewayDeps, 'authThrottle' | 'trustProxy'>): AuthenticateOptions['throttle'] {
  return deps.authThrottle === undefined
    ? undefined
    : { throttle: deps.authThrottle, clientAddress: clientAddressResolver(deps.trustProxy) };
}

/** The limits step over the deps' limits documents and counters (HTTP requests and WebSocket handshakes alike). */
export function limitsStepOf(
  deps: Pick<GatewayDeps, 'limits' | 'limitCounters' | 'limitsFailMode' | 'onLimitRefused'>,
  deferToBudgets?: GatewayDeps['budgets'],
) {
  return enforceLimits({
    limits: deps.limits,
    counters: deps.limitCounters,
    failMode: deps.limitsFailMode,
    ...(deps.onLimitRefused === undefined ? {} : { onRefused: deps.onLimitRefused }),
    ...(deferToBudgets === undefined ? {} : { deferToBudgets }),
  });
}

/** What the gateway app is composed of. */
export interface GatewayDeps {
  logger: GatewayLogger;
  readiness: Readiness;
  metrics: MetricsSource;
  /** NAVPLANE_TRUST_PROXY: Express `trust proxy` value for the client address. */
  trustProxy: boolean | number | readonly string[];
  /** Provider routes and base URLs (operator-set). */
  registry: ProviderRegistry;
  /** NavPlane key verification (cached; org kill switch included). */
  verifyKey: (presented: string) => Promise<VerifyResult>;
  /** Brute-force throttling of failed key authentications by client address (NAVPLANE_AUTH_FAILURE_*); absent: none. */
  authThrottle?: AuthThrottle;
  /** The org's decrypted provider key by provider and key name (`default` when absent; vault, cached). */
  getProviderKey: (orgId: string, provider: string, name?: string) => Promise<ProviderKeyLookup>;
  /** The orgs' routing tables (docs/routing.md; in memory, change-feed evicted). */
  routes: RouteSource;
  /** The circuit breakers of routed targets (per instance). */
  breakers: CircuitBreakers;
  /** Routed requests: NAVPLANE_ROUTE_ATTEMPT_TIMEOUT_MS (0: none of its own); the deadline is NAVPLANE_UPSTREAM_TIMEOUT_MS. */
  routeTimeouts: { readonly deadlineMs: number; readonly attemptTimeoutMs: number };
  /** The weighted pick of `loadbalance` routes and the backoff jitter (Math.random; seeded in tests). */
  random?: Random;
  /** The orgs' limits documents (docs/limits.md; in memory, change-feed evicted). */
  limits: LimitSource;
  /** Where rpm, tpm and concurrency are counted: in this process, or Redis (NAVPLANE_REDIS_URL). */
  limitCounters: LimitCounters;
  /** NAVPLANE_LIMITS_FAIL_MODE. */
  limitsFailMode: 'open' | 'closed';
  /** Told of each request refused by a limit, by limit type (metric). */
  onLimitRefused?: (limit: CountedLimit | 'unavailable') => void;
  /** The orgs' policies (in memory, change-feed evicted). */
  policies: Pick<PolicyStore, 'peek' | 'load'>;
  /** The org's redactor (placeholder salt from the vault), or undefined when the salt cannot be read. */
  getRedactor: (orgId: string, detectors: readonly DetectorId[]) => Promise<Redactor | undefined>;
  /** NAVPLANE_CAPTURE_BODIES. */
  captureBodies: boolean;
  /** NAVPLANE_CAPTURE_MAX_BYTES. */
  captureMaxBytes: number;
  /** NAVPLANE_POLICY_MAX_BODY_BYTES and NAVPLANE_POLICY_TIMEOUT_MS, and the redaction pool (inline without). */
  policyLimits: PolicyLimits;
  /** Where traces go; enqueue is never awaited. */
  traceSink: TraceSink;
  /** Request and upstream counters. */
  gatewayMetrics?: GatewayMetrics;
  /** NAVPLANE_MAX_BODY_BYTES. */
  maxBodyBytes: number;
  /** The upstream pools (NAVPLANE_UPSTREAM_CONNECT_TIMEOUT_MS, NAVPLANE_UPSTREAM_TIMEOUT_MS), closed by the owner at shutdown. */
  upstreamPools: UpstreamPools;
  /** OpenTelemetry spans and metrics of each request (docs/observability.md); absent when it is off. */
  telemetry?: GatewayTelemetry;
  /** Spend budgets (docs/limits.md, "Budgets"): reserved before the upstream call, settled when the request is recorded; absent: none. */
  budgets?: Pick<BudgetEngine, 'applicable' | 'reserve' | 'settle' | 'charge' | 'exhausted'>;
}

/**
 * The client-facing gateway: health, readiness and metrics, and the provider path as one typed pipeline:
 * framing → route → authenticate (key, org enabled) → allowed path → scope → tags → model allowlist → limits (rpm, tpm,
 * concurrency) → credential (vault or passthrough) → policy (most specific scope) → query (inspected under
 * block/redact_upstream) → budgets (reserve or 429) → body (read only when it must be:
 * policy evaluation, redaction, adapter) → forward (undici pool of the target; tap + capture + trace, never awaited).
 * Every refusal happens before any byte goes upstream.
 */
export function createApp(deps: GatewayDeps): RequestListener {
  // Once per request: metrics, the trace into the sink (never awaited), and an access line when
  // NAVPLANE_LOG_LEVEL is `http` or lower (off at the default `info`: logging is not free).
  const { logger } = deps;
  const record = (outcome: ProxyOutcome) => {
    // The one completion of every request that got past the limits step (refused later, aborted, failed upstream,
    // streamed to the end): its concurrency slot is freed and its tokens (input + output) counted, once.
    outcome.context.limitLease?.release(outcome.usage?.totalTokens ?? 0);
    outcome.context.otel?.end(outcome);
    const provider = outcome.routing?.answered?.adapter.id ?? outcome.context.route?.adapter.id ?? 'none';
    deps.gatewayMetrics?.observe(provider, outcome.status, outcome.overheadMs);
    const capture = outcome.context.policy?.capture;
    if (capture === undefined) {
      recordTrace(outcome, undefined);
      return;
    }
    // Ended early (client gone, upstream broke): text held back mid-value is dropped from the stored copy. Large
    // bodies are redacted in the redaction pool, off the event loop; finish() never rejects.
    void capture.finish({ cut: outcome.upstreamFailure !== undefined }).then((bodies) => recordTrace(outcome, bodies));
  };
  const recordTrace = (outcome: ProxyOutcome, bodies: CapturedBodies | undefined) => {
    const { context } = outcome;
    const decision = buildDecisionRecord(context.policy, bodies);
    if (decision !== undefined) deps.gatewayMetrics?.observePolicy(decision);
    const trace = buildTrace(context, outcome, {
      policyDecisions: decision ?? null,
      requestBody: bodies?.requestBody ?? null,
      responseBody: bodies?.responseBody ?? null,
    });
    if (trace !== undefined) deps.traceSink.enqueue(trace);
    // The reservation is settled from the cost the trace states (a failed attempt costs nothing), then released.
    if (context.budget !== undefined && deps.budgets !== undefined) {
      void deps.budgets.settle(
        context.budget,
        trace === undefined ? NOTHING_SPENT : { status: trace.costStatus, usd: trace.costUsd ?? null },
      );
    }
    const failure = outcome.upstreamFailure;
    if (failure !== undefined && failure !== 'client_aborted') {
      // The provider could not be reached or broke off: the operator's problem, not the client's, so it is logged
      // at the default level with where and how (never the URL's path or query, which may carry tenant data).
      logger.warn(`upstream failure: ${failure}`, {
        traceId: context.traceId,
        requestId: context.requestId,
        ...otelLogFields(context.otel),
        provider: outcome.routing?.answered?.adapter.id ?? context.route?.adapter.id,
        host: upstreamHost(outcome.routing?.answered?.baseUrl ?? context.route?.baseUrl),
        route: outcome.routing?.name,
        failure,
        status: outcome.status,
        orgId: context.key?.orgId,
      });
    }
    if (logger.isLevelEnabled('http')) {
      logger.http('request', {
        traceId: context.traceId,
        requestId: context.requestId,
        ...otelLogFields(context.otel),
        method: context.method,
        path: context.path,
        status: outcome.status,
        provider: outcome.routing?.answered?.adapter.id ?? context.route?.adapter.id,
        model: outcome.model,
        route: outcome.routing?.name,
        attempts: outcome.routing?.attempts.length,
        orgId: context.key?.orgId,
        keyId: context.key?.id,
        mode: context.credentialMode,
        latencyMs: Math.round(outcome.latencyMs * 100) / 100,
        overheadMs: outcome.overheadMs === undefined ? undefined : Math.round(outcome.overheadMs * 100) / 100,
        errorClass: outcome.errorClass,
        upstreamFailure: outcome.upstreamFailure,
      });
    }
  };

  // A refusal by the gateway itself: the contract's JSON error with the request's ids and overhead, the trace
  // (when the org is known). A body the client is still sending is not waited for: the connection closes.
  const refuse = (error: AppError, context: AnyContext, { req, res }: Exchange) => {
    if (error.code === 'internal_error')
      logger.error('gateway error', {
        traceId: context.traceId,
        requestId: context.requestId,
        ...otelLogFields(context.otel),
        err: error.cause ?? error,
      });
    const overheadMs = performance.now() - context.startedAt;
    if (!res.headersSent) {
      setRateLimitHeaders(res, context);
      res.setHeader('X-Request-Id', context.requestId);
      res.setHeader('X-NavPlane-Trace-Id', context.traceId);
      res.setHeader('X-NavPlane-Overhead-Ms', formatOverhead(overheadMs));
      if (!req.complete) res.setHeader('Connection', 'close');
    }
    sendError(res, error);
    record({ context, status: toErrorResponse(error).status, stream: false, latencyMs: overheadMs, overheadMs, errorClass: error.code });
  };

  // One evaluation bound for enforcement and for stored copies (NAVPLANE_POLICY_MAX_BODY_BYTES, _TIMEOUT_MS).
  const { policyLimits } = deps;

  // The provider path: each step's input type is what the earlier steps add, so the order is checked by the compiler.
  const runProviderPath = Pipeline.begin<Started>()
    .then(checkFraming())
    .then(resolveRoute({ registry: deps.registry }))
    .then(
      authenticate({ verify: deps.verifyKey, looksLikeProviderKey: deps.registry.looksLikeProviderKey, throttle: authThrottleOf(deps) }),
    )
    .then(checkAllowedPath())
    .then(requireScope('proxy'))
    // X-NavPlane-Tags (docs/gateway.md, "Tags"): a malformed header is refused before anything else is read.
    .then(readTags())
    // The key's model allowlist, on the name the client sent: before the vault, the policy and any route resolution.
    .then(checkModelAllowlist({ maxBodyBytes: deps.maxBodyBytes }))
    // rpm, tpm and concurrency of the org, the key's workspace and the key (docs/limits.md): a full limit refuses with
    // 429 before the vault, the policy or any upstream is touched; an admitted request's lease is released by `record`.
    // With a budget too and the counters in Redis, the admission is deferred to the budgets step (one round trip for both).
    .then(limitsStepOf(deps, deps.budgets))
    // A body `model` that names a route of the org's routing table: the route's targets are planned (docs/routing.md).
    .then(
      resolveModelRoute({
        routes: deps.routes,
        registry: deps.registry,
        maxBodyBytes: deps.maxBodyBytes,
        ...(deps.random === undefined ? {} : { random: deps.random }),
      }),
    )
    .then(resolveCredential({ getProviderKey: deps.getProviderKey }))
    .then(
      resolveRequestPolicy({
        policies: deps.policies,
        getRedactor: deps.getRedactor,
        captureBodies: deps.captureBodies,
        captureLimits: {
          storeChars: deps.captureMaxBytes,
          redactBytes: policyLimits.maxBodyBytes,
          timeoutMs: policyLimits.timeoutMs,
          ...(policyLimits.pool === undefined ? {} : { pool: policyLimits.pool }),
        },
      }),
    )
    .then(enforceQueryPolicy({ timeoutMs: policyLimits.timeoutMs }))
    // Spend budgets: estimated and reserved (or 429 budget_exceeded) before any byte goes upstream.
    .then(
      checkBudgets({
        budgets: deps.budgets,
        maxBodyBytes: deps.maxBodyBytes,
        admitDeferred: admitDeferredLimits({
          counters: deps.limitCounters,
          ...(deps.onLimitRefused === undefined ? {} : { onRefused: deps.onLimitRefused }),
        }),
      }),
    )
    .then(readBodyWhenNeeded({ maxBodyBytes: deps.maxBodyBytes, policyLimits }))
    .end(
      forwardUpstream({
        pools: deps.upstreamPools,
        onComplete: record,
        routed: createRoutedForwarder({
          breakers: deps.breakers,
          getProviderKey: deps.getProviderKey,
          deadlineMs: deps.routeTimeouts.deadlineMs,
          attemptTimeoutMs: deps.routeTimeouts.attemptTimeoutMs,
          onComplete: record,
          ...(deps.random === undefined ? {} : { random: deps.random }),
        }),
        onForward: logger.isLevelEnabled('debug')
          ? (headers, context) => logger.debug('forwarding upstream', { traceId: context.traceId, ...otelLogFields(context.otel), headers })
          : undefined,
      }),
      refuse,
    );
  // OpenTelemetry off (no OTLP endpoint): one field check per request, nothing more (docs/observability.md).
  const { telemetry } = deps;
  const providerPath = (req: IncomingMessage, res: ServerResponse) => {
    const started = startRequest(req);
    if (telemetry !== undefined) started.otel = telemetry.start(req.headers, started);
    runProviderPath(started, { req, res });
  };

  // Health, readiness and metrics are an Express app (the shell); only paths those routes could match go through
  // it, and what it does not serve falls through to the provider path. Every other request (the hot path) goes
  // straight to the pipeline: one character test instead of Express's request setup and router walk.
  const ops = express();
  ops.disable('x-powered-by');
  ops.set('etag', false);
  ops.set('trust proxy', trustProxySetting(deps.trustProxy));
  ops.use(healthRoutes(deps.readiness));
  ops.get('/metrics', metricsHandler(deps.metrics));
  ops.use(function providerRoutes(req, res) {
    providerPath(req, res);
  });
  ops.use(notFound({ code: 'route_not_found' }));
  ops.use(errorHandler({ logger: deps.logger }));
  return function gateway(req, res) {
    if (mayBeOpsPath(req.url ?? '/')) ops(req, res);
    else providerPath(req, res);
  };
}
