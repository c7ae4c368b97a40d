import type { IncomingHttpHeaders } from 'node:http';
import {
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import type { ResolvedRoute, Usage } from '@navplane/providers';
import { ATTR, TOKEN_TYPE, type OpenTelemetry } from '@navplane/telemetry';
import type { Started } from '../gateway-context';
import type { ProxyOutcome } from '../proxy/forward-upstream';

// OpenTelemetry of the provider path (docs/observability.md): one SERVER span per gateway request, child of the
// client's `traceparent` when it sent one, and one CLIENT span per upstream attempt (a routed request makes several),
// named and attributed per the GenAI semantic conventions, plus their metrics. Only ids, names, models, counts and
// statuses are recorded: never a key, a header value, a prompt or a completion. When OpenTelemetry is off none of this
// exists: the gateway checks one field per request (`GatewayDeps.telemetry`).

/** How one upstream attempt ended, as its client span records it. */
export interface AttemptResult {
  /** The provider's status (absent when no response head arrived). */
  readonly status?: number;
  /** The failure class (`connection_refused`, `response_timeout`, `client_aborted`…), when it failed. */
  readonly failure?: string;
  readonly usage?: Usage;
  /** The model the provider reported. */
  readonly model?: string;
  /** True when the route dropped this attempt's answer and moved on to its next attempt (docs/routing.md). */
  readonly movedOn?: boolean;
  /** The model the request names, when it was learnt only as the body streamed upstream. */
  readonly requestModel?: string;
}

/** The client span of one upstream attempt. */
export interface AttemptTelemetry {
  /** Adds our client span's `traceparent` (and the client's `tracestate`) to the upstream headers. */
  inject(headers: Record<string, string | string[]>): void;
  /** Ends the span (once) and records the attempt's metrics. */
  end(result: AttemptResult): void;
}

/** The OpenTelemetry of one gateway request: its server span, its attempts, and the ids logs and traces carry. */
export interface RequestTelemetry {
  /** The OTel trace id (32 hex digits): stored on the trace row, logged as `trace_id`; undefined without tracing. */
  readonly traceId: string | undefined;
  /** The server span's id, logged as `span_id`. */
  readonly spanId: string | undefined;
  /** Starts the client span of an upstream attempt to `target` for `model` (the target's, or the one requested). */
  attempt(target: ResolvedRoute, method: string, model: string | undefined, upstreamUrl: string): AttemptTelemetry;
  /** Ends the server span (once) with the request's outcome and records its metric. */
  end(outcome: ProxyOutcome): void;
}

/** Starts the telemetry of each request the gateway serves. */
export interface GatewayTelemetry {
  start(headers: IncomingHttpHeaders, context: Started): RequestTelemetry;
}

/** The fields a log line of a request adds when OpenTelemetry traces it (docs/observability.md, "Logs"). */
export function otelLogFields(telemetry: RequestTelemetry | undefined): { trace_id?: string; span_id?: string } {
  if (telemetry?.traceId === undefined) return {};
  return { trace_id: telemetry.traceId, span_id: telemetry.spanId };
}

/** The span name of the GenAI conventions: `{operation} {model}`; a request that is no GenAI operation: its method. */
function spanName(operation: string | undefined, model: string | undefined, method: string): string {
  if (operation === undefined) return method;
  return model === undefined ? operation : `${operation} ${model}`;
}

const perfOrigin = performance.timeOrigin;
/** A performance.now() reading as the epoch milliseconds the SDK takes for span times. */
const epochMs = (perfNow: number) => perfOrigin + perfNow;

/** `server.address` and `server.port` of an upstream URL (the port only when the URL names one, else the scheme's). */
function serverAttributes(upstreamUrl: string): Attributes {
  try {
    const url = new URL(upstreamUrl);
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    return { [ATTR.serverAddress]: url.hostname, [ATTR.serverPort]: port };
  } catch {
    return {};
  }
}

/** The telemetry of the gateway's requests over a started SDK (`startOpenTelemetry` of `@navplane/telemetry`). */
export function createGatewayTelemetry(otel: OpenTelemetry): GatewayTelemetry {
  const { tracer, genAi, propagator } = otel;

  class Attempt implements AttemptTelemetry {
    #ended = false;
    readonly #startedAt = performance.now();
    readonly #span: Span | undefined;
    readonly #context: Context | undefined;
    readonly #server: Attributes;

    constructor(
      parent: Context | undefined,
      private readonly operation: string | undefined,
      private readonly requestModel: string | undefined,
      private readonly target: ResolvedRoute,
      private readonly method: string,
      upstreamUrl: string,
    ) {
      this.#server = serverAttributes(upstreamUrl);
      if (tracer !== undefined && parent !== undefined) {
        this.#span = tracer.startSpan(
          spanName(operation, requestModel, method),
          {
            kind: SpanKind.CLIENT,
            attributes: { ...this.#base(requestModel), [ATTR.httpRequestMethod]: method, 'navplane.provider': target.adapter.id },
          },
          parent,
        );
        this.#context = trace.setSpan(parent, this.#span);
      }
    }

    /** The attributes spans and metrics share: provider, operation, requested model, upstream host. */
    #base(requestModel: string | undefined): Attributes {
      return {
        [ATTR.genAiProviderName]: this.target.adapter.genAiProviderName,
        ...(this.operation === undefined ? {} : { [ATTR.genAiOperationName]: this.operation }),
        ...(requestModel === undefined ? {} : { [ATTR.genAiRequestModel]: requestModel }),
        ...this.#server,
      };
    }

    inject(headers: Record<string, string | string[]>): void {
      if (this.#context !== undefined) propagator.inject(this.#context, headers, defaultTextMapSetter);
    }

    end(result: AttemptResult): void {
      if (this.#ended) return;
      this.#ended = true;
      const errorType = result.failure ?? (result.status !== undefined && result.status >= 400 ? String(result.status) : undefined);
      const responseModel = result.model;
      const lateModel = this.requestModel === undefined ? result.requestModel : undefined;
      const span = this.#span;
      if (span !== undefined) {
        const attributes: Attributes = { 'navplane.attempt.outcome': result.movedOn === true ? 'moved_on' : 'answered' };
        if (lateModel !== undefined) attributes[ATTR.genAiRequestModel] = lateModel;
        // A request whose model the gateway did not read (it streams the body on) is named by the model that answered.
        const named = lateModel ?? (this.requestModel === undefined ? responseModel : undefined);
        if (named !== undefined) span.updateName(spanName(this.operation, named, this.method));
        if (result.status !== undefined && result.status > 0) attributes[ATTR.httpResponseStatusCode] = result.status;
        if (responseModel !== undefined) attributes[ATTR.genAiResponseModel] = responseModel;
        if (result.usage !== undefined) {
          attributes[ATTR.genAiUsageInputTokens] = result.usage.inputTokens;
          attributes[ATTR.genAiUsageOutputTokens] = result.usage.outputTokens;
        }
        if (errorType !== undefined) {
          attributes[ATTR.errorType] = errorType;
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        span.setAttributes(attributes);
        span.end();
      }
      // The GenAI client metrics describe GenAI operations only (not file uploads or model listings).
      if (genAi === undefined || this.operation === undefined) return;
      const attributes = this.#base(this.requestModel ?? lateModel);
      if (responseModel !== undefined) attributes[ATTR.genAiResponseModel] = responseModel;
      const usage = result.usage;
      if (usage !== undefined && result.movedOn !== true) {
        genAi.tokenUsage.record(usage.inputTokens, { ...attributes, [ATTR.genAiTokenType]: TOKEN_TYPE.input });
        genAi.tokenUsage.record(usage.outputTokens, { ...attributes, [ATTR.genAiTokenType]: TOKEN_TYPE.output });
      }
      if (errorType !== undefined) attributes[ATTR.errorType] = errorType;
      genAi.clientOperationDuration.record((performance.now() - this.#startedAt) / 1000, attributes);
    }
  }

  class Request implements RequestTelemetry {
    readonly traceId: string | undefined;
    readonly spanId: string | undefined;
    /** The context our client spans are children of (the server span's). */
    readonly context: Context | undefined;
    readonly #span: Span | undefined;
    #ended = false;

    constructor(
      headers: IncomingHttpHeaders,
      private readonly started: Started,
    ) {
      if (tracer === undefined) return;
      // The client's W3C trace context (`traceparent`, `tracestate`), when valid: the server span is its child.
      const parent = propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
      this.#span = tracer.startSpan(
        started.method,
        { kind: SpanKind.SERVER, startTime: epochMs(started.startedAt), attributes: { [ATTR.httpRequestMethod]: started.method } },
        parent,
      );
      const ids = this.#span.spanContext();
      this.traceId = ids.traceId;
      this.spanId = ids.spanId;
      this.context = trace.setSpan(parent, this.#span);
    }

    attempt(target: ResolvedRoute, method: string, model: string | undefined, upstreamUrl: string): AttemptTelemetry {
      const operation = target.adapter.genAiOperation(method, target.pathSuffix);
      return new Attempt(this.context, operation, model, target, method, upstreamUrl);
    }

    end(outcome: ProxyOutcome): void {
      if (this.#ended) return;
      this.#ended = true;
      const { context } = outcome;
      const route = outcome.routing?.answered ?? context.route;
      const operation = context.route?.adapter.genAiOperation(context.method, context.route.pathSuffix);
      // What the client asked for: a route's name for a routed request, else the model of its body or URL.
      const requestModel = context.modelRoute?.name ?? context.model ?? context.requestModel?.model();
      const errorType = outcome.errorClass ?? (outcome.status >= 500 ? String(outcome.status) : undefined);
      const attributes: Attributes = {};
      if (route !== undefined) attributes[ATTR.genAiProviderName] = route.adapter.genAiProviderName;
      if (operation !== undefined) attributes[ATTR.genAiOperationName] = operation;
      if (requestModel !== undefined) attributes[ATTR.genAiRequestModel] = requestModel;
      if (outcome.model !== undefined) attributes[ATTR.genAiResponseModel] = outcome.model;
      if (errorType !== undefined) attributes[ATTR.errorType] = errorType;
      const span = this.#span;
      if (span !== undefined) {
        span.updateName(spanName(operation, requestModel ?? outcome.model, this.started.method));
        const spanAttributes: Attributes = {
          ...attributes,
          'navplane.trace_id': context.traceId,
          'navplane.request_id': context.requestId,
        };
        if (outcome.status > 0) spanAttributes[ATTR.httpResponseStatusCode] = outcome.status;
        if (context.route !== undefined) spanAttributes[ATTR.httpRoute] = context.route.adapter.routePrefix;
        if (context.key !== undefined) {
          spanAttributes['navplane.org_id'] = context.key.orgId;
          spanAttributes['navplane.key_id'] = context.key.id;
        }
        if (outcome.routing !== undefined) {
          spanAttributes['navplane.route'] = outcome.routing.name;
          spanAttributes['navplane.attempts'] = outcome.routing.attempts.length;
        }
        if (outcome.usage !== undefined) {
          spanAttributes[ATTR.genAiUsageInputTokens] = outcome.usage.inputTokens;
          spanAttributes[ATTR.genAiUsageOutputTokens] = outcome.usage.outputTokens;
        }
        if (outcome.stream) spanAttributes['navplane.stream'] = true;
        // A server span fails on a 5xx or a broken exchange; a refusal (4xx) is the client's, not ours (error.type says why).
        if (outcome.status >= 500 || outcome.upstreamFailure !== undefined) span.setStatus({ code: SpanStatusCode.ERROR });
        span.setAttributes(spanAttributes);
        span.end(epochMs(context.startedAt + outcome.latencyMs));
      }
      if (genAi !== undefined && operation !== undefined) genAi.serverRequestDuration.record(outcome.latencyMs / 1000, attributes);
    }
  }

  return {
    start: (headers, context) => new Request(headers, context),
  };
}
