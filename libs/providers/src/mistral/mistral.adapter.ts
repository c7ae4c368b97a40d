import { BEARER_KEY_HEADERS, bearerAuthHeaders, OPENAI_FORMAT } from '../openai/openai-format';
import { readOpenAIRequest } from '../openai/openai-request';
import { openaiUsage } from '../openai/openai-usage';
import { postModelSelection } from '../model-selection/model-selection';
import { compilePathRules } from '../path-rules';
import type { ProviderAdapter } from '../provider-adapter';
import { sdkHeaderSet } from '../sdk-headers';
import { asRecord } from '../usage';
import { MISTRAL_PRICES } from './mistral.prices';
import { MISTRAL_CHAT_COMPLETIONS, MISTRAL_MODEL_SELECTION_RULES, MISTRAL_PATH_RULES, MISTRAL_USAGE_PATHS } from './mistral.routes';

const allowlist = compilePathRules(MISTRAL_PATH_RULES);
// Mistral takes the OpenAI SDK's telemetry headers as any other; none of OpenAI's own (`openai-organization`…).
const FORWARDED_HEADERS = sdkHeaderSet([]);

/**
 * The Mistral adapter: `/mistral/v1/*` → `<NAVPLANE_MISTRAL_BASE_URL>/v1/*`, `Authorization: Bearer`, the OpenAI
 * format for usage, model and streams. Mistral reports stream usage in its last chunk without being asked and refuses
 * request members it does not know (`stream_options`), so bodies are read, never rewritten. Every response names its
 * model.
 */
export const mistralAdapter: ProviderAdapter = Object.freeze({
  ...OPENAI_FORMAT,
  id: 'mistral',
  genAiProviderName: 'mistral_ai',
  routePrefix: '/mistral',
  pathPrefixes: Object.freeze(['/v1/']),
  rootAliases: Object.freeze([]),
  probe: Object.freeze({ method: 'POST', pathSuffix: MISTRAL_CHAT_COMPLETIONS }),
  isAllowedPath: (method: string, pathSuffix: string) => allowlist.allows(method, pathSuffix),
  keyHeaders: BEARER_KEY_HEADERS,
  keyPrefixes: Object.freeze([]),
  vaultAuthHeaders: bearerAuthHeaders,
  forwardedHeaderNames: FORWARDED_HEADERS,
  prepareRequest: (_pathSuffix: string, json: unknown) => readOpenAIRequest(json),
  requestModelSource: () => undefined,
  modelSelection: postModelSelection(MISTRAL_MODEL_SELECTION_RULES),
  reportsUsage: (method: string, pathSuffix: string) => method === 'POST' && MISTRAL_USAGE_PATHS.has(pathSuffix),
  usageFromJson: (pathSuffix: string, json: unknown) =>
    MISTRAL_USAGE_PATHS.has(pathSuffix) ? openaiUsage(asRecord(json)?.['usage']) : undefined,
  prices: MISTRAL_PRICES,
});
