import { Agent as HttpAgent, type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Socket } from 'node:net';
import { sendError } from '@navplane/http';
import {
  createJsonTap,
  createStreamTap,
  splitRequestUrl,
  type ProviderId,
  type ProviderRegistry,
  type Usage,
} from '@navplane/providers';
import type { Request, RequestHandler, Response } from 'express';
import { createProxyMiddleware, type RequestHandler as ProxyHandler } from 'http-proxy-middleware';
import { contextOf, type GatewayContext, type RequestOutcome } from '../gateway-context';
import { formatOverhead } from '../middleware/start-request.middleware';
import { buildUpstreamHeaders, clientResponseHeaders } from './upstream-headers';
import { classifyUpstreamError, CONNECT_TIMEOUT, HEADERS_TIMEOUT, timerError } from './upstream-failure';

/** How one proxied exchange ended; handed to `onComplete` exactly once. */
export interface ProxyOutcome extends RequestOutcome {
  context: GatewayContext;
}

/** Options of proxyToProvider. */
export interface ProviderProxyOptions {
  registry: ProviderRegistry;
  /** NAVPLANE_UPSTREAM_CONNECT_TIMEOUT_MS (502 `upstream_unreachable` when exceeded). */
  connectTimeoutMs: number;
  /** NAVPLANE_UPSTREAM_TIMEOUT_MS: longest wait for response headers (504 `upstream_timeout`). */
  upstreamTimeoutMs: number;
  /** Told once per exchange how it ended (trace + metrics); must not throw or block. */
  onComplete: (outcome: ProxyOutcome) => void;
  /** Most open sockets per provider host (default 256). */
  maxSocketsPerHost?: number;
  /** Called with the upstream header set before forwarding (debug logging; the log scrubs secrets). */
  onForward?: (headers: Record<string, unknown>, context: GatewayContext) => void;
}

interface Exchange {
  proxyReq?: ClientRequest;
  connectTimer?: NodeJS.Timeout;
  headersTimer?: NodeJS.Timeout;
  status: number;
  stream: boolean;
  firstByteAt?: number;
  overheadMs?: number;
  tapResult?: () => { usage?: Usage; model?: string };
  done: boolean;
}

const EXCHANGE = Symbol('navplane.exchange');
type WithExchange = IncomingMessage & { [EXCHANGE]?: Exchange };

function exchangeOf(req: IncomingMessage): Exchange {
  const holder = req as WithExchange;
  holder[EXCHANGE] ??= { status: 0, stream: false, done: false };
  return holder[EXCHANGE];
}

/**
 * The proxy step: one http-proxy-middleware instance per provider (fixed target, keep-alive agent),
 * the allowlisted upstream header set, connect and response-header timeouts, and a self-handled
 * response that is tapped (usage, first byte) and flushed chunk by chunk — never buffered. A client
 * disconnect aborts the upstream request; partial usage is still reported.
 */
export function proxyToProvider(options: ProviderProxyOptions): RequestHandler {
  const { registry, connectTimeoutMs, upstreamTimeoutMs, onComplete } = options;
  const maxSockets = options.maxSocketsPerHost ?? 256;

  const finish = (req: IncomingMessage, res: ServerResponse, patch: Partial<ProxyOutcome>) => {
    const exchange = exchangeOf(req);
    if (exchange.done) return;
    exchange.done = true;
    clearTimeout(exchange.connectTimer);
    clearTimeout(exchange.headersTimer);
    const context = contextOf(res as Response);
    const tapped = exchange.tapResult?.();
    const now = performance.now();
    onComplete({
      context,
      status: exchange.status,
      stream: exchange.stream,
      usage: tapped?.usage,
      model: tapped?.model ?? context.model,
      ttfbMs: exchange.firstByteAt === undefined ? undefined : exchange.firstByteAt - context.startedAt,
      latencyMs: now - context.startedAt,
      overheadMs: exchange.overheadMs,
      ...patch,
    });
  };

  const onProxyReq = (proxyReq: ClientRequest, req: IncomingMessage, res: ServerResponse) => {
    const context = contextOf(res as Response);
    const exchange = exchangeOf(req);
    exchange.proxyReq = proxyReq;
    context.forwardedAt = performance.now();
    context.preUpstreamMs = context.forwardedAt - context.startedAt;

    const socket = proxyReq.socket as Socket | null;
    if (socket?.connecting) {
      exchange.connectTimer = setTimeout(() => proxyReq.destroy(timerError(CONNECT_TIMEOUT)), connectTimeoutMs);
      socket.once('connect', () => clearTimeout(exchange.connectTimer));
    }
    exchange.headersTimer = setTimeout(() => proxyReq.destroy(timerError(HEADERS_TIMEOUT)), upstreamTimeoutMs);

    res.once('close', () => {
      if (!res.writableFinished && !exchange.done) {
        proxyReq.destroy();
        finish(req, res, { errorClass: 'client_aborted', upstreamFailure: 'client_aborted' });
      }
    });
  };

  const onProxyRes = (proxyRes: IncomingMessage, req: IncomingMessage, res: ServerResponse) => {
    const context = contextOf(res as Response);
    const exchange = exchangeOf(req);
    clearTimeout(exchange.headersTimer);
    const headersAt = performance.now();
    context.upstreamHeadersAt = headersAt;
    const route = context.route;
    const status = proxyRes.statusCode ?? 502;
    const contentType = proxyRes.headers['content-type'] ?? '';
    const isSse = contentType.includes('text/event-stream');
    const provider = route?.adapter.id as ProviderId;
    const strip = isSse && context.prepared?.stripUsageChunk === true;

    let push: (chunk: Buffer) => Buffer[] | undefined;
    let end: () => Buffer[] | undefined;
    if (isSse) {
      const tap = createStreamTap({ provider, stripUsageChunk: strip });
      push = (chunk) => tap.push(chunk);
      end = () => tap.end();
      exchange.tapResult = () => tap.result();
    } else if (status >= 200 && status < 300 && route !== undefined && route.adapter.reportsUsage(req.method ?? 'GET', route.pathSuffix)) {
      const tap = createJsonTap({ provider, pathSuffix: route.pathSuffix });
      push = (chunk) => {
        tap.push(chunk);
        return undefined;
      };
      end = () => undefined;
      exchange.tapResult = () => tap.result();
    } else {
      push = () => undefined;
      end = () => undefined;
    }
    exchange.status = status;
    exchange.stream = isSse;
    // Body capture keeps a bounded copy of what the client is sent (never delays or changes it).
    const observe = context.policy?.capture?.response(proxyRes.headers, isSse);

    for (const [name, value] of clientResponseHeaders(proxyRes.rawHeaders, { bodyRewritten: strip })) {
      const lower = name.toLowerCase();
      if (lower === 'x-request-id') {
        // X-Request-Id is the client's (or ours); the provider's id stays visible under its own name.
        res.setHeader('X-NavPlane-Upstream-Request-Id', value);
        continue;
      }
      const existing = res.getHeader(name);
      if (existing === undefined) res.setHeader(name, value);
      else res.setHeader(name, Array.isArray(existing) ? [...existing, value] : [String(existing), value]);
    }
    res.setHeader('X-Request-Id', context.requestId);
    res.setHeader('X-NavPlane-Trace-Id', context.traceId);
    exchange.overheadMs = (context.preUpstreamMs ?? 0) + (performance.now() - headersAt);
    res.setHeader('X-NavPlane-Overhead-Ms', formatOverhead(exchange.overheadMs));
    res.writeHead(status, proxyRes.statusMessage);

    let wroteBody = false;
    const write = (chunks: Buffer[] | undefined, original: Buffer | undefined) => {
      if (chunks === undefined) {
        if (original === undefined) return;
        wroteBody = true;
        if (!res.write(original)) proxyRes.pause();
        return;
      }
      for (const chunk of chunks) {
        wroteBody = true;
        if (!res.write(chunk)) proxyRes.pause();
      }
    };
    res.on('drain', () => proxyRes.resume());

    let ended = false;
    const complete = () => {
      if (ended) return;
      ended = true;
      write(end(), undefined);
      res.end();
      finish(req, res, { status });
    };
    proxyRes.on('data', (chunk: Buffer) => {
      exchange.firstByteAt ??= performance.now();
      write(push(chunk), chunk);
      observe?.(chunk);
      // The whole response is in and this was its last chunk: end now, so the end of the body (the chunked
      // terminator) leaves in the same socket write as the body instead of one more a tick later.
      if (proxyRes.complete && proxyRes.readableLength === 0) complete();
    });
    proxyRes.once('end', complete);
    if (isSse) {
      // SSE headers go to the client at once, before the first event (which may be minutes away). The chunks that
      // came with the headers are emitted on the tick `on('data')` just queued, and the first of them carries the
      // headers in its own write; only when there was none are the headers flushed alone.
      process.nextTick(() => {
        if (!wroteBody && !res.writableEnded && !res.destroyed) res.flushHeaders();
      });
    }
    const upstreamBroke = () => {
      if (exchange.done) return;
      // Bytes already went to the client: end the connection, append nothing (CONTRACT §3).
      res.destroy();
      finish(req, res, { status, errorClass: 'upstream_aborted', upstreamFailure: 'upstream_aborted' });
    };
    proxyRes.once('aborted', upstreamBroke);
    proxyRes.once('error', upstreamBroke);
  };

  const onError = (error: Error, req: IncomingMessage, res: ServerResponse | Socket) => {
    if (!('setHeader' in res)) return;
    const exchange = exchangeOf(req);
    if (exchange.done) return;
    if ((req.socket as Socket).destroyed) {
      finish(req, res, { errorClass: 'client_aborted', upstreamFailure: 'client_aborted' });
      return;
    }
    const { failure, appError } = classifyUpstreamError(error);
    if (res.headersSent) {
      res.destroy();
      finish(req, res, { status: exchange.status, errorClass: 'upstream_aborted', upstreamFailure: failure });
      return;
    }
    const context = contextOf(res as Response);
    exchange.overheadMs = context.preUpstreamMs;
    if (exchange.overheadMs !== undefined) res.setHeader('X-NavPlane-Overhead-Ms', formatOverhead(exchange.overheadMs));
    sendError(res as Response, appError);
    exchange.status = res.statusCode;
    finish(req, res, { status: res.statusCode, errorClass: appError.code, upstreamFailure: failure });
  };

  const proxies = new Map<ProviderId, ProxyHandler<Request, Response>>();
  for (const adapter of registry.adapters) {
    const target = registry.baseUrl(adapter.id);
    const agentOptions = { keepAlive: true, maxSockets, maxFreeSockets: 64, scheduling: 'lifo' as const };
    const agent = target.startsWith('https:') ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
    proxies.set(
      adapter.id,
      createProxyMiddleware<Request, Response>({
        target,
        changeOrigin: true,
        xfwd: false,
        agent,
        selfHandleResponse: true,
        ejectPlugins: true,
        plugins: [
          (proxyServer) => {
            proxyServer.on('proxyReq', onProxyReq);
            proxyServer.on('proxyRes', onProxyRes);
            proxyServer.on('error', onError);
          },
        ],
        // The upstream path is the route's `/v1/...` suffix plus the client's query, unchanged.
        pathRewrite: (path, req) => {
          const context = contextOf(req.res as Response);
          const { rawQuery } = splitRequestUrl(path);
          return rawQuery === '' ? context.route?.pathSuffix ?? path : `${context.route?.pathSuffix ?? path}?${rawQuery}`;
        },
      }),
    );
  }

  return function forwardToProvider(req, res, next) {
    const context = contextOf(res);
    const route = context.route;
    if (route === undefined) throw new Error('proxyToProvider runs after resolveRoute');
    const credentials = (res.locals['upstreamCredentials'] ?? {}) as Record<string, string>;
    // http-proxy copies req.headers to the upstream request: replace them with the allowlisted set.
    req.headers = buildUpstreamHeaders(req.headers, credentials, context.body?.length);
    options.onForward?.(req.headers, context);
    const body = context.body;
    if (body !== undefined) {
      // The client stream was consumed (the gateway read the body, maybe rewrote it). http-proxy sends
      // the body by `req.pipe(proxyReq)`, so this request's pipe sends the bytes the gateway holds.
      // (Writing in the proxyReq event instead races with pipe's end when the agent queues the request.)
      req.pipe = (<T extends NodeJS.WritableStream>(destination: T): T => {
        destination.end(body);
        return destination;
      }) as typeof req.pipe;
    }
    const proxy = proxies.get(route.adapter.id);
    if (proxy === undefined) throw new Error(`no proxy for ${route.adapter.id}`);
    void proxy(req, res, next);
  };
}
