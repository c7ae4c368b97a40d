import type { AssemblyContext } from './assemble/assembly-context';
import type { BatchResults } from './batch/batch-results';
import type { StreamAssembly } from './assemble/stream-assembly';
import type { ProviderPrices } from './pricing/price-table';
import type { SseEvent } from './sse/sse-parser';
import type { Usage } from './usage';
import type { WebSocketSupport } from './websocket';

/**
 * One upstream provider's id (`openai`, `anthropic`, an operator-defined `groq`…): the gateway route prefix, the
 * name its keys are stored under and what traces record. A plain string, checked against the registry
 * (`ProviderRegistry.has`, `BUILT_IN_PROVIDER_IDS`); only the registry lists providers.
 */
export type ProviderId = string;

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

/**
 * Where the model a request asks for is found: in its body (`json`, `multipart`: read by a bounded scanner as the
 * body passes; `fallback`, known from the URL, when the body names none — an Azure deployment), or already known from
 * its URL (`url`: a path segment such as Gemini's `models/{model}:generateContent` or an Azure deployment, or a query
 * parameter).
 */
export type RequestModelSource =
  | { readonly from: RequestModelLocation; readonly fallback?: string }
  | { readonly from: 'url'; readonly model: string };

/**
 * Whether a request makes the provider run a model the client chooses, and where it names it: what a key's model
 * allowlist is checked against (docs/gateway.md, "Model allowlists").
 * - `none`: no model runs on the client's choice (listings, model metadata, files, reading, cancelling or deleting
 *   stored objects);
 * - `body`: the model the body names (the top-level `model` of a JSON object, or the `model` field of a
 *   `multipart/form-data` body); `optional`: a body that names none runs nothing chosen by the client (token counting);
 * - `url`: the model its URL names (Gemini's `models/{model}:generateContent`);
 * - `unreadable`: a model runs that the gateway cannot read from the request (a batch whose requests sit in an uploaded
 *   file or nested in the body, a run that continues with a stored model, or a POST the adapter does not classify).
 */
export type ModelSelection =
  | { readonly in: 'none' }
  | { readonly in: 'body'; readonly optional: boolean }
  | { readonly in: 'url'; readonly model: string }
  | { readonly in: 'unreadable' };

/** The API formats providers speak: a request can go to any provider of its format, to no other. */
export type ApiFormat = 'openai' | 'anthropic' | 'gemini';

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
  /**
   * True when `onEvent` may answer other than `forward` (it hides what the gateway injected): the tap then holds each
   * event until it is complete. False: every chunk is forwarded the moment it arrives.
   */
  readonly rewrites: boolean;
  /** Reads one event; the action matters only when the reader `rewrites`. */
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
 * A header a client puts a key in for this provider, as the provider's SDKs send it: its provider key (forwarded as
 * sent in passthrough mode), or a NavPlane key in its place (vault mode).
 */
export interface KeyHeader {
  /** Lower-case header name (`authorization`, `x-api-key`, `x-goog-api-key`, `api-key`). */
  readonly name: string;
  /** `bearer`: the header's value is `Bearer <key>`; absent: the value is the key. */
  readonly scheme?: 'bearer';
}

/**
 * A gateway path outside every provider prefix that still reaches this provider, for SDKs whose base URL is the
 * gateway root (`/v1/messages` for the Anthropic SDK, `/v1/*` for the OpenAI SDK). The path is the upstream path:
 * `<baseUrl><path>`. Longer aliases win over shorter ones; two providers may not claim the same one.
 */
export interface RootAlias {
  readonly path: string;
  /** `exact`: only this path; `prefix`: every path that starts with it (`path` then ends with `/`). */
  readonly match: 'exact' | 'prefix';
  /**
   * A root claim: the alias covers only requests that carry this (lower-case) header, whatever its value. The
   * provider's own SDKs always send it (Anthropic's `anthropic-version`), so an SDK whose base URL is the gateway root
   * reaches its provider on every path (`GET /v1/models`, `/v1/files`) even where another provider's alias covers the
   * path too. Claims are checked before every alias without one.
   */
  readonly header?: string;
}

/**
 * A request's headers as Node gives them (`IncomingMessage.headers`: lower-case names), for the root claims of
 * `RootAlias.header`.
 */
export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** One request the adapter answers, used to check its routing (`navplane doctor`, the conformance suite). */
export interface RouteProbe {
  readonly method: string;
  /** The upstream path, as appended to the base URL. */
  readonly pathSuffix: string;
}

/**
 * One upstream provider as a plain object of pure functions. It owns everything provider-specific: its routes, how
 * clients present keys and how the stored key is injected, which client headers reach it, how requests name their
 * model, how usage, model and the assembled response are read from its JSON and SSE responses, and its prices.
 * Adding a provider is a new folder implementing this plus one line in `registry/built-in-providers.ts`
 * (libs/providers/README.md, "Adding a provider"). A `pathSuffix` is the upstream path exactly as appended to the base
 * URL (`/v1/chat/completions`, `/v1beta/models/gemini-2.5-pro:generateContent`).
 */
export interface ProviderAdapter {
  readonly id: ProviderId;
  /**
   * The API format its requests and responses speak: `openai` (OpenAI and every OpenAI-compatible upstream: Mistral,
   * Azure OpenAI, operator-defined providers), `anthropic`, `gemini`. A route's targets must speak one (docs/routing.md).
   */
  readonly apiFormat: ApiFormat;

  // Routes.
  /** The gateway route prefix, `/<id>`: `<prefix><pathSuffix>` is proxied to `<baseUrl><pathSuffix>`. */
  readonly routePrefix: string;
  /**
   * The upstream path prefixes served under `routePrefix` (`/v1/`; Gemini would list `/v1beta/` and `/v1/`). Another
   * path under the prefix is no route at all (404 before authentication).
   */
  readonly pathPrefixes: readonly string[];
  /** Paths at the gateway root that reach this provider (see `RootAlias`); usually none. */
  readonly rootAliases: readonly RootAlias[];
  /** A request that must route to this provider (its main endpoint). */
  readonly probe: RouteProbe;
  /** True when `method pathSuffix` is part of the provider's public API (else the gateway answers 404 `route_not_found`). */
  isAllowedPath(method: string, pathSuffix: string): boolean;
  /**
   * `required`: the upstream is the tenant's own endpoint (Azure OpenAI's `https://<resource>.openai.azure.com`), stored
   * with the org's key as its `baseUrl` (validated by the egress rules: https, public addresses, unless allowlisted;
   * docs/security-egress.md) and used in place of an operator base URL, which the provider has none of. Absent: the
   * operator's base URL (`NAVPLANE_<ID>_BASE_URL`, the config file), and a stored key may carry no `baseUrl`.
   */
  readonly tenantBaseUrl?: 'required';
  /**
   * Optional: the API-format path (`/v1/chat/completions`, as the format's reference provider names it) a path suffix
   * of this provider serves (Azure OpenAI: `/openai/v1/chat/completions` → `/v1/chat/completions`). A routed request
   * (docs/routing.md) is mapped through it onto its targets. Absent: the suffix is the format path (identity).
   */
  formatPathOf?(pathSuffix: string): string;
  /**
   * Optional: this provider's path suffix for an API-format path (Azure OpenAI: `/v1/chat/completions` →
   * `/openai/v1/chat/completions`, its v1 API): where a routed request goes on a target of this provider. Absent:
   * identity.
   */
  pathFor?(formatPath: string): string;
  /** The upstream URL: base URL + path suffix + `?rawQuery` (when non-empty). Never reads a host from the request. */
  upstreamUrl(baseUrl: string, pathSuffix: string, rawQuery?: string): string;

  // Keys and headers.
  /**
   * Where this provider's SDKs put their key. In passthrough mode these headers are forwarded as the client sent
   * them; in vault mode a NavPlane key is accepted in any of them (besides `Authorization: Bearer` and `x-api-key`,
   * which every route accepts).
   */
  readonly keyHeaders: readonly KeyHeader[];
  /** How this provider's keys begin (`sk-`): a refused credential so shaped gets a hint that it is not a NavPlane key. */
  readonly keyPrefixes: readonly string[];
  /** The headers that authenticate with a stored provider key (vault mode). */
  vaultAuthHeaders(providerKey: string): Readonly<Record<string, string>>;
  /**
   * Lower-case client request headers forwarded to this provider as sent: the provider headers its official SDKs
   * send (`openai-organization`, `anthropic-version`, …) and their `x-stainless-*` telemetry, by name. The gateway
   * adds the generic HTTP ones (`content-type`, `accept`, `user-agent`, …); nothing else reaches the provider.
   */
  readonly forwardedHeaderNames: ReadonlySet<string>;

  // Requests.
  /** True only where the gateway must read the JSON request body (see `prepareRequest`). */
  needsRequestBody(method: string, pathSuffix: string): boolean;
  /** Inspects (and for exact stream usage, may rewrite) a body read because `needsRequestBody` said so. */
  prepareRequest(pathSuffix: string, json: unknown, rawBody?: Buffer): PreparedRequest;
  /**
   * Where the model `method pathSuffix?rawQuery` asks for is found, for the routes whose response names none
   * (transcriptions, moderations, count_tokens…) or that name it in the URL: the trace then records the model the
   * client asked for. Undefined elsewhere (the response's model is recorded, or the route has no model).
   */
  requestModelSource(method: string, pathSuffix: string, rawQuery: string): RequestModelSource | undefined;
  /**
   * Which model `method pathSuffix?rawQuery` makes the provider run, for model allowlists (see `ModelSelection`). Fail
   * closed: a POST the adapter does not know is `unreadable`, never `none`.
   */
  modelSelection(method: string, pathSuffix: string, rawQuery: string): ModelSelection;

  // Responses.
  /** True when a successful response to `method pathSuffix` reports billable token usage. */
  reportsUsage(method: string, pathSuffix: string): boolean;
  /**
   * The top-level JSON members that hold usage and model (`usage`, `model`; Gemini: `usageMetadata`, `modelVersion`):
   * a JSON body too large to parse whole is read from its head and tail windows by these names.
   */
  readonly jsonMembers: { readonly usage: string; readonly model: string };
  /** Usage from a parsed JSON response body of a usage-reporting route, else undefined. */
  usageFromJson(pathSuffix: string, json: unknown): Usage | undefined;
  /** The model a parsed JSON response body names, else undefined. */
  modelFromJson(json: unknown): string | undefined;
  /** A fresh reader of usage, model and status for one SSE response. */
  createStreamReader(options?: StreamReaderOptions): StreamReader;
  /**
   * A fresh assembly of one SSE response into the provider's non-streamed response shape (body capture). It is fed
   * the events the stream tap already parsed for the reader: a stream is parsed once.
   */
  createStreamAssembly(context: AssemblyContext): StreamAssembly;

  // Model listings.
  /**
   * Optional: the format's model listing (`GET /v1/models`, as a format path) and how names are added to its JSON
   * answer (docs/routing.md, "Model listings"): the org's route names are listed beside the provider's models. Returns
   * undefined when the body is not the listing's shape (it is then passed on unchanged).
   */
  readonly modelListing?: ModelListing;

  // Prices.
  /** This provider's rows of the price table (docs/pricing.md); none for operator-defined providers. */
  readonly prices: ProviderPrices;

  // Batches.
  /**
   * Optional: how this provider's batch results are read from the responses that return them (OpenAI's batch output
   * file, Anthropic's Message Batch results), so each result's usage is recorded at the batch price
   * (docs/traces.md, "Batch usage"). Absent: the provider has no batch results the gateway can read.
   */
  readonly batchResults?: BatchResults;

  // WebSockets.
  /** The provider's WebSocket endpoints (OpenAI: Realtime, Responses over WebSocket); absent: no upgrade is proxied. */
  readonly webSocket?: WebSocketSupport;

  // Telemetry.
  /**
   * The `gen_ai.provider.name` of its OpenTelemetry spans and metrics (docs/observability.md): the GenAI semantic
   * conventions' value where they name the provider (`openai`, `anthropic`, `gcp.gemini`, `mistral_ai`,
   * `azure.ai.openai`), else the provider id.
   */
  readonly genAiProviderName: string;
  /**
   * The `gen_ai.operation.name` of `method pathSuffix` (`chat`, `text_completion`, `embeddings`, `generate_content`), or
   * undefined for a request that is no GenAI operation (files, batches, model listings…).
   */
  genAiOperation(method: string, pathSuffix: string): string | undefined;

  // Clients.
  /** The environment variables its official SDKs read, for `navplane shell-init` and `wrap`; none when it has no SDK. */
  readonly sdkEnvironment?: SdkEnvironment;
}

/**
 * The environment variables that point a provider's official SDKs at the gateway: each base-URL variable gets the
 * gateway URL plus `path` (`OPENAI_BASE_URL` = `<gateway>/v1`), each key variable the NavPlane key.
 */
export interface SdkEnvironment {
  readonly baseUrl: ReadonlyArray<{ readonly name: string; readonly path: string }>;
  readonly apiKey: readonly string[];
}

/** A format's model listing: the path (a format path, `GET`) and how route names are appended to its JSON answer. */
export interface ModelListing {
  readonly path: string;
  append(json: unknown, names: readonly string[]): unknown;
}

/** The format path a provider's path suffix serves (`ProviderAdapter.formatPathOf`, identity when absent). */
export function formatPathOf(adapter: ProviderAdapter, pathSuffix: string): string {
  return adapter.formatPathOf === undefined ? pathSuffix : adapter.formatPathOf(pathSuffix);
}

/** A provider's path suffix for a format path (`ProviderAdapter.pathFor`, identity when absent). */
export function providerPathFor(adapter: ProviderAdapter, formatPath: string): string {
  return adapter.pathFor === undefined ? formatPath : adapter.pathFor(formatPath);
}
