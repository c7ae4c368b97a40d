import type { IncomingHttpHeaders } from 'node:http';

/** Which upstream a request is addressed to: `/v1/messages*` or an `anthropic-version` header means Anthropic. */
export type FakeProvider = 'openai' | 'anthropic' | 'gemini';

/** One request the fake upstream received (recorded once its body is complete). */
export interface RecordedRequest {
  /** HTTP method as received, e.g. `POST`. */
  readonly method: string;
  /** Path without the query string, e.g. `/v1/chat/completions`. */
  readonly path: string;
  /** Raw query string without the `?` (`''` when none). */
  readonly query: string;
  /** Request target as received (path + `?` + query). */
  readonly url: string;
  /** Headers as Node parsed them (lower-case names), including `authorization` / `x-api-key`. */
  readonly headers: IncomingHttpHeaders;
  /** Header names and values exactly as sent, alternating `[name, value, …]`. */
  readonly rawHeaders: readonly string[];
  /** The complete request body. */
  readonly body: Buffer;
  /** The body decoded as UTF-8. */
  readonly text: string;
  /** The parsed body when it is a JSON object or array, else `undefined`. */
  readonly json?: unknown;
  /** `Date.now()` when the request head arrived. */
  readonly receivedAt: number;
  /** Which provider's conventions (headers, error shape) the fake applies to this request. */
  readonly provider: FakeProvider;
  /** True when the client closed the connection before the response finished. */
  clientAborted: boolean;
  /** True once the whole response was handed to the socket. */
  finished: boolean;
}

/** Extra response headers; names are lower-cased and override the fake's defaults. */
export type ScriptedHeaders = Readonly<Record<string, string | readonly string[]>>;

/** One SSE event; objects are JSON-encoded, multi-line strings become several `data:` lines. */
export interface SseDataEvent {
  /** The `event:` line (omitted when undefined, as OpenAI Chat Completions does). */
  readonly event?: string;
  /** The `data:` payload. */
  readonly data: string | object;
  /** Optional `id:` line. */
  readonly id?: string;
  /** Wait this long before writing the event (default 0: written right after the previous one). */
  readonly delayMs?: number;
}

/** Bytes written verbatim, e.g. half an event or a `: keep-alive` comment, to test stream parsers. */
export interface SseRawEvent {
  /** Exact text to write (no framing added). */
  readonly raw: string;
  /** Wait this long before writing (default 0). */
  readonly delayMs?: number;
}

/** One step of a scripted SSE response. */
export type SseEvent = SseDataEvent | SseRawEvent;

/** A JSON answer (`content-type: application/json`, status default 200). */
export interface JsonScript {
  readonly kind: 'json';
  readonly status?: number;
  readonly headers?: ScriptedHeaders;
  readonly body: unknown;
}

/** A non-JSON body written as is (`content-type` default `text/plain; charset=utf-8`, status default 200). */
export interface RawScript {
  readonly kind: 'raw';
  readonly status?: number;
  readonly headers?: ScriptedHeaders;
  readonly body: string | Buffer;
}

/**
 * An SSE answer: each event is its own HTTP chunk, flushed before any delay. `endWith: 'end'` (default)
 * finishes the chunked body cleanly; `'close'` ends the socket (FIN) after the last event without the
 * terminating chunk, so clients see a truncated body rather than a reset.
 */
export interface SseScript {
  readonly kind: 'sse';
  readonly status?: number;
  readonly headers?: ScriptedHeaders;
  readonly events: readonly SseEvent[];
  readonly endWith?: 'end' | 'close';
}

/** A provider-shaped error: `body` as given, or (default) the provider's error envelope for `status`. */
export interface ErrorScript {
  readonly kind: 'error';
  readonly status: number;
  readonly body?: unknown;
  /** Message for the default body (default: a message naming the status). */
  readonly message?: string;
  readonly headers?: ScriptedHeaders;
}

/** Accept the request and never answer until the client gives up or the fake closes. */
export interface HangScript {
  readonly kind: 'hang';
}

/** Reset the TCP connection (RST) before any response byte: clients see ECONNRESET. */
export interface ResetScript {
  readonly kind: 'reset';
}

/** Send SSE headers and `events`, then reset the connection mid-stream. */
export interface ResetAfterScript {
  readonly kind: 'reset-after';
  readonly status?: number;
  readonly headers?: ScriptedHeaders;
  readonly events: readonly SseEvent[];
}

/** Wait `ms` before the status line, then answer with `then`. */
export interface DelayScript {
  readonly kind: 'delay';
  readonly ms: number;
  readonly then: ScriptedResponse;
}

/** What the fake does with one request. */
export type ScriptedResponse = JsonScript | RawScript | SseScript | ErrorScript | HangScript | ResetScript | ResetAfterScript | DelayScript;

/** Computes a response from the request; `undefined` falls through to the built-in routes. */
export type ScriptedResponder = (request: RecordedRequest) => ScriptedResponse | undefined;

/** Options of `startFakeUpstream`. */
export interface FakeUpstreamOptions {
  /** Bind address (default `127.0.0.1`). */
  readonly host?: string;
  /** Port (default 0: any free port). */
  readonly port?: number;
  /** Keep `RecordedRequest`s in `requests` (default true; pass false for benchmarks). */
  readonly record?: boolean;
  /** Most recorded requests kept; older ones are dropped first (default 1000). */
  readonly maxRecorded?: number;
  /**
   * When set, the built-in routes answer 401 in the provider's shape unless the provider credential
   * (`Authorization: Bearer …`, or `x-api-key` for Anthropic) is one of these (default: no check).
   */
  readonly acceptKeys?: readonly string[];
}

/** A running fake OpenAI + Anthropic upstream on loopback. */
export interface FakeUpstream {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The bound port. */
  readonly port: number;
  /** Recorded requests, oldest first (the same array across `reset()`). */
  readonly requests: RecordedRequest[];
  /** Requests received since start or the last `reset()`, counted even when recording is off. */
  readonly requestCount: number;
  /** Scripted responses still queued. */
  readonly pending: number;
  /** Queues responses used FIFO by the next requests (a responder returning `undefined` falls through). */
  enqueue(...responses: Array<ScriptedResponse | ScriptedResponder>): void;
  /** Replaces the fallback used when the queue is empty (`undefined` restores the built-in routes only). */
  setDefault(handler: ScriptedResponder | undefined): void;
  /** Clears recorded requests, the count, the queue and the custom default. */
  reset(): void;
  /** The most recent recorded request. */
  lastRequest(): RecordedRequest | undefined;
  /** Resolves once `n` requests arrived since start/reset; rejects after `timeoutMs` (default 2000). */
  waitForRequests(n: number, timeoutMs?: number): Promise<void>;
  /** Resolves once `predicate()` holds (re-checked on every request/response event); rejects after `timeoutMs` (default 2000). */
  waitUntil(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  /** Stops listening, destroys open sockets (hanging and streaming ones too) and cancels timers. */
  close(): Promise<void>;
}
