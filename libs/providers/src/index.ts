export * from './provider-adapter';
export * from './usage';
export * from './websocket';
export * from './registry/built-in-providers';
export * from './registry/provider-registry';
export { openaiAdapter } from './openai/openai.adapter';
export { anthropicAdapter } from './anthropic/anthropic.adapter';
export { geminiAdapter } from './gemini/gemini.adapter';
export { azureOpenAIAdapter } from './azure-openai/azure-openai.adapter';
export {
  createOpenAICompatibleAdapter,
  parseOpenAICompatibleAuth,
  PROVIDER_ID_PATTERN,
  type OpenAICompatibleAuth,
  type OpenAICompatibleProvider,
} from './openai-compatible/openai-compatible.adapter';
export { compilePathRules, isSafeIdSegment, type PathAllowlist, type PathRule } from './path-rules';
export { joinUpstreamUrl, normalizeBaseUrl } from './upstream-url';
export { STAINLESS_SDK_HEADERS } from './sdk-headers';
export { createRequestModelReader, type RequestModelBodyHeaders, type RequestModelReader } from './request-model/request-model-reader';
export { MAX_MODEL_BYTES } from './request-model/json-model-scanner';
export {
  MODEL_IN_BODY,
  MODEL_IN_BODY_IF_NAMED,
  MODEL_UNREADABLE,
  postModelSelection,
  SELECTS_NO_MODEL,
  type ModelSelectionRules,
} from './model-selection/model-selection';
export { readRequestedModel, type RequestedModel, type RequestedModelHeaders } from './model-selection/requested-model';
export { BODY_NOT_JSON, parsedJsonBody } from './model-selection/parsed-body';
export { MAX_PART_HEADER_BYTES, multipartBoundary } from './request-model/multipart-model-scanner';
export { DEFAULT_MAX_EVENT_BYTES, SseParser, type SseBlockHandler, type SseEvent } from './sse/sse-parser';
export * from './stream-tap';
export * from './json-tap';
export * from './pricing/price-table';
export * from './pricing/pricing';
export * from './assemble/assembler.types';
export { createResponseAssembler, createStreamEventAssembler } from './assemble/response-assembler';
export { AssemblyContext, DEFAULT_ASSEMBLED_MAX_CHARS } from './assemble/assembly-context';
export type { StreamAssembly } from './assemble/stream-assembly';
export * from './batch/batch-results';
export * from './batch/batch-results-tap';
