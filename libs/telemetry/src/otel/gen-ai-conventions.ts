// Names of the OpenTelemetry GenAI semantic conventions (and the HTTP, error and server attributes they use), as
// `@opentelemetry/semantic-conventions` 1.45 names them. They are written out here rather than imported from its
// `incubating` entry point: the OpenTelemetry JS guidance for experimental conventions is to copy the few that are
// used, so a minor release that renames one cannot change what NavPlane emits (docs/observability.md lists them).

/** Span and metric attributes. */
export const ATTR = Object.freeze({
  genAiOperationName: 'gen_ai.operation.name',
  genAiProviderName: 'gen_ai.provider.name',
  genAiRequestModel: 'gen_ai.request.model',
  genAiResponseModel: 'gen_ai.response.model',
  genAiUsageInputTokens: 'gen_ai.usage.input_tokens',
  genAiUsageOutputTokens: 'gen_ai.usage.output_tokens',
  genAiTokenType: 'gen_ai.token.type',
  errorType: 'error.type',
  httpRequestMethod: 'http.request.method',
  httpResponseStatusCode: 'http.response.status_code',
  httpRoute: 'http.route',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  urlPath: 'url.path',
  serviceName: 'service.name',
} as const);

/** `gen_ai.token.type` values. */
export const TOKEN_TYPE = Object.freeze({ input: 'input', output: 'output' } as const);

/** The GenAI metrics NavPlane records. */
export const METRIC = Object.freeze({
  clientTokenUsage: 'gen_ai.client.token.usage',
  clientOperationDuration: 'gen_ai.client.operation.duration',
  serverRequestDuration: 'gen_ai.server.request.duration',
} as const);

/** The conventions' bucket boundaries of `gen_ai.client.token.usage` ({token}). */
export const TOKEN_USAGE_BUCKETS: readonly number[] = Object.freeze([
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
]);

/** The conventions' bucket boundaries of the GenAI durations (s). */
export const DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
]);
