import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { AppError } from '@navplane/core';
import type { Usage, WebSocketServerEvent, WebSocketSupport } from '@navplane/providers';
import WebSocket, { type RawData, type WebSocketServer } from 'ws';
import { classifyUpstreamError, type UpstreamFailure } from '../proxy/upstream-failure';

/** Why a session ended (the connection trace's `errorClass`, and the `end` label of the session counter). */
export type SessionEnd =
  | 'client_closed'
  | 'upstream_closed'
  | 'idle_timeout'
  | 'max_session'
  | 'org_disabled'
  | 'key_invalid'
  | 'budget_exceeded'
  | 'shutdown'
  | 'client_error'
  | 'upstream_error';

/** Close codes the gateway itself sends to the client (RFC 6455 §7.4.1). */
const GOING_AWAY = 1001;
const POLICY_VIOLATION = 1008;

// A peer's send buffer above this pauses reading from the other side until it drains below the low mark.
const HIGH_WATER_BYTES = 1024 * 1024;
const LOW_WATER_BYTES = 256 * 1024;
// Oversized server messages are read from their head (the event type) and tail (a terminal event's usage).
const OVERSIZED_HEAD_BYTES = 512;
const OVERSIZED_TAIL_BYTES = 64 * 1024;

/** One response of a session, as the tap saw it end. */
export interface SessionResponse {
  /** performance.now() and wall-clock ms when it started (its `response.created`, else the previous one's end). */
  readonly startedAt: number;
  readonly startedAtMs: number;
  readonly endedAt: number;
  readonly model: string | undefined;
  readonly usage: Usage | undefined;
  readonly status: string | undefined;
}

/** What a session reports to its owner (the WebSocket proxy); none of these may throw. */
export interface SessionEvents {
  /** The upstream refused or could not be reached before the client's handshake completed. */
  onRefused(outcome: { status: number; error?: AppError; failure?: UpstreamFailure }): void;
  /** Both handshakes completed: frames flow. */
  onOpen(): void;
  /** A response ended (Realtime `response.done`, Responses `response.completed`…). */
  onResponse(response: SessionResponse): void;
  /** The session is over (both sides closed); only after onOpen. */
  /** `unfinished`: responses the upstream started whose terminal event never came (the session ended first). */
  onClosed(end: SessionEnd, model: string | undefined, unfinished: number): void;
}

/** Options of one session. */
export interface SessionOptions {
  readonly req: IncomingMessage;
  readonly socket: Duplex;
  readonly head: Buffer;
  /** Completes the client's handshake (`noServer`, protocols chosen by `selectedProtocols`). */
  readonly server: WebSocketServer;
  /** The protocol upstream selected, per request, for the server's `handleProtocols`. */
  readonly selectedProtocols: WeakMap<IncomingMessage, string>;
  readonly upstreamUrl: string;
  readonly upstreamProtocols: readonly string[];
  readonly upstreamHeaders: Readonly<Record<string, string>>;
  /** The provider key the gateway injected (vault), masked in a relayed refusal. */
  readonly webSocket: WebSocketSupport;
  /** The model the URL asks for (Realtime `?model=`). */
  readonly queryModel: string | undefined;
  readonly connectTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly maxSessionMs: number;
  /** Largest server text message parsed whole; larger ones are read from head and tail. */
  readonly maxParseBytes: number;
  /** Relays a provider's non-101 answer to the client (masked in vault mode). */
  readonly relayRefusal: (response: IncomingMessage) => void;
  readonly events: SessionEvents;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

/** A close code that may be sent on (1005 "no status" and 1006 "abnormal" are only ever reported, never sent). */
function sendableCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

/** Closes `peer` the way the other side closed: the same code and reason where they may be sent on. */
function closeLike(peer: WebSocket, code: number, reason: Buffer): void {
  if (peer.readyState === WebSocket.CLOSED || peer.readyState === WebSocket.CLOSING) return;
  if (code === 1006)
    peer.terminate(); // the other side vanished without a close frame: so does this one
  else if (sendableCode(code)) peer.close(code, reason);
  else peer.close();
}

/**
 * One proxied WebSocket: the upstream handshake first (its refusal relayed, its failure answered with the contract's
 * error), then the client's, with the protocol upstream selected; then every message is relayed as it arrives, text
 * as text and binary as binary, with backpressure both ways. Server text messages are tapped after they are sent
 * (usage and model of each response); closes pass through with their codes; idle and session-length bounds and the
 * owner's `close` (kill switch, shutdown) end it.
 */
export class WebSocketSession {
  #upstream: WebSocket;
  #client: WebSocket | undefined;
  #end: SessionEnd | undefined;
  #closedSides = 0;
  #idle: NodeJS.Timeout | undefined;
  #max: NodeJS.Timeout | undefined;
  #sessionModel: string | undefined;
  #starts: Array<{ at: number; atMs: number }> = [];
  #lastEndAt = performance.now();
  #lastEndAtMs = Date.now();
  #closeWhenIdle: { code: number; reason: string; end: SessionEnd } | undefined;
  /** Set once the upstream refused or failed before the handshake: its later events tell nothing new. */
  #refused = false;
  readonly #options: SessionOptions;

  constructor(options: SessionOptions) {
    this.#options = options;
    const { socket } = options;
    const upstream = new WebSocket(options.upstreamUrl, [...options.upstreamProtocols], {
      headers: options.upstreamHeaders,
      handshakeTimeout: options.connectTimeoutMs,
      perMessageDeflate: false,
      followRedirects: false,
    });
    this.#upstream = upstream;
    // The client leaves before the upstream answered: nothing to relay, the upstream attempt is cut.
    const onClientGone = () => {
      if (upstream.readyState === WebSocket.CONNECTING) upstream.terminate();
    };
    socket.once('close', onClientGone);
    socket.on('error', () => socket.destroy());
    const refused = (outcome: Parameters<SessionEvents['onRefused']>[0]) => {
      socket.off('close', onClientGone);
      if (this.#refused) return;
      this.#refused = true;
      options.events.onRefused(outcome);
    };
    upstream.once('unexpected-response', (request, response) => {
      refused({ status: response.statusCode ?? 502 });
      options.relayRefusal(response);
      response.once('end', () => request.destroy());
      socket.once('close', () => request.destroy());
    });
    // A persistent listener: an 'error' with none would be thrown.
    upstream.on('error', (error) => {
      if (this.#client !== undefined || this.#refused) return; // after the handshake, the close event tells it
      if (!socket.writable) {
        refused({ status: 0, failure: 'client_aborted' });
        return;
      }
      // ws words its own handshake timer's error; everything else is a socket error with a system code.
      const timedOut = error.message === 'Opening handshake has timed out';
      const classified = classifyUpstreamError(error);
      refused(
        timedOut
          ? {
              status: 504,
              failure: 'connect_timeout',
              error: new AppError('upstream_timeout', 'The provider did not answer the WebSocket handshake in time', { retryable: true }),
            }
          : { status: 502, failure: classified.failure, error: classified.appError },
      );
    });
    upstream.once('open', () => {
      if (!socket.writable) {
        refused({ status: 0, failure: 'client_aborted' });
        upstream.terminate();
        return;
      }
      socket.off('close', onClientGone);
      if (upstream.protocol !== '') options.selectedProtocols.set(options.req, upstream.protocol);
      // ws refuses a malformed client handshake (no Sec-WebSocket-Key, another version…) with its own 400 and never
      // calls back: the upstream is cut and the session ends as refused, so nothing it holds (a limits slot) stays.
      socket.once('close', () => {
        if (this.#client !== undefined) return;
        upstream.terminate();
        refused({ status: 400 });
      });
      options.server.handleUpgrade(options.req, socket, options.head, (client) => this.#relay(client));
    });
  }

  /** The gateway ends the session: `code` to the client, 1001 upstream. Under `whenIdle`, a response in flight may finish first. */
  close(code: number, reason: string, end: SessionEnd, whenIdle = false): void {
    if (whenIdle && this.#starts.length > 0) {
      this.#closeWhenIdle = { code, reason, end };
      return;
    }
    this.#end ??= end;
    if (this.#client === undefined) {
      this.#upstream.terminate();
      return;
    }
    this.#client.close(code, reason);
    if (this.#upstream.readyState === WebSocket.OPEN) this.#upstream.close(GOING_AWAY, reason);
  }

  /** Cuts both sockets at once (the end of the shutdown grace). */
  terminate(end: SessionEnd): void {
    this.#end ??= end;
    this.#client?.terminate();
    this.#upstream.terminate();
  }

  #relay(client: WebSocket): void {
    const { events, idleTimeoutMs, maxSessionMs } = this.#options;
    const upstream = this.#upstream;
    this.#client = client;
    this.#idle = setTimeout(() => this.close(GOING_AWAY, 'idle timeout', 'idle_timeout'), idleTimeoutMs);
    this.#max = setTimeout(() => this.close(POLICY_VIOLATION, 'session length limit reached', 'max_session'), maxSessionMs);
    this.#idle.unref();
    this.#max.unref();
    events.onOpen();

    client.on('message', (data, isBinary) => {
      this.#idle?.refresh();
      this.#forward(upstream, client, data, isBinary);
    });
    upstream.on('message', (data, isBinary) => {
      this.#idle?.refresh();
      const bytes = toBuffer(data);
      this.#forward(client, upstream, bytes, isBinary);
      if (!isBinary) this.#tap(bytes); // after the send: tapping never delays a frame
    });
    client.on('error', () => {
      this.#end ??= 'client_error';
    });
    upstream.on('error', () => {
      this.#end ??= 'upstream_error';
    }); // beside the constructor's listener, which ignores errors once the client is connected
    client.once('close', (code, reason) => {
      this.#end ??= 'client_closed';
      closeLike(upstream, code, reason);
      this.#sideClosed();
    });
    upstream.once('close', (code, reason) => {
      this.#end ??= 'upstream_closed';
      closeLike(client, code, reason);
      this.#sideClosed();
    });
  }

  /** Sends one message on, pausing `from` while `to` has more than HIGH_WATER_BYTES waiting. */
  #forward(to: WebSocket, from: WebSocket, data: RawData, isBinary: boolean): void {
    if (to.readyState !== WebSocket.OPEN) return;
    to.send(data, { binary: isBinary }, () => {
      if (from.isPaused && to.bufferedAmount < LOW_WATER_BYTES) from.resume();
    });
    if (to.bufferedAmount > HIGH_WATER_BYTES && !from.isPaused) from.pause();
  }

  #tap(data: Buffer): void {
    const { webSocket, maxParseBytes } = this.#options;
    const event: WebSocketServerEvent | undefined =
      data.length <= maxParseBytes
        ? webSocket.readServerMessage(data)
        : webSocket.readOversizedServerMessage(
            data.subarray(0, OVERSIZED_HEAD_BYTES),
            data.subarray(Math.max(0, data.length - OVERSIZED_TAIL_BYTES)),
          );
    if (event === undefined) return;
    if (event.kind === 'session') {
      this.#sessionModel = event.model ?? this.#sessionModel;
      return;
    }
    if (event.kind === 'response_started') {
      this.#starts.push({ at: performance.now(), atMs: Date.now() });
      return;
    }
    const start = this.#starts.shift() ?? { at: this.#lastEndAt, atMs: this.#lastEndAtMs };
    this.#lastEndAt = performance.now();
    this.#lastEndAtMs = Date.now();
    this.#options.events.onResponse({
      startedAt: start.at,
      startedAtMs: start.atMs,
      endedAt: this.#lastEndAt,
      model: event.model ?? this.#sessionModel ?? this.#options.queryModel,
      usage: event.usage,
      status: event.status,
    });
    const pending = this.#closeWhenIdle;
    if (pending !== undefined && this.#starts.length === 0) this.close(pending.code, pending.reason, pending.end);
  }

  #sideClosed(): void {
    this.#closedSides += 1;
    if (this.#closedSides < 2) return;
    clearTimeout(this.#idle);
    clearTimeout(this.#max);
    this.#options.events.onClosed(this.#end ?? 'client_closed', this.#sessionModel ?? this.#options.queryModel, this.#starts.length);
  }
}
