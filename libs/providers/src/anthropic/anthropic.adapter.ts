import { compilePathRules } from '../path-rules';
import type { PreparedRequest, ProviderAdapter } from '../provider-adapter';
import { sdkHeaderSet } from '../sdk-headers';
import { joinUpstreamUrl } from '../upstream-url';
import { asNonEmptyString, asRecord } from '../usage';
import { ANTHROPIC_MESSAGES, ANTHROPIC_PATH_RULES, ANTHROPIC_REQUEST_MODEL_PATHS } from './anthropic.routes';
import { AnthropicStreamReader } from './anthropic-stream.reader';
import { anthropicModelFromJson, anthropicUsageFromJson } from './anthropic-usage';

const allowlist = compilePathRules(ANTHROPIC_PATH_RULES);
// The Anthropic SDK 0.x sends `x-api-key`; 1.x and OAuth-style clients send `Authorization: Bearer`.
const CREDENTIAL_HEADERS: readonly string[] = Object.freeze(['x-api-key', 'authorization']);
// What `@anthropic-ai/sdk` sends besides its key: the API version, betas, the browser opt-in
// (`dangerouslyAllowBrowser`), and the per-request `workspace_id` (Files) and `user_profile_id` (Messages) params.
const FORWARDED_HEADERS = sdkHeaderSet([
  'anthropic-version',
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

/** The Anthropic adapter: `/anthropic/v1/*` → `<base>/v1/*`, `x-api-key`, usage from message_start/delta. */
export const anthropicAdapter: ProviderAdapter = Object.freeze({
  id: 'anthropic' as const,
  routePrefix: '/anthropic',
  credentialHeaderNames: CREDENTIAL_HEADERS,
  forwardedHeaderNames: FORWARDED_HEADERS,
  upstreamUrl: joinUpstreamUrl,
  isAllowedPath: (method: string, pathSuffix: string) => allowlist.allows(method, pathSuffix),
  vaultAuthHeaders: (providerKey: string) => ({ 'x-api-key': providerKey }),
  needsRequestBody: () => false,
  prepareRequest: prepareAnthropicRequest,
  requestModelLocation: (method: string, pathSuffix: string) =>
    method === 'POST' ? ANTHROPIC_REQUEST_MODEL_PATHS.get(pathSuffix) : undefined,
  reportsUsage: (method: string, pathSuffix: string) => method === 'POST' && pathSuffix === ANTHROPIC_MESSAGES,
  usageFromJson: anthropicUsageFromJson,
  modelFromJson: anthropicModelFromJson,
  createStreamReader: () => new AnthropicStreamReader(),
});
