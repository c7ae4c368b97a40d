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
import { formatOverhead } from '../steps/start-request';
import { batchTapFor } from './batch-results-tap';
import { createKeyMask, maskHeaders, type KeyMask } from './key-mask';
import { buildUpstreamHeaders, isClientResponseHeader } from './upstream-headers';
import { classifyUpstreamError, type UpstreamFailure } from './upstream-failure';
import type { UpstreamPools } from './upstream-pools';

/** How one proxied exchange ended; handed to `onComplete` exactly once. */
export interface ProxyOutcome extends RequestOutcome {
  context: AnyContext;
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
function tapFor(context: Ready, status: number, isSse: boolean, assembler: StreamEventAssembler | undefined): Tap {
  const { route } = context;
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

/**
 * One upstream exchange as an undici dispatch handler: the response is tapped (usage, first byte) and written to the
 * client chunk by chunk as it arrives, never buffered, with backpressure both ways; a client disconnect aborts the
 * upstream request; a failure before any response byte gets the contract's error, one after it ends the connection.
 */
class UpstreamExchange implements Dispatcher.DispatchHandler {
  #controller: Dispatcher.DispatchController | undefined;
  #status = 0;
  #stream = false;
  #firstByteAt: number | undefined;
  #overheadMs: number | undefined;
  #tap: Tap = NO_TAP;
  #mask: KeyMask | undefined;
  #observe: ((chunk: Buffer) => void) | undefined;
  #wroteBody = false;
  #done = false;
  #clientGone = false;

  constructor(
    private readonly context: Ready,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly onComplete: (outcome: ProxyOutcome) => void,
  ) {
    res.once('close', () => {
      if (this.#done) return;
      this.#clientGone = true;
      this.#controller?.abort(new ClientGoneError('the client closed the connection'));
      this.#finish({ errorClass: 'client_aborted', upstreamFailure: 'client_aborted' });
    });
    res.on('drain', () => this.#controller?.resume());
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#clientGone) controller.abort(new ClientGoneError('the client closed the connection'));
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    status: number,
    upstreamHeaders: IncomingHttpHeaders,
    statusMessage?: string,
  ): void {
    const { context, res } = this;
    const headersAt = performance.now();
    context.upstreamHeadersAt = headersAt;
    const contentType = upstreamHeaders['content-type'] ?? '';
    const isSse = contentType.includes('text/event-stream');
    this.#status = status;
    this.#stream = isSse;
    // Body capture keeps a bounded copy of the response (never delays or changes it): a stream's events as the tap
    // parses them, another body's bytes as they arrive.
    const capture = context.policy.capture;
    this.#tap = tapFor(context, status, isSse, isSse ? capture?.responseStream() : undefined);
    const stripped = isSse && context.prepared?.stripUsageChunk === true;

    // Vault mode: the provider key the gateway injected never reaches the client, even when an error echoes it.
    let headers = upstreamHeaders;
    const secret = context.upstreamCredential.injectedSecret();
    if (secret !== undefined && status >= 400) {
      headers = maskHeaders(headers, secret);
      if (!isSse) this.#mask = createKeyMask(secret);
    }
    if (!isSse) this.#observe = capture?.response(headers);

    const out: Record<string, string | string[]> = {};
    for (const name in headers) {
      const value = headers[name];
      if (value === undefined || !isClientResponseHeader(name, stripped)) continue;
      // X-Request-Id is the client's (or ours); the provider's id stays visible under its own name.
      if (name === 'x-request-id') out['x-navplane-upstream-request-id'] = value;
      else out[name] = value;
    }
    out['x-request-id'] = context.requestId;
    out['x-navplane-trace-id'] = context.traceId;
    this.#overheadMs = (context.preUpstreamMs ?? 0) + (performance.now() - headersAt);
    out['x-navplane-overhead-ms'] = formatOverhead(this.#overheadMs);
    res.writeHead(status, statusMessage === '' ? undefined : statusMessage, out);
    if (isSse) {
      // SSE headers go to the client at once, before the first event (which may be minutes away). When the first
      // chunk came with the headers it is written in this same tick and carries them; only alone are they flushed.
      process.nextTick(() => {
        if (!this.#wroteBody && !res.writableEnded && !res.destroyed) res.flushHeaders();
      });
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#firstByteAt ??= performance.now();
    this.#observe?.(chunk);
    if (this.#mask !== undefined) {
      this.#write(controller, this.#mask.push(chunk));
      return;
    }
    const rewritten = this.#tap.push(chunk);
    if (rewritten === undefined) this.#write(controller, chunk);
    else for (const part of rewritten) this.#write(controller, part);
  }

  onResponseEnd(controller: Dispatcher.DispatchController): void {
    if (this.#mask !== undefined) this.#write(controller, this.#mask.end());
    const rest = this.#tap.end();
    if (rest !== undefined) for (const part of rest) this.#write(controller, part);
    this.res.end();
    this.#finish({ status: this.#status });
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    if (this.#done) return;
    const { res, context } = this;
    if (this.#clientGone || res.destroyed) {
      this.#finish({ errorClass: 'client_aborted', upstreamFailure: 'client_aborted' });
      return;
    }
    const { failure, appError } = classifyUpstreamError(error);
    if (res.headersSent) {
      // Bytes already went to the client: end the connection, append nothing (docs/gateway.md, "Errors").
      res.destroy();
      this.#finish({ status: this.#status, errorClass: 'upstream_aborted', upstreamFailure: upstreamBroke(failure) });
      return;
    }
    this.#overheadMs = context.preUpstreamMs;
    if (this.#overheadMs !== undefined) res.setHeader('X-NavPlane-Overhead-Ms', formatOverhead(this.#overheadMs));
    res.setHeader('X-Request-Id', context.requestId);
    res.setHeader('X-NavPlane-Trace-Id', context.traceId);
    if (!this.req.complete) res.setHeader('Connection', 'close'); // the rest of an unread body is not waited for
    sendError(res, appError);
    this.#status = res.statusCode;
    this.#finish({ status: res.statusCode, errorClass: appError.code, upstreamFailure: failure });
  }

  #write(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#wroteBody = true;
    if (!this.res.write(chunk)) controller.pause();
  }

  #finish(patch: Partial<ProxyOutcome>): void {
    if (this.#done) return;
    this.#done = true;
    const { context } = this;
    const tapped = this.#tap.result();
    // The outcome is taken now; the trace, capture redaction and metrics run on the next tick, after the response's
    // last bytes (corked by `end()` until then) have gone to the socket.
    process.nextTick(this.onComplete, {
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
    } satisfies ProxyOutcome);
  }
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

/**
 * The proxy step: sends the request to its upstream target through that target's undici pool (the allowlisted
 * header set, the credential, the body as the pipeline left it) and streams the answer back.
 */
export function forwardUpstream(options: ForwardOptions): (context: Ready, exchange: Exchange) => void {
  const { pools, onComplete, onForward } = options;
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

  return function forwardToProvider(context, { req, res }) {
    const { route } = context;
    // A tenant endpoint (stored with the org's key) or the operator's base URL: asked of the credential, never of the
    // provider's id (docs/ARCHITECTURE.md, "Providers").
    const tenantBaseUrl = context.upstreamCredential.tenantBaseUrl();
    const target = targetOf(upstreamBaseUrl(route, tenantBaseUrl));
    const headers = buildUpstreamHeaders(
      req.headers,
      route.adapter.forwardedHeaderNames,
      context.upstreamCredential.headers(),
      context.body,
    );
    onForward?.(headers, context);
    // Under redact_upstream the policy may have rewritten the query (docs/policy.md, "What is inspected").
    const query = context.policy.upstreamQuery ?? context.rawQuery;
    const path = `${target.prefix}${route.pathSuffix}${query === '' ? '' : `?${query}`}`;
    const handler = new UpstreamExchange(context, req, res, onComplete);
    context.forwardedAt = performance.now();
    context.preUpstreamMs = context.forwardedAt - context.startedAt;
    pools
      .get(target.origin, tenantBaseUrl !== undefined)
      .dispatch({ path, method: context.method, headers, body: dispatchBody(context.body, req) }, handler);
  };
}
