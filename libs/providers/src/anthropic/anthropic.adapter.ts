import type { AssemblyContext } from '../assemble/assembly-context';
import { postModelSelection } from '../model-selection/model-selection';
import { compilePathRules } from '../path-rules';
import type { PreparedRequest, ProviderAdapter } from '../provider-adapter';
import { sdkHeaderSet } from '../sdk-headers';
import { joinUpstreamUrl } from '../upstream-url';
import { asNonEmptyString, asRecord } from '../usage';
import { AnthropicMessagesAssembly } from './anthropic-messages.assembly';
import { ANTHROPIC_BATCH_RESULTS } from './anthropic-batch-results';
import { ANTHROPIC_PRICES } from './anthropic.prices';
import {
  ANTHROPIC_MESSAGES,
  ANTHROPIC_MODEL_SELECTION_RULES,
  ANTHROPIC_PATH_RULES,
  ANTHROPIC_REQUEST_MODEL_PATHS,
} from './anthropic.routes';
import { AnthropicStreamReader } from './anthropic-stream.reader';
import { anthropicModelFromJson, anthropicUsageFromJson } from './anthropic-usage';

const allowlist = compilePathRules(ANTHROPIC_PATH_RULES);
// Sent by every Anthropic SDK and by Claude Code: forwarded as sent, and a root claim (below).
const ANTHROPIC_VERSION_HEADER = 'anthropic-version';
// The Anthropic SDK 0.x sends `x-api-key`; 1.x and OAuth-style clients send `Authorization: Bearer`.
const KEY_HEADERS = Object.freeze([
  Object.freeze({ name: 'x-api-key' }),
  Object.freeze({ name: 'authorization', scheme: 'bearer' as const }),
]);
// What `@anthropic-ai/sdk` sends besides its key: the API version, betas, the browser opt-in
// (`dangerouslyAllowBrowser`), and the per-request `workspace_id` (Files) and `user_profile_id` (Messages) params.
const FORWARDED_HEADERS = sdkHeaderSet([
  ANTHROPIC_VERSION_HEADER,
  'anthropic-beta',
  'anthropic-dangerous-direct-browser-access',
  'anthropic-workspace-id',
  'anthropic-user-profile-id',
]);

/** Anthropic streams always report usage, so a body is never rewritten: this only reads it. */
function prepareAnthropicRequest(_pathSuffix: string, json: unknown): PreparedRequest {
  const body = asRecord(json);
  const model = asNonEmptyString(body?.['model']);
  return {
    body: json,
    changed: false,
    stream: body?.['stream'] === true,
    stripUsageChunk: false,
    ...(model ? { model } : {}),
  };
}

/**
 * The Anthropic adapter: `/anthropic/v1/*` → `<base>/v1/*`, and at the gateway root `/v1/messages` (and below) and
 * every `/v1/*` request carrying `anthropic-version` (the Anthropic SDKs and Claude Code with base URL = the gateway
 * root); `x-api-key`; usage from message_start/delta.
 */
export const anthropicAdapter: ProviderAdapter = Object.freeze({
  id: 'anthropic',
  apiFormat: 'anthropic',
  genAiProviderName: 'anthropic',
  genAiOperation: (method: string, pathSuffix: string) => (method === 'POST' && pathSuffix === ANTHROPIC_MESSAGES ? 'chat' : undefined),
  routePrefix: '/anthropic',
  pathPrefixes: Object.freeze(['/v1/']),
  rootAliases: Object.freeze([
    Object.freeze({ path: ANTHROPIC_MESSAGES, match: 'exact' as const }),
    Object.freeze({ path: `${ANTHROPIC_MESSAGES}/`, match: 'prefix' as const }),
    // Its SDKs and Claude Code send `anthropic-version` on every request: with the gateway root as their base URL,
    // `GET /v1/models`, `/v1/files`… are theirs, not OpenAI's (docs/gateway.md, "Root routing").
    Object.freeze({ path: '/v1/', match: 'prefix' as const, header: ANTHROPIC_VERSION_HEADER }),
  ]),
  probe: Object.freeze({ method: 'POST', pathSuffix: ANTHROPIC_MESSAGES }),
  isAllowedPath: (method: string, pathSuffix: string) => allowlist.allows(method, pathSuffix),
  upstreamUrl: joinUpstreamUrl,
  modelListing: Object.freeze({
    path: '/v1/models',
    // `{"data":[{"type":"model","id","display_name","created_at"}…],"has_more","first_id","last_id"}`
    append(json: unknown, names: readonly string[]): unknown {
      if (typeof json !== 'object' || json === null || !('data' in json) || !Array.isArray(json.data)) return undefined;
      const listed = names.map((id) => ({ type: 'model', id, display_name: id, created_at: '1970-01-01T00:00:00Z' }));
      return { ...json, data: [...(json.data as unknown[]), ...listed] };
    },
  }),
  keyHeaders: KEY_HEADERS,
  // `sk-ant-api03-…`, `sk-ant-admin01-…`.
  keyPrefixes: Object.freeze(['sk-ant-']),
  vaultAuthHeaders: (providerKey: string) => ({ 'x-api-key': providerKey }),
  forwardedHeaderNames: FORWARDED_HEADERS,
  needsRequestBody: () => false,
  prepareRequest: prepareAnthropicRequest,
  requestModelSource: (method: string, pathSuffix: string) =>
    method === 'POST' ? ANTHROPIC_REQUEST_MODEL_PATHS.get(pathSuffix) : undefined,
  modelSelection: postModelSelection(ANTHROPIC_MODEL_SELECTION_RULES),
  reportsUsage: (method: string, pathSuffix: string) => method === 'POST' && pathSuffix === ANTHROPIC_MESSAGES,
  jsonMembers: Object.freeze({ usage: 'usage', model: 'model' }),
  usageFromJson: anthropicUsageFromJson,
  modelFromJson: anthropicModelFromJson,
  createStreamReader: () => new AnthropicStreamReader(),
  createStreamAssembly: (context: AssemblyContext) => new AnthropicMessagesAssembly(context),
  prices: ANTHROPIC_PRICES,
  batchResults: ANTHROPIC_BATCH_RESULTS,
  // The Anthropic SDKs (and Claude Code) take the root as their base URL.
  sdkEnvironment: Object.freeze({ baseUrl: [{ name: 'ANTHROPIC_BASE_URL', path: '' }], apiKey: ['ANTHROPIC_API_KEY'] }),
});
