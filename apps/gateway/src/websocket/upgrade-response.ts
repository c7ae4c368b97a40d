import { STATUS_CODES, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AppError } from '@navplane/core';
import { errorHeaders, toErrorResponse } from '@navplane/http';
import { createKeyMask, maskHeaders } from '../proxy/key-mask';
import { isClientResponseHeader } from '../proxy/upstream-headers';

/** The ids every answer to an upgrade carries (`X-Request-Id`, `X-NavPlane-Trace-Id`). */
export interface UpgradeIds {
  readonly requestId: string;
  readonly traceId: string;
}

// Header values come from the gateway or from the provider's response (already valid HTTP): no CR/LF can get in.
function headerBlock(status: number, headers: ReadonlyArray<readonly [string, string]>): string {
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
  for (const [name, value] of headers) head += `${name}: ${value}\r\n`;
  return `${head}\r\n`;
}

/**
 * Answers a refused upgrade on its socket with the contract's JSON error (docs/gateway.md, "Errors"), the request's
 * ids and `Connection: close`; no upstream connection was made.
 */
export function writeUpgradeRefusal(socket: Duplex, error: AppError, ids: UpgradeIds): number {
  const { status, body } = toErrorResponse(error);
  if (!socket.writable) {
    socket.destroy();
    return status;
  }
  const text = JSON.stringify(body);
  const headers: Array<readonly [string, string]> = [
    ['Content-Type', 'application/json; charset=utf-8'],
    ['Content-Length', String(Buffer.byteLength(text))],
    ['X-Request-Id', ids.requestId],
    ['X-NavPlane-Trace-Id', ids.traceId],
    ['Connection', 'close'],
  ];
  // As on HTTP (sendError): Retry-After and the refusing limit's x-ratelimit-* headers (429 rate_limited).
  headers.push(...errorHeaders(error));
  const head = headerBlock(status, headers);
  socket.end(head + text);
  return status;
}

/**
 * Relays a provider's refusal of the upgrade (any status but 101) to the client: status, headers (hop-by-hop aside)
 * and body, chunk by chunk; in vault mode the injected provider key is masked wherever the refusal echoes it.
 */
export function relayUpgradeRefusal(socket: Duplex, response: IncomingMessage, ids: UpgradeIds, secret: string | undefined): void {
  const status = response.statusCode ?? 502;
  let headers: IncomingHttpHeaders = response.headers;
  if (secret !== undefined) headers = maskHeaders(headers, secret);
  const lines: Array<readonly [string, string]> = [];
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || !isClientResponseHeader(name, false) || name === 'content-length') continue;
    for (const item of Array.isArray(value) ? value : [value]) lines.push([name, item]);
  }
  // The body is sent as read, up to the connection's end: no length to trust after masking, and nothing follows it.
  lines.push(['X-Request-Id', ids.requestId], ['X-NavPlane-Trace-Id', ids.traceId], ['Connection', 'close']);
  socket.write(headerBlock(status, lines));
  const mask = secret === undefined ? undefined : createKeyMask(secret);
  response.on('data', (chunk: Buffer) => {
    const out = mask === undefined ? chunk : mask.push(chunk);
    if (out.length > 0 && !socket.write(out)) {
      response.pause();
      socket.once('drain', () => response.resume());
    }
  });
  response.once('end', () => socket.end(mask?.end()));
  response.once('error', () => socket.destroy());
  socket.once('close', () => response.destroy());
}
