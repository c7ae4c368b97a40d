import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { AppError } from '@navplane/core';
import { toErrorResponse } from './error-response';
import type { AddressInfo } from 'node:net';

/** A listening HTTP server that can be closed gracefully. */
export interface RunningServer {
  /** The bound port (useful when 0 was asked for). */
  readonly port: number;
  /** The bound host. */
  readonly host: string;
  /** `http://host:port`. */
  readonly url: string;
  /** The underlying node:http server. */
  readonly server: Server;
  /** Requests currently being served. */
  inFlight(): number;
  /**
   * Stops accepting connections, lets in-flight requests finish for up to `graceMs`, then closes
   * whatever is left. Resolves with how many requests had to be cut off.
   */
  close(graceMs: number): Promise<{ forced: number }>;
}

/** Options for `listen`: the servers' settings (docs/configuration.md). */
export interface ListenOptions {
  /** Bind address (`NAVPLANE_HOST`). */
  host: string;
  /** Port; 0 picks a free one (default 0). */
  port?: number;
  /** Keep-alive timeout in ms (`NAVPLANE_KEEP_ALIVE_TIMEOUT_MS`). */
  keepAliveTimeoutMs: number;
  /** Longest a client may take to send one whole request, headers and body, in ms (`NAVPLANE_REQUEST_TIMEOUT_MS`; 408 after). */
  requestTimeoutMs: number;
  /** WebSocket upgrades (`Upgrade: websocket`; other upgrades are served as plain requests), drained on close. */
  upgrades?: UpgradeHandler;
}

/** What serves a server's WebSocket upgrades: the gateway's WebSocket proxy (docs/gateway.md, "WebSockets"). */
export interface UpgradeHandler {
  /** Takes one upgrade request and its socket. */
  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Ends the live connections within `graceMs` (graceful shutdown); resolves when they are closed. */
  drain(graceMs: number): Promise<void>;
}

/** Only WebSocket upgrades go to the upgrade handler; an `Upgrade: h2c` request is answered as HTTP/1.1. */
function isWebSocketUpgrade(req: IncomingMessage): boolean {
  return req.headers.upgrade?.toLowerCase() === 'websocket';
}

/** Starts `handler` (an Express app or any request listener) on host:port. */
export async function listen(handler: RequestListener, options: ListenOptions): Promise<RunningServer> {
  const { host, port = 0, keepAliveTimeoutMs, requestTimeoutMs, upgrades } = options;
  // Node checks the header and request timers of open connections on this interval: a fraction of the request
  // timeout, so a client that drips its body is cut off within about 1.25 times the bound.
  const server = createServer(
    {
      connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(requestTimeoutMs / 4))),
      shouldUpgradeCallback: upgrades === undefined ? () => false : isWebSocketUpgrade,
    },
    handler,
  );
  if (upgrades !== undefined)
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => upgrades.handle(req, socket, head));
  server.keepAliveTimeout = keepAliveTimeoutMs;
  // The whole request (headers and body) must arrive within requestTimeout (408, then the connection closes); the
  // response is not bounded by it, so long generations and streams are not cut (the upstream timeouts bound them).
  server.requestTimeout = requestTimeoutMs;
  // Headers must arrive first: at most the request bound, and past the keep-alive time an idle socket races with.
  server.headersTimeout = Math.min(requestTimeoutMs, keepAliveTimeoutMs + 1_000);
  server.on('clientError', answerClientError);

  let active = 0;
  server.on('request', (_req, res) => {
    active += 1;
    res.once('close', () => {
      active -= 1;
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    port: address.port,
    host: address.address,
    url: `http://${urlHost}:${address.port}`,
    server,
    inFlight: () => active,
    close: (graceMs) => closeGracefully(server, () => active, graceMs, upgrades),
  };
}

async function closeGracefully(
  server: Server,
  inFlight: () => number,
  graceMs: number,
  upgrades: UpgradeHandler | undefined,
): Promise<{ forced: number }> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Upgraded sockets are not the server's HTTP connections: `closed` waits for them, so they are drained alongside.
  const drained = upgrades?.drain(graceMs);
  server.closeIdleConnections();
  // Keep-alive sockets go idle as their responses finish; close them as soon as they do.
  const sweeper = setInterval(() => server.closeIdleConnections(), 50);
  const deadline = Date.now() + graceMs;
  try {
    while (inFlight() > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const forced = inFlight();
    server.closeAllConnections();
    await drained;
    await closed;
    return { forced };
  } finally {
    clearInterval(sweeper);
  }
}

/**
 * What Node's HTTP parser and timers refuse before a handler runs (a request that took longer than the request
 * timeout, malformed framing, oversized headers) gets the contract's JSON error instead of Node's bare status line,
 * then the connection closes. A socket that is gone, or whose response has started, is only closed.
 */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  const inResponse = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
  if (error.code === 'ECONNRESET' || !socket.writable || inResponse) {
    socket.destroy();
    return;
  }
  const appError =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? new AppError('request_timeout', 'The request was not received in full in time')
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? new AppError('request_header_fields_too_large', 'The request headers are too large')
        : new AppError('invalid_request', 'The request is not valid HTTP');
  const { status, body } = toErrorResponse(appError);
  const text = JSON.stringify(body);
  const reason = status === 408 ? 'Request Timeout' : status === 431 ? 'Request Header Fields Too Large' : 'Bad Request';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}
