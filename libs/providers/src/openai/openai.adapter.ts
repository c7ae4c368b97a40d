import { compilePathRules } from '../path-rules';
import type { ProviderAdapter } from '../provider-adapter';
import { sdkHeaderSet } from '../sdk-headers';
import { BEARER_KEY_HEADERS, bearerAuthHeaders, OPENAI_FORMAT } from './openai-format';
import { OPENAI_BATCH_RESULTS } from './openai-batch-results';
import { OPENAI_PRICES } from './openai.prices';
import { OPENAI_CHAT_COMPLETIONS, OPENAI_PATH_RULES } from './openai.routes';
import { OPENAI_WEBSOCKET } from './openai-websocket';

const allowlist = compilePathRules(OPENAI_PATH_RULES);
// What the `openai` SDKs send besides their key: `organization`, `project`, and `OpenAI-Beta` (Assistants v2, realtime).
const FORWARDED_HEADERS = sdkHeaderSet(['openai-organization', 'openai-project', 'openai-beta']);

/**
 * The OpenAI adapter: `/openai/v1/*` → `<base>/v1/*`, and every other `/v1/*` at the gateway root (the OpenAI SDK
 * with base URL `<gateway>/v1`); `Authorization: Bearer`; exact chat stream usage.
 */
export const openaiAdapter: ProviderAdapter = Object.freeze({
  ...OPENAI_FORMAT,
  id: 'openai',
  genAiProviderName: 'openai',
  routePrefix: '/openai',
  pathPrefixes: Object.freeze(['/v1/']),
  rootAliases: Object.freeze([Object.freeze({ path: '/v1/', match: 'prefix' as const })]),
  probe: Object.freeze({ method: 'POST', pathSuffix: OPENAI_CHAT_COMPLETIONS }),
  isAllowedPath: (method: string, pathSuffix: string) => allowlist.allows(method, pathSuffix),
  keyHeaders: BEARER_KEY_HEADERS,
  // `sk-…`, `sk-proj-…`, `sk-svcacct-…`.
  keyPrefixes: Object.freeze(['sk-']),
  vaultAuthHeaders: bearerAuthHeaders,
  forwardedHeaderNames: FORWARDED_HEADERS,
  prices: OPENAI_PRICES,
  batchResults: OPENAI_BATCH_RESULTS,
  // Realtime and Responses over WebSocket (GET /v1/realtime, /v1/responses with Upgrade: websocket).
  webSocket: OPENAI_WEBSOCKET,
  // The OpenAI SDKs' base URL includes /v1 (the root aliases of the gateway).
  sdkEnvironment: Object.freeze({ baseUrl: [{ name: 'OPENAI_BASE_URL', path: '/v1' }], apiKey: ['OPENAI_API_KEY'] }),
});
