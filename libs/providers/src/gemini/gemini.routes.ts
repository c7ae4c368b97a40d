import { isSafeIdSegment } from '../path-rules';
import { MODEL_UNREADABLE, SELECTS_NO_MODEL } from '../model-selection/model-selection';
import type { ModelSelection, RequestModelSource } from '../provider-adapter';

/** The API versions served under `/gemini`: the SDK (`@google/genai` 3.x) defaults to `v1`, REST examples use `v1beta`. */
export const GEMINI_API_VERSIONS: readonly string[] = Object.freeze(['v1beta', 'v1']);

/**
 * The model methods of the native Gemini API that are proxied (ai.google.dev/api): generation (plain and streamed),
 * token counting and embeddings. `@google/genai`'s `models.embedContent` calls `:batchEmbedContents`.
 */
export type GeminiModelMethod = 'generateContent' | 'streamGenerateContent' | 'countTokens' | 'embedContent' | 'batchEmbedContents';

const MODEL_METHODS: ReadonlySet<string> = new Set<GeminiModelMethod>([
  'generateContent',
  'streamGenerateContent',
  'countTokens',
  'embedContent',
  'batchEmbedContents',
]);

/** The methods whose successful responses carry billable `usageMetadata` (`countTokens` is free). */
const USAGE_METHODS: ReadonlySet<string> = new Set<GeminiModelMethod>([
  'generateContent',
  'streamGenerateContent',
  'embedContent',
  'batchEmbedContents',
]);

/** A parsed Gemini API path. */
export type GeminiPath =
  | { readonly kind: 'list' }
  | { readonly kind: 'model'; readonly model: string }
  | { readonly kind: 'method'; readonly model: string; readonly method: GeminiModelMethod };

function isModelMethod(value: string): value is GeminiModelMethod {
  return MODEL_METHODS.has(value);
}

/**
 * Parses `/{version}/models`, `/{version}/models/{model}` and `/{version}/models/{model}:{method}`; undefined for any
 * other path (tuned models, files, caches, the Live API… are not proxied). The model segment must be a safe id
 * segment (no dot-segment, no escaped slash).
 */
export function parseGeminiPath(pathSuffix: string): GeminiPath | undefined {
  const segments = pathSuffix.split('/');
  // ['', version, 'models', ...]
  if (segments[0] !== '' || !GEMINI_API_VERSIONS.includes(segments[1] ?? '') || segments[2] !== 'models') return undefined;
  if (segments.length === 3) return { kind: 'list' };
  const last = segments[3];
  if (segments.length !== 4 || last === undefined || last === '') return undefined;
  const colon = last.lastIndexOf(':');
  if (colon === -1) return isSafeIdSegment(last) ? { kind: 'model', model: decodeModel(last) } : undefined;
  const model = last.slice(0, colon);
  const method = last.slice(colon + 1);
  if (model === '' || !isSafeIdSegment(model) || !isModelMethod(method)) return undefined;
  return { kind: 'method', model: decodeModel(model), method };
}

function decodeModel(segment: string): string {
  // isSafeIdSegment already decoded it once successfully.
  return segment.includes('%') ? decodeURIComponent(segment) : segment;
}

/** True when `method pathSuffix` is a proxied Gemini API call. */
export function isGeminiAllowedPath(method: string, pathSuffix: string): boolean {
  const path = parseGeminiPath(pathSuffix);
  if (!path) return false;
  return path.kind === 'method' ? method === 'POST' : method === 'GET';
}

/** The `gen_ai.operation.name` of a model method (docs/observability.md): generation, embeddings; none for the others. */
export function geminiGenAiOperation(method: string, pathSuffix: string): string | undefined {
  const path = method === 'POST' ? parseGeminiPath(pathSuffix) : undefined;
  if (path?.kind !== 'method') return undefined;
  if (path.method === 'generateContent' || path.method === 'streamGenerateContent') return 'generate_content';
  return path.method === 'embedContent' || path.method === 'batchEmbedContents' ? 'embeddings' : undefined;
}

/** True when a successful response to `method pathSuffix` reports billable usage. */
export function geminiReportsUsage(method: string, pathSuffix: string): boolean {
  const path = parseGeminiPath(pathSuffix);
  return method === 'POST' && path?.kind === 'method' && USAGE_METHODS.has(path.method);
}

/** Every model method names its model in the URL (`models/{model}:generateContent`): the trace records it. */
export function geminiRequestModelSource(method: string, pathSuffix: string): RequestModelSource | undefined {
  const path = parseGeminiPath(pathSuffix);
  return method === 'POST' && path?.kind === 'method' ? { from: 'url', model: path.model } : undefined;
}

/**
 * Every model method runs the model its URL names (`models/{model}:generateContent`, `:countTokens` included: the name
 * is always there, so it is always checked); listings and model metadata (GET) run none (model allowlists,
 * docs/gateway.md).
 */
export function geminiModelSelection(method: string, pathSuffix: string): ModelSelection {
  if (method !== 'POST') return SELECTS_NO_MODEL;
  const path = parseGeminiPath(pathSuffix);
  // A POST that is no model method is no route either (404); should one appear, it fails closed.
  return path?.kind === 'method' ? { in: 'url', model: path.model } : MODEL_UNREADABLE;
}
