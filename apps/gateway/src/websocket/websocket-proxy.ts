import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { VerifyResult } from '@navplane/auth';
import { AppError, newId } from '@navplane/core';
import { estimateReservation, NOTHING_SPENT, type BudgetEngine, type LimitSubject } from '@navplane/limits';
import type { UpgradeHandler } from '@navplane/http';
import { isForwardableHeader } from '../proxy/upstream-headers';
import { toErrorResponse } from '@navplane/http';
import type { TraceRecord, TraceSink } from '@navplane/trace';
import { WebSocketServer } from 'ws';
import type { AnyContext, Limited, Lineage, Started, Tagged, WithPolicy } from '../gateway-context';
import type { GatewayMetrics } from '../gateway-metrics';
import type { Pipeline, StepExchange } from '../pipeline/pipeline';
import { startRequest } from '../steps/start-request';
import { buildTrace } from '../trace/build-trace';
import { extractUpgradeCredentials, upstreamProtocols } from './upgrade-credentials';
import { relayUpgradeRefusal, writeUpgradeRefusal } from './upgrade-response';
import type { WebSocketBudget, WebSocketRoute } from './websocket.steps';
import { WebSocketSession, type SessionEnd, type SessionResponse } from './websocket-session';

/** An upgrade as the pipeline sees it: the request, the raw socket and the bytes read past its head. */
export interface UpgradeExchange extends StepExchange {
  readonly socket: Duplex;
  readonly head: Buffer;
}

/** The context an upgrade has once every step passed. */
export type UpgradeContext = WithPolicy & WebSocketRoute & Tagged & Limited & WebSocketBudget;

/** The WebSocket bounds (docs/configuration.md). */
export interface WebSocketLimits {
  /** NAVPLANE_WS_IDLE_TIMEOUT_MS. */
  readonly idleTimeoutMs: number;
  /** NAVPLANE_WS_MAX_SESSION_MS. */
  readonly maxSessionMs: number;
  /** NAVPLANE_UPSTREAM_CONNECT_TIMEOUT_MS: the whole upstream handshake. */
  readonly connectTimeoutMs: number;
  /** NAVPLANE_MAX_BODY_BYTES: the largest message a client may send (1009 above). */
  readonly maxMessageBytes: number;
  /** Largest server text message the tap parses whole (default 4 MiB); larger ones are read from head and tail. */
  readonly maxParseBytes?: number;
}

/** What the WebSocket proxy is composed of. */
export interface WebSocketProxyOptions {
  /** The pipeline the upgrade runs (route, authenticate, path, scope, credential, policy), ending in the proxy. */
  readonly steps: Pipeline<Started, UpgradeContext>;
  /** Re-verifies a live session's key (kill switch, revocation): the cached verifier. */
  readonly verifyKey: (presented: string) => Promise<VerifyResult>;
  readonly looksLikeProviderKey: (value: string) => boolean;
  readonly limits: WebSocketLimits;
  readonly traceSink: TraceSink;
  readonly gatewayMetrics?: GatewayMetrics;
  /** Spend budgets: each response of a session is settled as it ends (docs/limits.md, "Budgets"); absent: none. */
  readonly budgets?: Pick<BudgetEngine, 'applicable' | 'settle' | 'charge' | 'exhausted'>;
  readonly onError?: (error: unknown) => void;
}

/** The gateway's WebSocket proxy: the server's upgrade handler, and what the kill switch and metrics need. */
export interface WebSocketProxy extends UpgradeHandler {
  /** Live proxied connections (`navplane_gateway_websockets_open`). */
  live(): number;
  /**
   * Re-verifies the keys of the live sessions that `matches` selects (all when omitted), and closes with 1008 those
   * whose key no longer verifies (org switched off, key revoked or expired).
   */
  recheck(matches?: (session: { readonly orgId: string; readonly keyId: string }) => boolean): Promise<void>;
}

interface LiveSession {
  /** False while the upstream handshake is under way (a kill switch then cuts the attempt). */
  opened: boolean;
  readonly orgId: string;
  readonly keyId: string;
  readonly presentedKey: string;
  readonly session: WebSocketSession;
  readonly closed: Promise<void>;
}

const DEFAULT_MAX_PARSE_BYTES = 4 * 1024 * 1024;
const POLICY_VIOLATION = 1008;
const GOING_AWAY = 1001;

/** Headers of the upgrade that never go upstream even when allowlisted: the handshake is the proxy's own. */
const NOT_FORWARDED = new Set(['content-length', 'content-encoding', 'content-type', 'accept-encoding']);

/**
 * The upstream handshake's headers: the allowlisted client headers (generic ones and the provider's SDK headers such
 * as `OpenAI-Beta`, docs/gateway.md "What reaches the provider") and the credential headers. Nothing of NavPlane's,
 * no cookie, no `Origin`; `ws` adds the handshake's own.
 */
function upstreamHeadersOf(req: IncomingMessage, context: UpgradeContext): Record<string, string> {
  const names = context.route.adapter.forwardedHeaderNames;
  const out: Record<string, string> = {};
  for (const name in req.headers) {
    if (NOT_FORWARDED.has(name) || !isForwardableHeader(name, names)) continue;
    const value = req.headers[name];
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const credentials = context.upstreamCredential.headers();
  for (const name in credentials) out[name] = credentials[name] as string;
  return out;
}

/** `http(s)://…` → `ws(s)://…`: the operator's base URL says which. */
function webSocketUrl(httpUrl: string): string {
  return httpUrl.replace(/^http/i, 'ws');
}

/**
 * A response of a session and the connection itself are linked: each response's trace has the connection's trace as
 * parent and, unless the client named a group, the connection's trace id as its group (docs/gateway.md, "WebSockets").
 */
function responseLineage(connection: AnyContext): Lineage {
  return { ...connection.lineage, traceGroup: connection.lineage.traceGroup ?? connection.traceId, parentTraceId: connection.traceId };
}

/**
 * Creates the WebSocket proxy: every `Upgrade: websocket` request runs the gateway's steps (the same as HTTP requests:
 * route, key, kill switch, scope, credential, policy) and is refused with the contract's JSON error before any
 * upstream connection; a passing one becomes a `WebSocketSession`. Each response of a session is traced (usage and
 * model from its terminal event), and the connection once more when it closes.
 */
export function createWebSocketProxy(options: WebSocketProxyOptions): WebSocketProxy {
  const { limits, traceSink, gatewayMetrics, budgets } = options;
  const sessions = new Set<LiveSession>();
  const selectedProtocols = new WeakMap<IncomingMessage, string>();
  const responseIds = new WeakMap<IncomingMessage, { requestId: string; traceId: string }>();
  let draining = false;

  const server = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: false,
    maxPayload: limits.maxMessageBytes,
    // The client gets the protocol upstream selected (one the client offered), or none.
    handleProtocols: (offered, request) => {
      const selected = selectedProtocols.get(request);
      return selected !== undefined && offered.has(selected) ? selected : false;
    },
  });
  server.on('headers', (headers, request) => {
    const ids = responseIds.get(request);
    if (ids !== undefined) headers.push(`X-Request-Id: ${ids.requestId}`, `X-NavPlane-Trace-Id: ${ids.traceId}`);
  });

  const enqueue = (trace: TraceRecord | undefined) => {
    if (trace !== undefined) traceSink.enqueue(trace);
  };

  // A refusal by the gateway: the contract's error on the socket, metrics, and the trace when the org is known.
  const refuse = (error: AppError, context: AnyContext, { socket }: UpgradeExchange) => {
    // A refusal after the limits step (credential, policy, draining): the slot it took is freed at once, as is the
    // session's budget hold.
    context.limitLease?.release(0);
    if (context.budget !== undefined) void budgets?.settle(context.budget, NOTHING_SPENT);
    if (error.code === 'internal_error') options.onError?.(error.cause ?? error);
    const overheadMs = performance.now() - context.startedAt;
    const status = writeUpgradeRefusal(socket, error, context);
    gatewayMetrics?.observe(context.route?.adapter.id ?? 'none', status, overheadMs);
    enqueue(buildTrace(context, { status, stream: false, latencyMs: overheadMs, overheadMs, errorClass: error.code }));
  };

  const open = (context: UpgradeContext, { req, socket, head }: UpgradeExchange) => {
    if (draining) {
      refuse(new AppError('not_ready', 'The gateway is shutting down; reconnect', { retryable: true }), context, { req, socket, head });
      return;
    }
    const { route, webSocket } = context;
    // WebSockets go to operator-set endpoints only: a tenant's own endpoint (stored with its key) would need the egress
    // guard at connect time, which the HTTP pools have and this path does not; no such provider has WebSockets.
    const baseUrl = route.baseUrl;
    if (baseUrl === undefined) {
      refuse(new AppError('route_not_found', 'WebSockets are not proxied to a tenant endpoint'), context, { req, socket, head });
      return;
    }
    const credentials = extractUpgradeCredentials(req.headers, route.adapter, options.looksLikeProviderKey);
    const presentedKey = credentials.mode === 'vault' || credentials.mode === 'passthrough' ? credentials.navplaneKey : '';
    const provider = route.adapter.id;
    const secret = context.upstreamCredential.injectedSecret();
    responseIds.set(req, { requestId: context.requestId, traceId: context.traceId });
    context.forwardedAt = performance.now();
    context.preUpstreamMs = context.forwardedAt - context.startedAt;
    // The connection's trace: grouped under its own id unless the client named a group (its responses join it).
    const connection: AnyContext = {
      ...context,
      lineage: { ...context.lineage, traceGroup: context.lineage.traceGroup ?? context.traceId },
    };
    let resolveClosed: () => void = () => undefined;
    const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
    // The session is one request for the rate limits (docs/limits.md): its slot is held while it is open and its
    // responses' tokens are counted in tpm when it ends.
    let sessionTokens = 0;
    // The model of the session's last finished response: what an unfinished one is estimated at when the session names none.
    let lastModel: string | undefined;
    const hold = context.budget;
    const endLease = () => {
      context.limitLease?.release(sessionTokens);
      if (hold !== undefined) void budgets?.settle(hold, NOTHING_SPENT);
    };
    const subject: LimitSubject = { orgId: context.key.orgId, workspaceId: context.key.workspaceId, keyId: context.key.id };

    const session = new WebSocketSession({
      req,
      socket,
      head,
      server,
      selectedProtocols,
      upstreamUrl: webSocketUrl(route.adapter.upstreamUrl(baseUrl, route.pathSuffix, context.rawQuery)),
      upstreamProtocols: upstreamProtocols(req.headers),
      upstreamHeaders: upstreamHeadersOf(req, context),
      webSocket,
      queryModel: webSocket.modelFromQuery(context.rawQuery),
      connectTimeoutMs: limits.connectTimeoutMs,
      idleTimeoutMs: limits.idleTimeoutMs,
      maxSessionMs: limits.maxSessionMs,
      maxParseBytes: limits.maxParseBytes ?? DEFAULT_MAX_PARSE_BYTES,
      relayRefusal: (response) => relayUpgradeRefusal(socket, response, context, secret),
      events: {
        onRefused({ status, error, failure }) {
          const latencyMs = performance.now() - context.startedAt;
          if (error !== undefined) writeUpgradeRefusal(socket, error, context);
          else if (status !== 0) connection.upstreamHeadersAt = performance.now();
          const shown = error === undefined ? status : toErrorResponse(error).status;
          gatewayMetrics?.observe(provider, shown, context.preUpstreamMs);
          sessions.delete(live);
          endLease();
          enqueue(
            buildTrace(connection, {
              status: shown,
              stream: false,
              latencyMs,
              overheadMs: context.preUpstreamMs,
              ...(failure === undefined ? {} : { upstreamFailure: failure, errorClass: error?.code ?? failure }),
            }),
          );
          resolveClosed();
        },
        onOpen() {
          connection.upstreamHeadersAt = performance.now();
          gatewayMetrics?.observe(provider, 101, context.preUpstreamMs);
          live.opened = true;
        },
        onResponse(response: SessionResponse) {
          sessionTokens += response.usage?.totalTokens ?? 0;
          lastModel = response.model ?? lastModel;
          const trace = responseTrace(connection, response);
          enqueue(trace);
          if (hold !== undefined && budgets !== undefined && trace !== undefined) {
            // Never rejects into the void (an unhandled rejection ends the process): a budget check that fails (the
            // org's limits cannot be read) keeps the session, as an outage does not cut a live one, and is logged.
            chargeResponse(budgets, subject, provider, trace).then(
              (spent) => {
                if (spent) live.session.close(POLICY_VIOLATION, 'budget exceeded', 'budget_exceeded');
              },
              (error: unknown) => options.onError?.(new Error('budget check of a WebSocket response failed', { cause: error })),
            );
          }
        },
        onClosed(end: SessionEnd, model: string | undefined, unfinished: number) {
          sessions.delete(live);
          endLease();
          // Responses the session ended in the middle of (the client left before their last event) may still be billed
          // by the provider: each is charged as a request of unknown cost is, its estimate at the session's model.
          if (hold !== undefined && budgets !== undefined) {
            for (let i = 0; i < unfinished; i += 1) {
              chargeResponse(budgets, subject, provider, { costStatus: 'unknown', costUsd: null, model: model ?? lastModel ?? null }).catch(
                (error: unknown) =>
                  options.onError?.(new Error('budget charge of an unfinished WebSocket response failed', { cause: error })),
              );
            }
          }
          const latencyMs = performance.now() - context.startedAt;
          const trace = buildTrace(connection, {
            status: 101,
            stream: true,
            latencyMs,
            overheadMs: context.preUpstreamMs,
            ...(model === undefined ? {} : { model }),
            ...(end === 'client_closed' || end === 'upstream_closed' ? {} : { errorClass: end }),
          });
          // The connection itself is not billed: its responses' traces carry the usage and the cost.
          enqueue(trace === undefined ? undefined : { ...trace, costUsd: 0, costStatus: 'exact' });
          resolveClosed();
        },
      },
    });
    // The session's events all come later (sockets never call back synchronously), when `live` is set.
    const live: LiveSession = { opened: false, orgId: context.key.orgId, keyId: context.key.id, presentedKey, session, closed };
    sessions.add(live);
  };

  const runUpgrade = options.steps.end<UpgradeExchange>(open, refuse);

  return {
    handle(req, socket, head) {
      runUpgrade(startRequest(req), { req, socket, head });
    },
    live() {
      let count = 0;
      for (const live of sessions) if (live.opened) count += 1;
      return count;
    },
    async recheck(matches) {
      const checks = [...sessions]
        .filter((live) => matches === undefined || matches(live))
        .map(async (live) => {
          const result = await options.verifyKey(live.presentedKey);
          if (result.valid) return;
          // `unavailable` (the key store is down) keeps the session: a live session is not cut by an outage.
          if (result.code === 'unavailable') return;
          const end: SessionEnd = result.code === 'org_disabled' ? 'org_disabled' : 'key_invalid';
          live.session.close(POLICY_VIOLATION, end === 'org_disabled' ? 'organization disabled' : 'NavPlane key no longer valid', end);
        });
      await Promise.all(checks);
    },
    async drain(graceMs) {
      draining = true;
      const open = [...sessions];
      // Sessions between responses close now; one with a response in flight closes when it ends, or at the deadline.
      for (const live of open) live.session.close(GOING_AWAY, 'server shutting down', 'shutdown', true);
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
      await Promise.race([Promise.all(open.map((live) => live.closed)), deadline]);
      clearTimeout(timer);
      for (const live of sessions) live.session.terminate('shutdown');
      server.close();
    },
  };
}

/** The trace of one response of a session: its own id and times, the connection's key and route, its usage and model. */
function responseTrace(connection: AnyContext, response: SessionResponse): TraceRecord | undefined {
  const context: AnyContext = {
    ...connection,
    traceId: newId('trace', response.startedAtMs),
    startedAt: response.startedAt,
    startedAtMs: response.startedAtMs,
    lineage: responseLineage(connection),
  };
  const completed = response.status === undefined || response.status === 'completed';
  const trace = buildTrace(context, {
    status: 101,
    stream: true,
    latencyMs: response.endedAt - response.startedAt,
    ...(response.usage === undefined ? {} : { usage: response.usage }),
    ...(response.model === undefined ? {} : { model: response.model }),
    ...(completed ? {} : { errorClass: `response_${response.status}` }),
  });
  // A response whose usage could not be read (a malformed terminal event) may still have been billed.
  return trace === undefined || response.usage !== undefined ? trace : { ...trace, costUsd: null, costStatus: 'unknown' };
}

/**
 * Settles one response of a session into the current period of each budget covering it (its cost as its trace states;
 * an unpriced model is counted apart; an unknown cost of a priced model is charged its estimate), then tells whether a
 * budget is now spent — settled spend only, not other requests' reservations: the session is then closed, so it passes
 * its budget by that one response at most.
 */
async function chargeResponse(
  budgets: Pick<BudgetEngine, 'applicable' | 'charge' | 'exhausted'>,
  subject: LimitSubject,
  provider: string,
  trace: Pick<TraceRecord, 'costStatus' | 'costUsd' | 'model'>,
): Promise<boolean> {
  const applicable = await budgets.applicable(subject);
  if (applicable.length === 0) return false;
  const estimate = estimateReservation({ provider, model: trace.model ?? undefined, body: undefined, at: new Date() });
  await budgets.charge(subject, applicable, { status: trace.costStatus, usd: trace.costUsd ?? null }, estimate);
  return budgets.exhausted(subject, applicable);
}
