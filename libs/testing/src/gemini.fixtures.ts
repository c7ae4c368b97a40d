import { randomBase62 } from './fake-ids';
import type { SseEvent } from './fake-upstream.types';
import { resolveChunks } from './text-chunks';

/** Token counts of a Gemini answer (`usageMetadata`). */
export interface GeminiUsageOptions {
  /** The whole prompt, cached part included. Default 10. */
  readonly promptTokens?: number;
  /** Default 0 (the field is then left out, as the API does). */
  readonly cachedTokens?: number;
  /** Default 0 (left out). */
  readonly thoughtsTokens?: number;
  /** Default: the number of chunks. */
  readonly candidatesTokens?: number;
}

/** Options of `geminiGenerateContent` / `geminiGenerateStream`. */
export interface GeminiGenerateOptions {
  /** The `modelVersion` reported. Default `gemini-2.5-flash`. */
  readonly model?: string;
  /** Default a random id. */
  readonly responseId?: string;
  /** Reply pieces, one stream event each (default the shared fake reply). */
  readonly chunks?: readonly string[];
  /** Default `STOP`. */
  readonly finishReason?: 'STOP' | 'MAX_TOKENS' | 'SAFETY';
  readonly usage?: GeminiUsageOptions;
  /** Stream only: delay before each event after the first (default 0). */
  readonly delayMs?: number;
}

/** A Gemini `usageMetadata` as the API reports it (zero optional counts left out). */
export function geminiUsageMetadata(usage: GeminiUsageOptions, candidatesTokens: number | undefined): Record<string, unknown> {
  const prompt = usage.promptTokens ?? 10;
  const thoughts = usage.thoughtsTokens ?? 0;
  const metadata: Record<string, unknown> = { promptTokenCount: prompt };
  if (candidatesTokens !== undefined) metadata['candidatesTokenCount'] = candidatesTokens;
  metadata['totalTokenCount'] = prompt + (candidatesTokens ?? 0) + thoughts;
  if (usage.cachedTokens) metadata['cachedContentTokenCount'] = usage.cachedTokens;
  metadata['promptTokensDetails'] = [{ modality: 'TEXT', tokenCount: prompt }];
  if (thoughts) metadata['thoughtsTokenCount'] = thoughts;
  return metadata;
}

function candidate(parts: readonly string[], finishReason: string | undefined): Record<string, unknown> {
  return {
    content: { parts: parts.map((text) => ({ text })), role: 'model' },
    ...(finishReason === undefined ? {} : { finishReason }),
    index: 0,
  };
}

/** A `:generateContent` response (`GenerateContentResponse`). */
export function geminiGenerateContent(options: GeminiGenerateOptions = {}): Record<string, unknown> {
  const chunks = resolveChunks(options.chunks, undefined);
  return {
    candidates: [candidate([chunks.join('')], options.finishReason ?? 'STOP')],
    usageMetadata: geminiUsageMetadata(options.usage ?? {}, options.usage?.candidatesTokens ?? chunks.length),
    modelVersion: options.model ?? 'gemini-2.5-flash',
    responseId: options.responseId ?? randomBase62(22),
  };
}

/**
 * A `:streamGenerateContent?alt=sse` stream: one unnamed event per chunk, each a whole `GenerateContentResponse`
 * with the usage so far (the prompt from the first event, the candidates count growing); the last carries the
 * `finishReason` and the total. No `[DONE]`.
 */
export function geminiGenerateStream(options: GeminiGenerateOptions = {}): SseEvent[] {
  const chunks = resolveChunks(options.chunks, undefined);
  const usage = options.usage ?? {};
  const total = usage.candidatesTokens ?? chunks.length;
  const model = options.model ?? 'gemini-2.5-flash';
  const responseId = options.responseId ?? randomBase62(22);
  return chunks.map((text, index) => {
    const last = index === chunks.length - 1;
    const data = {
      candidates: [candidate([text], last ? (options.finishReason ?? 'STOP') : undefined)],
      usageMetadata: geminiUsageMetadata(usage, last ? total : Math.min(index + 1, total)),
      modelVersion: model,
      responseId,
    };
    return index > 0 && options.delayMs ? { data, delayMs: options.delayMs } : { data };
  });
}

/** One `ContentEmbedding` of `dimensions` values, distinct per `index`. */
function geminiEmbedding(index: number, dimensions: number): { values: number[] } {
  return { values: Array.from({ length: dimensions }, (_, d) => (index + d + 1) / 100) };
}

/** A `:batchEmbedContents` response: one embedding per request, and the prompt tokens of all of them. */
export function geminiBatchEmbeddings(count: number, dimensions: number, promptTokens: number): Record<string, unknown> {
  return {
    embeddings: Array.from({ length: count }, (_, i) => geminiEmbedding(i, dimensions)),
    usageMetadata: { promptTokenCount: promptTokens, totalTokenCount: promptTokens },
  };
}

/** An `:embedContent` response: one embedding and its prompt tokens. */
export function geminiEmbedContent(dimensions: number, promptTokens: number): Record<string, unknown> {
  return { embedding: geminiEmbedding(0, dimensions), usageMetadata: { promptTokenCount: promptTokens, totalTokenCount: promptTokens } };
}

/** One model of `GET /{version}/models`. */
export function geminiModel(id: string): Record<string, unknown> {
  return {
    name: `models/${id}`,
    version: '001',
    displayName: id,
    inputTokenLimit: 1048576,
    outputTokenLimit: 65536,
    supportedGenerationMethods: id.includes('embedding') ? ['embedContent'] : ['generateContent', 'countTokens'],
  };
}

/** `GET /{version}/models`. */
export function geminiModelList(): Record<string, unknown> {
  return { models: ['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-embedding-001'].map(geminiModel) };
}

const GEMINI_STATUS: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** Google's error envelope: `{error: {code, message, status}}`. */
export function geminiErrorBody(status: number, message: string): Record<string, unknown> {
  return { error: { code: status, message, status: GEMINI_STATUS[status] ?? (status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT') } };
}

/**
 * The `fetch` to hand `@google/genai` in tests (`httpOptions.fetch`): without one, the SDK routes Node's fetch
 * through a dispatcher that delegates to undici's global dispatcher, which Jest's per-file global hides ("Undici
 * globalDispatcher is not available"). The requests the SDK builds (URL, headers, body) are the same either way.
 */
export const sdkFetch: typeof fetch = (input, init) => fetch(input, init);
