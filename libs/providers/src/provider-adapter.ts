import type { SseEvent } from './sse/sse-parser';
import type { Usage } from './usage';

/** The upstreams NavPlane proxies. */
export const PROVIDER_IDS = ['openai', 'anthropic'] as const;

/** One upstream provider's id. */
export type ProviderId = (typeof PROVIDER_IDS)[number];

/** What `prepareRequest` decided about a request body the gateway had to read. */
export interface PreparedRequest {
  /** The body to forward: the parsed input itself when unchanged, else a shallow-copied rewrite. */
  readonly body: unknown;
  /** True when `body` differs from the input and must be re-sent (use `bytes`). */
  readonly changed: boolean;
  /** True when the client asked for a streamed (SSE) response. */
  readonly stream: boolean;
  /** The `model` the client asked for, when it is a non-empty string. */
  readonly model?: string;
  /** True when the gateway injected usage reporting the client did not ask for: the tap must hide it. */
  readonly stripUsageChunk: boolean;
  /**
   * When `changed` and the raw body was passed: the bytes to forward. Every byte the client sent is
   * kept (numbers, key order, spacing); only the injected member is added. Undefined otherwise.
   */
  readonly bytes?: Buffer;
}

/**
 * Where a request body names its model: `json`, the top-level `model` member of a JSON object; `multipart`, the
 * `model` field of a `multipart/form-data` body (audio and image uploads).
 */
export type RequestModelLocation = 'json' | 'multipart';

/** What the stream tap does with the bytes of an event when it rewrites a stream. */
export type StreamEventAction = 'forward' | 'drop' | 'forward-without-null-usage';

/** Usage, model and status read from one response stream so far. */
export interface StreamReadState {
  readonly usage?: Usage;
  readonly model?: string;
  /** True once the provider's terminal event was seen (`[DONE]`, `message_stop`, `response.completed`…). */
  readonly complete: boolean;
  /** Events whose data was not the JSON the provider sends. */
  readonly malformedEvents: number;
  /** The provider's error type/code when the stream carried an error event. */
  readonly streamError?: string;
}

/** Reads one provider's SSE events; made per response by the adapter. */
export interface StreamReader {
  /** Reads one event; the action matters only when the tap rewrites the stream. */
  onEvent(event: SseEvent): StreamEventAction;
  /**
   * Optional: an event over the size cap, of which only the type and the last ~64 KiB of raw lines
   * are known (a huge `response.completed` still ends with its `usage`). Always forwarded as is.
   */
  onOversizedEvent?(event: SseEvent): void;
  /** The state so far (callable at any time, e.g. after a client disconnect). */
  state(): StreamReadState;
}

/** Options of `ProviderAdapter.createStreamReader`. */
export interface StreamReaderOptions {
  /** Drop the usage-only chunk and the `"usage":null` members the gateway caused (default false). */
  readonly stripUsageChunk?: boolean;
}

/**
 * One upstream provider as a plain object of pure functions: where requests go, which paths exist,
 * how keys are sent, and how usage is read. Adding a provider is a new folder implementing this.
 * A `pathSuffix` is the upstream path, `/v1/...`, exactly as appended to the base URL.
 */
export interface ProviderAdapter {
  readonly id: ProviderId;
  /** The gateway route prefix (`/openai`, `/anthropic`); `<prefix>/v1/*` is proxied. */
  readonly routePrefix: string;
  /** Lower-case client headers that carry a provider key in passthrough mode. */
  readonly credentialHeaderNames: readonly string[];
  /**
   * Lower-case client request headers forwarded to this provider as sent: the provider headers its official SDKs
   * send (`openai-organization`, `anthropic-version`, …) and their `x-stainless-*` telemetry, by name. The gateway
   * adds the generic HTTP ones (`content-type`, `accept`, `user-agent`, …); nothing else reaches the provider.
   */
  readonly forwardedHeaderNames: ReadonlySet<string>;
  /** The upstream URL: operator base URL + path suffix + `?rawQuery` (when non-empty). Never reads a host from the request. */
  upstreamUrl(baseUrl: string, pathSuffix: string, rawQuery?: string): string;
  /** True when `method pathSuffix` is part of the provider's public API (else the gateway answers 404 `route_not_found`). */
  isAllowedPath(method: string, pathSuffix: string): boolean;
  /** The headers that authenticate with a stored provider key (vault mode). */
  vaultAuthHeaders(providerKey: string): Readonly<Record<string, string>>;
  /** True only where the gateway must read the JSON request body (see `prepareRequest`). */
  needsRequestBody(method: string, pathSuffix: string): boolean;
  /** Inspects (and for exact stream usage, may rewrite) a body read because `needsRequestBody` said so. */
  prepareRequest(pathSuffix: string, json: unknown, rawBody?: Buffer): PreparedRequest;
  /**
   * Where the request body of `method pathSuffix` names its model, for the routes whose response names none
   * (transcriptions, moderations, count_tokens…): the trace then records the model the client asked for. Undefined
   * elsewhere (the response's model is recorded, or the route has no model).
   */
  requestModelLocation(method: string, pathSuffix: string): RequestModelLocation | undefined;
  /** True when a successful response to `method pathSuffix` reports billable token usage. */
  reportsUsage(method: string, pathSuffix: string): boolean;
  /** Usage from a parsed JSON response body of a usage-reporting route, else undefined. */
  usageFromJson(pathSuffix: string, json: unknown): Usage | undefined;
  /** The model a parsed JSON response body names, else undefined. */
  modelFromJson(json: unknown): string | undefined;
  /** A fresh reader for one SSE response. */
  createStreamReader(options?: StreamReaderOptions): StreamReader;
}
