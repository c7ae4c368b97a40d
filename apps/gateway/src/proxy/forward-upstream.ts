import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import { AppError } from '@navplane/core';
import { sendError } from '@navplane/http';
import {
  createJsonTap,
  createStreamTap,
  type BatchResultsRead,
  type ResolvedRoute,
  type StreamEventAssembler,
  type Usage,
} from '@navplane/providers';
import type { Dispatcher } from 'undici';
import type { AnyContext, Ready, RequestOutcome, UpstreamBody } from '../gateway-context';
import type { Exchange } from '../pipeline/pipeline';
import type { UpstreamCredential } from '../pipeline/upstream-credential';
import { formatOverhead } from '../steps/start-request';
import { batchTapFor } from './batch-results-tap';
import { createKeyMask, maskHeaders, type KeyMask } from './key-mask';
import { buildUpstreamHeaders, isClientResponseHeader } from './upstream-headers';
import { classifyUpstreamError, type UpstreamFailure } from './upstream-failure';
import type { UpstreamPools } from './upstream-pools';
import type { AttemptResult, AttemptTelemetry } from '../telemetry/request-telemetry';

/** How one proxied exchange ended; handed to `onComplete` exactly once. */
export interface ProxyOutcome extends RequestOutcome {
  context: AnyContext;
}

/**
 * One upstream exchange of a request: where it goes (the provider route: adapter, path suffix, operator base URL), with
 * which credential, and — for a routed request — the gate that decides whether its answer is delivered or the route
 * moves on (docs/routing.md). A request that is not routed has one attempt: its own route and credential, no gate.
 */
export interface AttemptSpec {
  readonly target: ResolvedRoute;
  readonly credential: UpstreamCredential;
  /** The body bytes of this attempt (a routed request's `model` rewritten), else the context's body. */
  readonly body?: UpstreamBody;
  /** Per-attempt response-header timeout (routed requests: the attempt bound and the request's deadline), ms. */
  readonly headersTimeoutMs?: number;
  /** The model this attempt asks its target for (a routed target's), for its client span (docs/observability.md). */
  readonly model?: string;
  readonly gate?: AttemptGate;
}

/**
 * What a routed request's attempt asks its route before it answers the client. Nothing reaches the client before the
 * first response body byte (or the end of an empty body): until then a failure can still move on to another attempt.
 */
export interface AttemptGate {
  /** The response head arrived: true to drop it and move on (a failure in `retry.on` with an attempt left). */
  retryOnHead(status: number, headers: IncomingHttpHeaders): boolean;
  /** The attempt failed before any byte reached the client: true when the route moves on (the exchange stays silent). */
  retryOnFailure(failure: UpstreamFailure): boolean;
  /** Headers of the client's answer (`X-NavPlane-Attempts`, `X-NavPlane-Upstream`). */
  headers(): Record<string, string>;
  /** What the outcome adds (the route, its attempts); called once when the answered exchange ends, with its outcome. */
  complete(outcome: ProxyOutcome): ProxyOutcome;
  /** The client left while this attempt was under way. */
  clientGone(): void;
  /** The model-listing rewrite of this answer (route names appended), when the request lists models. */
  readonly rewriteJson?: (json: unknown) => unknown;
}

/** Options of forwardUpstream. */
export interface ForwardOptions {
  /** The upstream pools (one per target origin). */
  pools: UpstreamPools;
  /** Told once per exchange how it ended (trace + metrics); must not throw or block. */
  onComplete: (outcome: ProxyOutcome) => void;
  /** Called with the upstream header set before forwarding (debug logging; the log scrubs secrets). */
  onForward?: (headers: Readonly<Record<string, string | string[]>>, context: Ready) => void;
}

/** Where a route's requests go: the pool's origin and the base URL's path prefix (`https://host/prefix`). */
interface Target {
  readonly origin: string;
  readonly prefix: string;
}

/** Thrown into undici when the client left: the upstream request is cut. */
class ClientGoneError extends Error {
  readonly code = 'NAVPLANE_CLIENT_GONE';
}

type Tap = {
  push(chunk: Buffer): Buffer[] | undefined;
  end(): Buffer[] | undefined;
  result(): { usage?: Usage; model?: string; batch?: BatchResultsRead };
};

const NO_TAP: Tap = { push: () => undefined, end: () => undefined, result: () => ({}) };

/**
 * The tap of one response: SSE (usage, maybe the injected usage chunk stripped, and body capture's assembler fed from
 * the same parse), JSON usage, batch results (docs/traces.md, "Batch usage"), or none.
 */
function tapFor(context: Ready, route: ResolvedRoute, status: number, isSse: boolean, assembler: StreamEventAssembler | undefined): Tap {
  if (isSse) {
    const tap = createStreamTap({ adapter: route.adapter, stripUsageChunk: context.prepared?.stripUsageChunk === true, assembler });
    return { push: (chunk) => tap.push(chunk), end: () => tap.end(), result: () => tap.result() };
  }
  if (status >= 200 && status < 300 && route.adapter.reportsUsage(context.method, route.pathSuffix)) {
    const tap = createJsonTap({ adapter: route.adapter, method: context.method, pathSuffix: route.pathSuffix });
    return {
      push: (chunk) => {
        tap.push(chunk);
        return undefined;
      },
      end: () => undefined,
      result: () => tap.result(),
    };
  }
  return batchTapFor(context, status) ?? NO_TAP;
}

/** Bodies over this are passed on unchanged rather than buffered for a model-listing rewrite. */
const MAX_LISTING_BYTES = 8 * 1024 * 1024;

/**
 * A tap that holds a JSON body whole and hands on its rewrite at the end (the model listing with the org's route names:
 * docs/routing.md). A body that is too large, or not JSON the rewrite understands, goes on unchanged. The response's
 * `content-length` is dropped (the body changes length).
 */
function rewritingTap(rewrite: (json: unknown) => unknown): Tap {
  const chunks: Buffer[] = [];
  let size = 0;
  let passing = false;
  return {
    push(chunk) {
      if (passing) return undefined;
      chunks.push(chunk);
      size += chunk.length;
      if (size <= MAX_LISTING_BYTES) return [];
      passing = true;
      return chunks.splice(0);
    },
    end() {
      if (passing) return undefined;
      const whole = Buffer.concat(chunks);
      try {
        const rewritten = rewrite(JSON.parse(whole.toString('utf8')));
        return [rewritten === undefined ? whole : Buffer.from(JSON.stringify(rewritten), 'utf8')];
      } catch {
        return [whole];
      }
    },
    result: () => ({}),
  };
}

/** Thrown into undici when a routed attempt's answer is dropped for the next attempt. */
class MovedOnError extends Error {
  readonly code = 'NAVPLANE_MOVED_ON';
}

/** The response head of a routed attempt, held until its first body byte (or its end): nothing is sent before. */
interface HeldHead {
  readonly status: number;
  readonly statusMessage: string | undefined;
  readonly headers: Record<string, string | string[]>;
}

/** What an exchange works on while it is under way. */
interface Live {
  readonly context: Ready;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly onComplete: (outcome: ProxyOutcome) => void;
  readonly spec: AttemptSpec;
  readonly attempt: AttemptTelemetry | undefined;
}

/**
 * One upstream exchange as an undici dispatch handler: the response is tapped (usage, first byte) and written to the
 * client chunk by chunk as it arrives, never buffered, with backpressure both ways; a client disconnect aborts the
 * upstream request; a failure before any response byte gets the contract's error, one after it ends the connection.
 * A routed attempt (`AttemptSpec.gate`) holds its response head until the first body byte, so a failure before it can
 * still move on to the next attempt without the client seeing anything.
 *
 * An exchange that has ended lets go of the request (`#live`, the tap, undici's controller): whatever still refers to
 * the handler for a while (undici's bookkeeping, old-generation objects the young-generation GC must treat as live)
 * then keeps a few fields alive, not the request's whole object graph. Holding it cost every request a promotion to
 * the old generation and every scavenge milliseconds of copying (docs/performance.md, "Garbage collection").
 */
class UpstreamExchange implements Dispatcher.DispatchHandler {
  /** Until the exchange ends (finished, or dropped for the route's next attempt); undefined after. */
  #live: Live | undefined;
  #controller: Dispatcher.DispatchController | undefined;
  #status = 0;
  /** The provider's status (0 until a response head arrived), for the attempt's span. */
  #upstreamStatus = 0;
  #stream = false;
  #firstByteAt: number | undefined;
  #overheadMs: number | undefined;
  #tap: Tap = NO_TAP;
  #mask: KeyMask | undefined;
  #observe: ((chunk: Buffer) => void) | undefined;
  #held: HeldHead | undefined;
  #wroteBody = false;
  #clientGone = false;
  readonly #onClose: () => void;
  readonly #onDrain: () => void;

  constructor(live: Live) {
    this.#live = live;
    this.#onClose = () => {
      const current = this.#live;
      if (current === undefined) return;
      this.#clientGone = true;
      this.#controller?.abort(new ClientGoneError('the client closed the connection'));
      current.spec.gate?.clientGone();
      this.#finish(current, { errorClass: 'client_aborted', upstreamFailure: 'client_aborted' });
    };
    this.#onDrain = () => this.#controller?.resume();
    const { res } = live;
    res.once('close', this.#onClose);
    res.on('drain', this.#onDrain);
    // The client left while an earlier step was still working (its 'close' came before this listener): the exchange
    // ends now as client_aborted (the upstream request is cut as it starts), so its completion — the trace, the limits
    // lease — is not left waiting for the upstream's body timeout.
    if (res.destroyed) this.#onClose();
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.#clientGone) {
      controller.abort(new ClientGoneError('the client closed the connection'));
      return;
    }
    if (this.#live !== undefined) this.#controller = controller;
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    status: number,
    upstreamHeaders: IncomingHttpHeaders,
    statusMessage?: string,
  ): void {
    const live = this.#live;
    if (live === undefined) return;
    const { context, res, spec } = live;
    const headersAt = performance.now();
    context.upstreamHeadersAt = headersAt;
    const gate = spec.gate;
    this.#upstreamStatus = status;
    if (gate?.retryOnHead(status, upstreamHeaders) === true) {
      // Dropped for the next attempt: nothing of it reaches the client (or the trace's usage).
      this.#quit(live, { status, movedOn: true });
      controller.abort(new MovedOnError('the route moved on to its next attempt'));
      return;
    }
    const contentType = upstreamHeaders['content-type'] ?? '';
    const isSse = contentType.includes('text/event-stream');
    this.#status = status;
    this.#stream = isSse;
    // Body capture keeps a bounded copy of the response (never delays or changes it): a stream's events as the tap
    // parses them, another body's bytes as they arrive.
    const capture = context.policy.capture;
    const rewrite = gate?.rewriteJson;
    const rewrites = rewrite !== undefined && !isSse && status >= 200 && status < 300 && contentType.includes('json');
    this.#tap = rewrites
      ? rewritingTap(rewrite)
      : tapFor(context, spec.target, status, isSse, isSse ? capture?.responseStream() : undefined);
    const stripped = (isSse && context.prepared?.stripUsageChunk === true) || rewrites;

    // Vault mode: the provider key the gateway injected never reaches the client, even when an error echoes it.
    let headers = upstreamHeaders;
    const secret = spec.credential.injectedSecret();
    if (secret !== undefined && status >= 400) {
      headers = maskHeaders(headers, secret);
      if (!isSse) this.#mask = createKeyMask(secret);
    }
    if (!isSse) this.#observe = capture?.response(headers);

    // Under a NavPlane limit, its x-ratelimit-* headers replace every one of the provider's (docs/limits.md, "Counting").
    const limitHeaders = context.rateLimitHeaders;
    const out: Record<string, string | string[]> = {};
    for (const name in headers) {
      const value = headers[name];
      if (value === undefined || !isClientResponseHeader(name, stripped)) continue;
      if (limitHeaders !== undefined && name.startsWith('x-ratelimit-')) continue;
      // X-Request-Id is the client's (or ours); the provider's id stays visible under its own name.
      if (name === 'x-request-id') out['x-navplane-upstream-request-id'] = value;
      else out[name] = value;
    }
    if (limitHeaders !== undefined) Object.assign(out, limitHeaders);
    out['x-request-id'] = context.requestId;
    out['x-navplane-trace-id'] = context.traceId;
    this.#overheadMs = (context.preUpstreamMs ?? 0) + (performance.now() - headersAt);
    out['x-navplane-overhead-ms'] = formatOverhead(this.#overheadMs);
    const message = statusMessage === '' ? undefined : statusMessage;
    if (gate !== undefined) {
      // Held until the first body byte: a failure before it may still move on.
      this.#held = { status, statusMessage: message, headers: out };
      return;
    }
    res.writeHead(status, message, out);
    if (isSse) {
      // SSE headers go to the client at once, before the first event (which may be minutes away). When the first
      // chunk came with the headers it is written in this same tick and carries them; only alone are they flushed.
      process.nextTick(() => {
        if (!this.#wroteBody && !res.writableEnded && !res.destroyed) res.flushHeaders();
      });
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    const live = this.#live;
    if (live === undefined) return;
    this.#firstByteAt ??= performance.now();
    this.#observe?.(chunk);
    if (this.#mask !== undefined) {
      this.#write(live, controller, this.#mask.push(chunk));
      return;
    }
    const rewritten = this.#tap.push(chunk);
    if (rewritten === undefined) this.#write(live, controller, chunk);
    else for (const part of rewritten) this.#write(live, controller, part);
  }

  onResponseEnd(controller: Dispatcher.DispatchController): void {
    const live = this.#live;
    if (live === undefined) return;
    if (this.#mask !== undefined) this.#write(live, controller, this.#mask.end());
    const rest = this.#tap.end();
    if (rest !== undefined) for (const part of rest) this.#write(live, controller, part);
    this.#commit(live);
    live.res.end();
    this.#finish(live, { status: this.#status });
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    const live = this.#live;
    if (live === undefined) return;
    const { res, context, spec } = live;
    if (this.#clientGone || res.destroyed) {
      spec.gate?.clientGone();
      this.#finish(live, { errorClass: 'client_aborted', upstreamFailure: 'client_aborted' });
      return;
    }
    const { failure, appError } = classifyUpstreamError(error);
    if (res.headersSent) {
      // Bytes already went to the client: end the connection, append nothing (docs/gateway.md, "Errors").
      res.destroy();
      this.#finish(live, { status: this.#status, errorClass: 'upstream_aborted', upstreamFailure: upstreamBroke(failure) });
      return;
    }
    // Nothing reached the client yet: a routed request may move on (a held head is dropped).
    const early = this.#held === undefined ? failure : upstreamBroke(failure);
    if (spec.gate?.retryOnFailure(early) === true) {
      this.#quit(live, { failure: early, movedOn: true });
      return;
    }
    this.#held = undefined;
    this.#overheadMs = context.preUpstreamMs;
    answerError(context, live.req, res, appError, this.#overheadMs, spec.gate?.headers());
    this.#status = res.statusCode;
    this.#finish(live, { status: res.statusCode, errorClass: appError.code, upstreamFailure: early });
  }

  /** Writes the held response head (a routed attempt's), with the route's headers. */
  #commit(live: Live): void {
    const held = this.#held;
    if (held === undefined) return;
    this.#held = undefined;
    const extra = live.spec.gate?.headers();
    const headers = extra === undefined ? held.headers : { ...held.headers, ...extra };
    live.res.writeHead(held.status, held.statusMessage, headers);
  }

  #write(live: Live, controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#commit(live);
    this.#wroteBody = true;
    if (!live.res.write(chunk)) controller.pause();
  }

  /** Ends this exchange without a word to the client (a routed request moved on): no outcome is reported. */
  #quit(live: Live, result: AttemptResult): void {
    live.attempt?.end(result);
    this.#release(live);
  }

  #finish(live: Live, patch: Partial<ProxyOutcome>): void {
    const { context, attempt, spec } = live;
    const tapped = this.#tap.result();
    this.#release(live);
    const outcome: ProxyOutcome = {
      context,
      status: this.#status,
      stream: this.#stream,
      usage: tapped.usage,
      model: tapped.model ?? context.model ?? context.requestModel?.model(),
      ...(tapped.batch === undefined ? {} : { batchResults: tapped.batch }),
      ttfbMs: this.#firstByteAt === undefined ? undefined : this.#firstByteAt - context.startedAt,
      latencyMs: performance.now() - context.startedAt,
      overheadMs: this.#overheadMs,
      ...patch,
    };
    if (attempt !== undefined) {
      const requestModel = context.model ?? context.requestModel?.model();
      attempt.end({
        ...(this.#upstreamStatus === 0 ? {} : { status: this.#upstreamStatus }),
        ...(outcome.upstreamFailure === undefined ? {} : { failure: outcome.upstreamFailure }),
        ...(outcome.usage === undefined ? {} : { usage: outcome.usage }),
        ...(tapped.model === undefined ? {} : { model: tapped.model }),
        ...(requestModel === undefined ? {} : { requestModel }),
      });
    }
    // The outcome is taken now; the trace, capture redaction and metrics run on the next tick, after the response's
    // last bytes (corked by `end()` until then) have gone to the socket.
    process.nextTick(live.onComplete, spec.gate === undefined ? outcome : spec.gate.complete(outcome));
  }

  /** The exchange has ended: its listeners leave the response, and it lets go of everything of the request. */
  #release(live: Live): void {
    live.res.off('close', this.#onClose);
    live.res.off('drain', this.#onDrain);
    this.#live = undefined;
    this.#controller = undefined;
    this.#tap = NO_TAP;
    this.#mask = undefined;
    this.#observe = undefined;
    this.#held = undefined;
  }
}

/**
 * The contract's JSON error for a request the gateway answers itself after the pipeline (an upstream that failed, no
 * healthy target), with the request's ids, its overhead and `extra` headers (a routed request's).
 */
export function answerError(
  context: Ready,
  req: IncomingMessage,
  res: ServerResponse,
  error: AppError,
  overheadMs: number | undefined,
  extra?: Record<string, string>,
): void {
  if (overheadMs !== undefined) res.setHeader('X-NavPlane-Overhead-Ms', formatOverhead(overheadMs));
  setRateLimitHeaders(res, context);
  res.setHeader('X-Request-Id', context.requestId);
  res.setHeader('X-NavPlane-Trace-Id', context.traceId);
  if (extra !== undefined) for (const name in extra) res.setHeader(name, extra[name] as string);
  if (!req.complete) res.setHeader('Connection', 'close'); // the rest of an unread body is not waited for
  sendError(res, error);
}

/** Sets the request's `x-ratelimit-*` headers (docs/limits.md) on an answer the gateway writes itself, when a limit applies. */
export function setRateLimitHeaders(res: ServerResponse, context: Pick<AnyContext, 'rateLimitHeaders'>): void {
  const headers = context.rateLimitHeaders;
  if (headers !== undefined) for (const name in headers) res.setHeader(name, headers[name] ?? '');
}

/** A broken response body is `upstream_aborted` unless it was a timeout (the body went silent too long). */
function upstreamBroke(failure: UpstreamFailure): UpstreamFailure {
  return failure === 'response_timeout' ? 'response_timeout' : 'upstream_aborted';
}

/** The request body as undici sends it: bytes, nothing, or the client's stream behind a stream of its own. */
function dispatchBody(body: UpstreamBody, req: IncomingMessage): Buffer | Readable | null {
  if (body.kind === 'bytes') return body.bytes.length === 0 ? null : body.bytes;
  if (body.kind === 'none') return null;
  // undici destroys the stream it was given when the upstream fails; a stream of our own keeps the client's
  // connection alive long enough to be told why (502/504 instead of a reset).
  const relay = new PassThrough();
  if (body.observe !== undefined) req.on('data', body.observe); // attached with the pipe: both see every chunk
  req.pipe(relay);
  return relay;
}

/** The base URL a request goes to: the tenant's (its provider's endpoint is the tenant's), else the operator's. */
function upstreamBaseUrl(route: ResolvedRoute, tenantBaseUrl: string | undefined): string {
  const baseUrl = route.adapter.tenantBaseUrl === 'required' ? tenantBaseUrl : route.baseUrl;
  // The credential step refuses a tenant-endpoint request without a stored base URL: reaching here without one is a bug.
  if (baseUrl === undefined) throw new AppError('internal_error', `provider ${route.adapter.id}: no base URL for this request`);
  return baseUrl;
}

/** Sends one attempt of a request upstream; the exchange reports to `onComplete` (or, routed, to its gate). */
export type DispatchAttempt = (context: Ready, exchange: Exchange, spec: AttemptSpec) => void;

/**
 * How a request served by a route of the org's routing table is forwarded (routing/routed-request.ts): given the
 * dispatch of one attempt, it runs the attempts.
 */
export type RoutedForwarder = (context: Ready, exchange: Exchange, dispatch: DispatchAttempt) => void;

/**
 * The proxy step: sends the request to its upstream target through that target's undici pool (the allowlisted
 * header set, the credential, the body as the pipeline left it) and streams the answer back. A request served by a
 * route of the org's routing table (`context.modelRoute`) goes to `routed`, which tries its targets.
 */
export function forwardUpstream(options: ForwardOptions & { routed?: RoutedForwarder }): (context: Ready, exchange: Exchange) => void {
  const { pools, onComplete, onForward, routed } = options;
  // Bounded: tenant base URLs are tenant data, so the memo of parsed URLs is cleared rather than left to grow.
  const targets = new Map<string, Target>();
  const targetOf = (baseUrl: string): Target => {
    let target = targets.get(baseUrl);
    if (target === undefined) {
      const url = new URL(baseUrl);
      target = { origin: url.origin, prefix: url.pathname === '/' ? '' : url.pathname };
      if (targets.size >= 10_000) targets.clear();
      targets.set(baseUrl, target);
    }
    return target;
  };

  const dispatch: DispatchAttempt = (context, { req, res }, spec) => {
    const route = spec.target;
    // A tenant endpoint (stored with the org's key) or the operator's base URL: asked of the credential, never of the
    // provider's id (docs/ARCHITECTURE.md, "Providers").
    const tenantBaseUrl = spec.credential.tenantBaseUrl();
    const target = targetOf(upstreamBaseUrl(route, tenantBaseUrl));
    const body = spec.body ?? context.body;
    const headers = buildUpstreamHeaders(req.headers, route.adapter.forwardedHeaderNames, spec.credential.headers(), body);
    // OpenTelemetry on: this attempt's client span, whose `traceparent` goes upstream (docs/observability.md).
    const attempt = context.otel?.attempt(route, context.method, spec.model ?? context.model, `${target.origin}${target.prefix}`);
    attempt?.inject(headers);
    onForward?.(headers, context);
    // Under redact_upstream the policy may have rewritten the query (docs/policy.md, "What is inspected").
    const query = context.policy.upstreamQuery ?? context.rawQuery;
    const path = `${target.prefix}${route.pathSuffix}${query === '' ? '' : `?${query}`}`;
    const handler = new UpstreamExchange({ context, req, res, onComplete, spec, attempt });
    context.forwardedAt = performance.now();
    context.preUpstreamMs ??= context.forwardedAt - context.startedAt;
    pools.get(target.origin, tenantBaseUrl !== undefined).dispatch(
      {
        path,
        method: context.method,
        headers,
        body: dispatchBody(body, req),
        ...(spec.headersTimeoutMs === undefined ? {} : { headersTimeout: spec.headersTimeoutMs }),
      },
      handler,
    );
  };

  return function forwardToProvider(context, exchange) {
    if (context.modelRoute !== undefined && routed !== undefined) {
      routed(context, exchange, dispatch);
      return;
    }
    if (context.listedRoutes !== undefined) {
      const listing = context.route.adapter.modelListing;
      const names = context.listedRoutes;
      if (listing !== undefined) {
        dispatch(context, exchange, {
          target: context.route,
          credential: context.upstreamCredential,
          gate: listingGate((json) => listing.append(json, names)),
        });
        return;
      }
    }
    dispatch(context, exchange, { target: context.route, credential: context.upstreamCredential });
  };
}

/** The gate of a model listing: one attempt, always delivered, its JSON answer rewritten (route names appended). */
function listingGate(rewriteJson: (json: unknown) => unknown): AttemptGate {
  return {
    retryOnHead: () => false,
    retryOnFailure: () => false,
    headers: () => ({}),
    complete: (outcome) => outcome,
    clientGone: () => undefined,
    rewriteJson,
  };
}
