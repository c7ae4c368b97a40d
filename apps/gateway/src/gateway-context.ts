import type { AuthenticatedKey } from '@navplane/auth';
import type { PreparedRequest, ResolvedRoute, Usage } from '@navplane/providers';
import type { Response } from 'express';
import type { PolicyState } from './policy/policy-state';
import type { UpstreamFailure } from './proxy/upstream-failure';

/** Lineage ids a client may send (CONTRACT §3). */
export interface Lineage {
  traceGroup: string | null;
  threadId: string | null;
  runId: string | null;
  parentTraceId: string | null;
}

/** Everything the gateway learns about one proxied request, in the order it learns it. */
export interface GatewayContext {
  readonly traceId: string;
  readonly requestId: string;
  readonly method: string;
  /** The path the client called (no query): recorded when no provider route matched. */
  readonly path: string;
  /** performance.now() when the request reached the gateway. */
  readonly startedAt: number;
  /** Wall-clock start (ms since epoch) for the trace. */
  readonly startedAtMs: number;
  route?: ResolvedRoute;
  key?: AuthenticatedKey;
  credentialMode?: 'vault' | 'passthrough';
  /** The body the gateway read (only when it had to), and what the adapter made of it. */
  body?: Buffer;
  prepared?: PreparedRequest;
  model?: string;
  lineage?: Lineage;
  /** The policy in force, what it did, and body capture (set after authentication). */
  policy?: PolicyState;
  /** performance.now() when the upstream request was handed to the socket. */
  forwardedAt?: number;
  /** performance.now() when upstream response headers arrived. */
  upstreamHeadersAt?: number;
  /** Time spent in the gateway before forwarding, ms. */
  preUpstreamMs?: number;
}

/** The gateway context of a response (set by the first gateway middleware). */
export function contextOf(res: Response): GatewayContext {
  return res.locals['gateway'] as GatewayContext;
}

/** How a request ended: what metrics, the access log and the trace record of it. */
export interface RequestOutcome {
  /** The status the client got (0 when the client left before any response). */
  status: number;
  stream: boolean;
  usage?: Usage;
  /** The model the provider reported (or the one requested). */
  model?: string;
  /** ms from arrival to the first response body byte from the provider. */
  ttfbMs?: number;
  latencyMs: number;
  overheadMs?: number;
  upstreamFailure?: UpstreamFailure;
  /** Why the request did not complete normally (`upstream_timeout`, `client_aborted`, a refusal's code…). */
  errorClass?: string;
}
