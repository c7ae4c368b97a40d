import { compilePathRules } from '../path-rules';
import type { ProviderAdapter } from '../provider-adapter';
import { sdkHeaderSet } from '../sdk-headers';
import { joinUpstreamUrl } from '../upstream-url';
import { OPENAI_CHAT_COMPLETIONS, OPENAI_PATH_RULES, OPENAI_REQUEST_MODEL_PATHS, OPENAI_USAGE_PATHS } from './openai.routes';
import { prepareOpenAIRequest } from './openai-request';
import { OpenAIStreamReader } from './openai-stream.reader';
import { openaiModelFromJson, openaiUsageFromJson } from './openai-usage';

const allowlist = compilePathRules(OPENAI_PATH_RULES);
const CREDENTIAL_HEADERS: readonly string[] = Object.freeze(['authorization']);
// What the `openai` SDKs send besides their key: `organization`, `project`, and `OpenAI-Beta` (Assistants v2, realtime).
const FORWARDED_HEADERS = sdkHeaderSet(['openai-organization', 'openai-project', 'openai-beta']);

/** The OpenAI adapter: `/openai/v1/*` → `<base>/v1/*`, `Authorization: Bearer`, exact chat stream usage. */
export const openaiAdapter: ProviderAdapter = Object.freeze({
  id: 'openai' as const,
  routePrefix: '/openai',
  credentialHeaderNames: CREDENTIAL_HEADERS,
  forwardedHeaderNames: FORWARDED_HEADERS,
  upstreamUrl: joinUpstreamUrl,
  isAllowedPath: (method: string, pathSuffix: string) => allowlist.allows(method, pathSuffix),
  vaultAuthHeaders: (providerKey: string) => ({ authorization: `Bearer ${providerKey}` }),
  needsRequestBody: (method: string, pathSuffix: string) => method === 'POST' && pathSuffix === OPENAI_CHAT_COMPLETIONS,
  prepareRequest: prepareOpenAIRequest,
  requestModelLocation: (method: string, pathSuffix: string) =>
    method === 'POST' ? OPENAI_REQUEST_MODEL_PATHS.get(pathSuffix) : undefined,
  reportsUsage: (method: string, pathSuffix: string) => method === 'POST' && OPENAI_USAGE_PATHS.has(pathSuffix),
  usageFromJson: openaiUsageFromJson,
  modelFromJson: openaiModelFromJson,
  createStreamReader: (options = {}) => new OpenAIStreamReader(options),
});
