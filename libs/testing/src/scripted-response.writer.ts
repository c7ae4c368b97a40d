import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { anthropicRequestId, openaiRequestId } from './fake-ids';
import type { FakeProvider, RecordedRequest, ScriptedHeaders, ScriptedResponse, SseEvent } from './fake-upstream.types';
import { providerErrorBody } from './provider-errors';
import { formatSseEvent } from './sse-format';

const JSON_TYPE = 'application/json';
const TEXT_TYPE = 'text/plain; charset=utf-8';
const SSE_TYPE = 'text/event-stream; charset=utf-8';
const RESET_GRACE_MS = 10;

/** One request/response in flight: lets delays be cancelled when the socket goes away. */
export class Exchange {
  /** The response can no longer be written (client gone, reset, or the fake closing). */
  closed = false;
  /** The fake itself cut the connection (reset, `endWith: 'close'`), so it is no client abort. */
  serverEnded = false;
  private wake: (() => void) | undefined;

  constructor(
    readonly res: ServerResponse,
    readonly request: RecordedRequest,
  ) {}

  /** Waits `ms`; resolves false at once if the exchange closes meanwhile (timer cleared). */
  sleep(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve(!this.closed);
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve(false);
      };
    });
  }

  /** Waits for the socket buffer to drain; false if the exchange closes first. */
  drain(): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (ok: boolean): void => {
        this.res.off('drain', onDrain);
        this.wake = undefined;
        resolve(ok);
      };
      const onDrain = (): void => done(!this.closed);
      this.res.on('drain', onDrain);
      this.wake = () => done(false);
    });
  }

  /** Marks the exchange closed and cancels whatever it is waiting for. */
  markClosed(): void {
    this.closed = true;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** The headers every answer of `provider` carries, like the real APIs (request ids the SDKs expose). */
function providerHeaders(provider: FakeProvider, contentType: string): OutgoingHttpHeaders {
  return provider === 'anthropic'
    ? { 'content-type': contentType, 'request-id': anthropicRequestId() }
    : {
        'content-type': contentType,
        'x-request-id': openaiRequestId(),
        'openai-version': '2020-10-01',
        'openai-processing-ms': '1',
      };
}

function withHeaders(base: OutgoingHttpHeaders, extra: ScriptedHeaders | undefined): OutgoingHttpHeaders {
  if (!extra) return base;
  for (const [name, value] of Object.entries(extra)) base[name.toLowerCase()] = value as string | string[];
  return base;
}

function writeBody(ex: Exchange, status: number, contentType: string, body: string | Buffer, headers: ScriptedHeaders | undefined): void {
  const base = providerHeaders(ex.request.provider, contentType);
  base['content-length'] = Buffer.byteLength(body);
  ex.res.writeHead(status, withHeaders(base, headers));
  ex.res.end(body);
}

/** Writes SSE headers then each event as its own chunk; false if the exchange closed on the way. */
async function writeEvents(
  ex: Exchange,
  status: number,
  headers: ScriptedHeaders | undefined,
  events: readonly SseEvent[],
): Promise<boolean> {
  const { res } = ex;
  const base = providerHeaders(ex.request.provider, SSE_TYPE);
  base['cache-control'] = 'no-cache';
  res.writeHead(status, withHeaders(base, headers));
  // A real upstream sends headers before the model answers: flush them now if the first event waits.
  const first = events[0];
  if (first === undefined || (first.delayMs ?? 0) > 0) res.flushHeaders();
  // Events with no delay between them leave in one writev (still one HTTP chunk each); a delay flushes first.
  let corked = false;
  for (const event of events) {
    const delay = event.delayMs ?? 0;
    if (delay > 0) {
      if (corked) res.uncork();
      corked = false;
      if (!(await ex.sleep(delay))) return false;
    }
    if (ex.closed) return false;
    if (!corked) res.cork();
    corked = true;
    if (!res.write(formatSseEvent(event))) {
      res.uncork();
      corked = false;
      if (!(await ex.drain())) return false;
    }
  }
  if (corked) res.uncork();
  return !ex.closed;
}

/** Sends a TCP RST (clients see ECONNRESET) instead of a graceful FIN. */
function resetConnection(ex: Exchange): void {
  ex.serverEnded = true;
  const socket = ex.res.socket;
  if (!socket) return;
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

/**
 * Resolves once what was written has reached the client: http uncorks on the next tick, the buffer
 * drains, then a short grace. A RST that lands while the peer still has unread data is often read as a
 * plain EOF, so without the grace the client would sometimes see a FIN instead of ECONNRESET.
 */
async function delivered(ex: Exchange): Promise<boolean> {
  await new Promise((resolve) => setImmediate(resolve));
  // Poll rather than wait for 'drain', which only fires after a write reported backpressure.
  while ((ex.res.socket?.writableLength ?? 0) > 0) {
    if (!(await ex.sleep(1))) return false;
  }
  return ex.sleep(RESET_GRACE_MS);
}

/** Plays `script` on the exchange. Never throws for a closed socket; resolves when done. */
export async function writeScripted(ex: Exchange, script: ScriptedResponse): Promise<void> {
  if (ex.closed) return;
  switch (script.kind) {
    case 'json':
      return writeBody(ex, script.status ?? 200, JSON_TYPE, JSON.stringify(script.body) ?? 'null', script.headers);
    case 'error': {
      const body = script.body ?? providerErrorBody(ex.request.provider, script.status, script.message);
      return writeBody(ex, script.status, JSON_TYPE, JSON.stringify(body) ?? 'null', script.headers);
    }
    case 'raw':
      return writeBody(ex, script.status ?? 200, TEXT_TYPE, script.body, script.headers);
    case 'sse': {
      if (!(await writeEvents(ex, script.status ?? 200, script.headers, script.events))) return;
      if (script.endWith === 'close') {
        // FIN without the terminating zero-length chunk: a truncated body, not a reset.
        ex.serverEnded = true;
        ex.res.socket?.end();
      } else {
        ex.res.end();
      }
      return;
    }
    case 'reset-after': {
      if (!(await writeEvents(ex, script.status ?? 200, script.headers, script.events))) return;
      if (await delivered(ex)) resetConnection(ex);
      return;
    }
    case 'hang':
      return;
    case 'reset':
      return resetConnection(ex);
    case 'delay':
      if (await ex.sleep(script.ms)) await writeScripted(ex, script.then);
      return;
  }
}
