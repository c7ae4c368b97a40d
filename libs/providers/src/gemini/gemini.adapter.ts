import type { AssemblyContext } from '../assemble/assembly-context';
import type { PreparedRequest, ProviderAdapter } from '../provider-adapter';
import { joinUpstreamUrl } from '../upstream-url';
import { GeminiGenerateAssembly } from './gemini-generate.assembly';
import { GeminiStreamReader } from './gemini-stream.reader';
import { geminiModelFromJson, geminiUsageFromJson } from './gemini-usage';
import { GEMINI_PRICES } from './gemini.prices';
import {
  geminiGenAiOperation,
  geminiModelSelection,
  geminiReportsUsage,
  geminiRequestModelSource,
  isGeminiAllowedPath,
} from './gemini.routes';

// The Gemini SDKs (`@google/genai`, google-genai for Python) send their key in `x-goog-api-key`.
const KEY_HEADERS = Object.freeze([Object.freeze({ name: 'x-goog-api-key' })]);

// What `@google/genai` sends besides its key and the generic HTTP headers: its client telemetry
// (`x-goog-api-client`), the server-side deadline (`X-Server-Timeout`) and the billing project of `user_project`.
const FORWARDED_HEADERS: ReadonlySet<string> = new Set(['x-goog-api-client', 'x-server-timeout', 'x-goog-user-project']);

/** Gemini requests are never rewritten (every stream reports usage): the model is in the URL, the body is not read. */
function prepareGeminiRequest(pathSuffix: string, json: unknown): PreparedRequest {
  return { body: json, changed: false, stream: pathSuffix.endsWith(':streamGenerateContent'), stripUsageChunk: false };
}

/**
 * The native Gemini API: `/gemini/{v1beta|v1}/models…` → `<base>/{v1beta|v1}/models…` (no root alias); the key in
 * `x-goog-api-key`; the model from the URL (`models/{model}:generateContent`); usage from `usageMetadata`, the model
 * from `modelVersion`, of JSON responses and of `:streamGenerateContent?alt=sse` streams.
 */
export const geminiAdapter: ProviderAdapter = Object.freeze({
  id: 'gemini',
  apiFormat: 'gemini',
  genAiProviderName: 'gcp.gemini',
  genAiOperation: geminiGenAiOperation,
  routePrefix: '/gemini',
  pathPrefixes: Object.freeze(['/v1beta/', '/v1/']),
  rootAliases: Object.freeze([]),
  probe: Object.freeze({ method: 'POST', pathSuffix: '/v1beta/models/gemini-2.5-flash:generateContent' }),
  isAllowedPath: isGeminiAllowedPath,
  upstreamUrl: joinUpstreamUrl,
  keyHeaders: KEY_HEADERS,
  // Google API keys: `AIza…`.
  keyPrefixes: Object.freeze(['AIza']),
  vaultAuthHeaders: (providerKey: string) => ({ 'x-goog-api-key': providerKey }),
  forwardedHeaderNames: FORWARDED_HEADERS,
  needsRequestBody: () => false,
  prepareRequest: prepareGeminiRequest,
  requestModelSource: geminiRequestModelSource,
  modelSelection: geminiModelSelection,
  reportsUsage: geminiReportsUsage,
  jsonMembers: Object.freeze({ usage: 'usageMetadata', model: 'modelVersion' }),
  usageFromJson: geminiUsageFromJson,
  modelFromJson: geminiModelFromJson,
  createStreamReader: () => new GeminiStreamReader(),
  createStreamAssembly: (context: AssemblyContext) => new GeminiGenerateAssembly(context),
  prices: GEMINI_PRICES,
  // @google/genai reads GOOGLE_GEMINI_BASE_URL for its base URL and GEMINI_API_KEY for its key.
  sdkEnvironment: Object.freeze({ baseUrl: [{ name: 'GOOGLE_GEMINI_BASE_URL', path: '/gemini' }], apiKey: ['GEMINI_API_KEY'] }),
});
