import type { AuthenticatedKey } from '@navplane/auth';
import type { ApplicableLimit, BudgetReservation, LimitLease } from '@navplane/limits';
import type { BatchResultsRead, PreparedRequest, RequestModelReader, ResolvedRoute, Usage } from '@navplane/providers';
import type { PolicyState } from './policy/policy-state';
import type { UpstreamCredential } from './pipeline/upstream-credential';
import type { UpstreamFailure } from './proxy/upstream-failure';
import type { ModelRoute } from './steps/model-route.step';
import type { RequestTelemetry } from './telemetry/request-telemetry';

/** Lineage ids a client may send (docs/gateway.md, "Lineage"). */
export interface Lineage {
  traceGroup: string | null;
  threadId: string | null;
  runId: string | null;
  parentTraceId: string | null;
}

/** What the gateway knows of a request as it arrives (the pipeline's start). */
export interface Started {
  readonly traceId: string;
  readonly requestId: string;
  readonly method: string;
  /** The path the client called (no query): recorded when no provider route matched. */
  readonly path: string;
  /** The raw query without `?` ('' when absent), forwarded unchanged. */
  readonly rawQuery: string;
  /** performance.now() when the request reached the gateway. */
  readonly startedAt: number;
  /** Wall-clock start (ms since epoch) for the trace. */
  readonly startedAtMs: number;
  readonly lineage: Lineage;
  /** Set by the proxy step: performance.now() when the upstream request was dispatched. */
  forwardedAt?: number;
  /** Set by the proxy step: performance.now() when upstream response headers arrived. */
  upstreamHeadersAt?: number;
  /** Set by the proxy step: time spent in the gateway before forwarding, ms. */
  preUpstreamMs?: number;
  /** OpenTelemetry of this request (docs/observability.md); absent when it is off. */
  otel?: RequestTelemetry;
}

/** After `resolveRoute`: the provider route of the path. */
export interface Routed extends Started {
  readonly route: ResolvedRoute;
}

/** How the client authenticated: the NavPlane key in the provider's key header (vault) or in X-NavPlane-Key. */
export type CredentialMode = 'vault' | 'passthrough';

/** After `authenticate`: the verified key (org enabled) and where the provider credential will come from. */
export interface Authenticated extends Routed {
  readonly key: AuthenticatedKey;
  readonly credentialMode: CredentialMode;
  /** Passthrough: the client's own provider key headers, forwarded as sent (never stored or logged). */
  readonly clientCredential?: UpstreamCredential;
}

/** After `readTags`: the request's tags (`X-NavPlane-Tags`, validated; empty when it sent none), stored with its trace. */
export interface Tagged {
  readonly tags: readonly string[];
}

/** After `enforceLimits`: the request's hold on its rate-limit counters, when a limit applies (docs/limits.md). */
export interface Limited {
  /** Released once, by the request's completion (`record`), with the tokens it used. */
  readonly limitLease?: LimitLease;
  /** OpenAI's `x-ratelimit-*` headers of the strictest applicable scope, for the answer. */
  readonly rateLimitHeaders?: Readonly<Record<string, string>>;
  /**
   * The counted limits of a request that a budget also covers, when the counters are shared (Redis): admitted by the
   * budgets step at the same time as the budget reservation, so the two share one round trip (docs/limits.md, "Cost").
   */
  readonly deferredLimits?: readonly ApplicableLimit[];
}

/** After `resolveCredential`: the headers that authenticate upstream (a redacting value). */
export interface WithCredential extends Authenticated {
  readonly upstreamCredential: UpstreamCredential;
}

/** After `resolveRequestPolicy`: the policy in force and, with body capture, its capture. */
export interface WithPolicy extends WithCredential {
  readonly policy: PolicyState;
}

/** The request body as it goes upstream: bytes the gateway holds (re-sendable) or the client's stream (once). */
export type UpstreamBody =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'bytes';
      readonly bytes: Buffer;
      /** The Content-Encoding the bytes are in (undefined: none). */ readonly encoding: string | undefined;
    }
  | {
      readonly kind: 'stream';
      readonly length: number | undefined;
      /** Sees every chunk as it is sent upstream (body capture's bounded copy). */
      readonly observe?: (chunk: Buffer) => void;
    };

/** After `readBodyWhenNeeded`: what goes upstream, and what the adapter made of the body when it had to read it. */
export interface Ready extends WithPolicy, Tagged, Limited {
  readonly body: UpstreamBody;
  readonly prepared?: PreparedRequest;
  /** The model the request names, when the gateway read it from a body it holds. */
  readonly model?: string;
  /** A body that streams upstream: the reader of the model it names, fed as its chunks pass. */
  readonly requestModel?: RequestModelReader;
  /** The route of the org's routing table this request is served by (docs/routing.md). */
  readonly modelRoute?: ModelRoute;
  /** A model listing: the org's route names to list beside the provider's models. */
  readonly listedRoutes?: readonly string[];
  /** The request's spend reservation (docs/limits.md, "Budgets"), settled once when the request is recorded. */
  readonly budget?: BudgetReservation;
}

/**
 * The context as far as it got, for a request that ended early (a refusal): every field a later step adds may be
 * missing.
 */
export type SoFar<T extends Started> = Started & { readonly [K in Exclude<keyof T, keyof Started>]?: T[K] };

/** Any context the trace and the access log may see. */
export type AnyContext = SoFar<Ready>;

/** How a request ended: what metrics, the access log and the trace record of it. */
export interface RequestOutcome {
  /** The status the client got (0 when the client left before any response). */
  status: number;
  stream: boolean;
  usage?: Usage;
  /** The model the provider reported (or the one requested). */
  model?: string;
  /** The Batch API results the response held (docs/traces.md, "Batch usage"): recorded once each, at the batch price. */
  batchResults?: BatchResultsRead;
  /** ms from arrival to the first response body byte from the provider. */
  ttfbMs?: number;
  latencyMs: number;
  overheadMs?: number;
  upstreamFailure?: UpstreamFailure;
  /** Why the request did not complete normally (`upstream_timeout`, `client_aborted`, a refusal's code…). */
  errorClass?: string;
  /** A routed request: its route, every attempt, and the target that answered (docs/routing.md). */
  routing?: RoutingRecord;
}

/**
 * One upstream attempt of a routed request, as the trace stores it (docs/traces.md, "Attempts"): the target
 * (provider, model, key name), what came of it (the status, or the failure: `connection_refused`, `response_timeout`…,
 * or `provider_key_missing`/`vault_unavailable` when its key could not be had and nothing was sent), how long it took
 * and the backoff waited before it.
 */
export interface AttemptRecord {
  readonly provider: string;
  readonly model: string;
  readonly key: string;
  readonly status: number | null;
  readonly failure: string | null;
  readonly latencyMs: number;
  readonly backoffMs: number;
}

/** A routed request's route and attempts, and the provider route of the attempt that answered (when one did). */
export interface RoutingRecord {
  readonly name: string;
  readonly attempts: readonly AttemptRecord[];
  readonly answered?: ResolvedRoute;
}
