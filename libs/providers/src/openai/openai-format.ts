import type { AssemblyContext } from '../assemble/assembly-context';
import type { KeyHeader, ProviderAdapter } from '../provider-adapter';
import { joinUpstreamUrl } from '../upstream-url';
import { OpenAIAssembly } from './openai.assembly';
import { postModelSelection } from '../model-selection/model-selection';
import {
  OPENAI_CHAT_COMPLETIONS,
  OPENAI_GEN_AI_OPERATIONS,
  OPENAI_MODEL_SELECTION_RULES,
  OPENAI_REQUEST_MODEL_PATHS,
  OPENAI_USAGE_PATHS,
} from './openai.routes';
import { prepareOpenAIRequest } from './openai-request';
import { OpenAIStreamReader } from './openai-stream.reader';
import { openaiModelFromJson, openaiUsageFromJson } from './openai-usage';

/** The members of an adapter that speak the OpenAI API format: requests, usage, model, streams. */
export type OpenAIFormat = Pick<
  ProviderAdapter,
  | 'apiFormat'
  | 'upstreamUrl'
  | 'needsRequestBody'
  | 'prepareRequest'
  | 'requestModelSource'
  | 'modelSelection'
  | 'reportsUsage'
  | 'modelListing'
  | 'jsonMembers'
  | 'usageFromJson'
  | 'modelFromJson'
  | 'createStreamReader'
  | 'createStreamAssembly'
  | 'genAiOperation'
>;

/**
 * The OpenAI API format, shared by OpenAI itself and every OpenAI-compatible upstream (Mistral, vLLM, Ollama, Groq…):
 * exact chat stream usage (`stream_options.include_usage` injected, then hidden again), usage from `usage`, the model
 * from `model`, Chat Completions / completions / Responses streams, and the model of bodies whose response names none.
 */
export const OPENAI_FORMAT: OpenAIFormat = Object.freeze({
  apiFormat: 'openai' as const,
  upstreamUrl: joinUpstreamUrl,
  needsRequestBody: (method: string, pathSuffix: string) => method === 'POST' && pathSuffix === OPENAI_CHAT_COMPLETIONS,
  prepareRequest: prepareOpenAIRequest,
  requestModelSource: (method: string, pathSuffix: string) => (method === 'POST' ? OPENAI_REQUEST_MODEL_PATHS.get(pathSuffix) : undefined),
  modelSelection: postModelSelection(OPENAI_MODEL_SELECTION_RULES),
  reportsUsage: (method: string, pathSuffix: string) => method === 'POST' && OPENAI_USAGE_PATHS.has(pathSuffix),
  jsonMembers: Object.freeze({ usage: 'usage', model: 'model' }),
  usageFromJson: openaiUsageFromJson,
  modelFromJson: openaiModelFromJson,
  createStreamReader: (options = {}) => new OpenAIStreamReader(options),
  createStreamAssembly: (context: AssemblyContext) => new OpenAIAssembly(context),
  genAiOperation: (method: string, pathSuffix: string) => (method === 'POST' ? OPENAI_GEN_AI_OPERATIONS.get(pathSuffix) : undefined),
  modelListing: Object.freeze({
    path: '/v1/models',
    // `{"object":"list","data":[{"id","object":"model","created","owned_by"}…]}`
    append(json: unknown, names: readonly string[]): unknown {
      if (typeof json !== 'object' || json === null || !('data' in json) || !Array.isArray(json.data)) return undefined;
      const listed = names.map((id) => ({ id, object: 'model', created: 0, owned_by: 'navplane-route' }));
      return { ...json, data: [...(json.data as unknown[]), ...listed] };
    },
  }),
});

/** `Authorization: Bearer <key>`: where the OpenAI SDKs (and most OpenAI-compatible ones) put their key. */
export const BEARER_KEY_HEADERS: readonly KeyHeader[] = Object.freeze([
  Object.freeze({ name: 'authorization', scheme: 'bearer' as const }),
]);

/** The vault-mode headers of a bearer-authenticated provider. */
export function bearerAuthHeaders(providerKey: string): Readonly<Record<string, string>> {
  return { authorization: `Bearer ${providerKey}` };
}
