import { AppError, isKeyHeaderName } from '@navplane/core';
import { BEARER_KEY_HEADERS, bearerAuthHeaders, OPENAI_FORMAT } from '../openai/openai-format';
import { OPENAI_CHAT_COMPLETIONS, OPENAI_PATH_RULES } from '../openai/openai.routes';
import { compilePathRules } from '../path-rules';
import type { ProviderAdapter, ProviderId } from '../provider-adapter';
import { sdkHeaderSet } from '../sdk-headers';

/** How an OpenAI-compatible upstream takes its key: `Authorization: Bearer <key>`, or `<name>: <key>`. */
export type OpenAICompatibleAuth = { readonly kind: 'bearer' } | { readonly kind: 'header'; readonly name: string };

/**
 * An operator-defined OpenAI-compatible provider (vLLM, Ollama, Groq, OpenRouter, Together, DeepSeek…), as the
 * config file's `providers` list describes it (docs/configuration.md).
 */
export interface OpenAICompatibleProvider {
  /** Its id: the route prefix `/<id>/v1/*` and the name its keys are stored under. */
  readonly id: ProviderId;
  /** The upstream without `/v1` (host and any path prefix), like the built-in providers' base URLs. */
  readonly baseUrl: string;
  /** `bearer` or `header:<name>` (e.g. `header:api-key`). */
  readonly auth: string;
}

/** A provider id: what the vault accepts as a provider name, and safe as a URL path segment. */
export const PROVIDER_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Parses `bearer` or `header:<name>`; throws AppError naming `where` for anything else. */
export function parseOpenAICompatibleAuth(auth: string, where: string): OpenAICompatibleAuth {
  if (auth === 'bearer') return { kind: 'bearer' };
  if (auth.startsWith('header:')) {
    const name = auth.slice('header:'.length).trim().toLowerCase();
    if (isKeyHeaderName(name)) return { kind: 'header', name };
  }
  throw new AppError('internal_error', `${where}: auth must be "bearer" or "header:<name>" with a header name a key may be sent in`);
}

const allowlist = compilePathRules(OPENAI_PATH_RULES);
// The OpenAI SDK's telemetry headers; a third-party upstream gets none of OpenAI's own (`openai-organization`…).
const FORWARDED_HEADERS = sdkHeaderSet([]);
const NO_PRICES = Object.freeze({ rows: Object.freeze([]), aliases: Object.freeze({}) });

/**
 * An adapter made from data: an OpenAI-compatible upstream with id `id`, routed at `/<id>/v1/*` to `<baseUrl>/v1/*`,
 * on the OpenAI API's paths, reading usage, model and streams like OpenAI's. Its key goes upstream as `auth` says and
 * a client may present a key there too. It has no price rows (its cost is `unknown` until it gets some). Throws
 * AppError for an id that is no provider id.
 */
export function createOpenAICompatibleAdapter(id: ProviderId, auth: OpenAICompatibleAuth): ProviderAdapter {
  if (!PROVIDER_ID_PATTERN.test(id)) {
    throw new AppError('internal_error', `provider id "${id}" must be lower-case letters, digits, ".", "_" or "-" (at most 64)`);
  }
  const header = auth.kind === 'header' ? auth.name : undefined;
  return Object.freeze({
    ...OPENAI_FORMAT,
    id,
    // No GenAI convention names an operator's upstream: its id is its name (Groq, DeepSeek… ids match theirs).
    genAiProviderName: id,
    routePrefix: `/${id}`,
    pathPrefixes: Object.freeze(['/v1/']),
    rootAliases: Object.freeze([]),
    probe: Object.freeze({ method: 'POST', pathSuffix: OPENAI_CHAT_COMPLETIONS }),
    isAllowedPath: (method: string, pathSuffix: string) => allowlist.allows(method, pathSuffix),
    keyHeaders: header === undefined ? BEARER_KEY_HEADERS : Object.freeze([Object.freeze({ name: header })]),
    keyPrefixes: Object.freeze([]),
    vaultAuthHeaders: header === undefined ? bearerAuthHeaders : (providerKey: string) => ({ [header]: providerKey }),
    forwardedHeaderNames: FORWARDED_HEADERS,
    prices: NO_PRICES,
  });
}
