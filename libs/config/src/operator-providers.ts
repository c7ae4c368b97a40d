import { isKeyHeaderName } from '@navplane/core';
import { z } from 'zod';
import { parseHttpBaseUrl } from './setting-parsers';
import { BUILT_IN_BASE_URL_SETTINGS, BUILT_IN_TENANT_ENDPOINT_PROVIDERS, type OperatorProvider } from './provider-settings';

/** A provider id: a lower-case slug, safe as a URL path segment and as a vault provider name. */
const PROVIDER_ID = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
/** Gateway path words no provider route prefix may shadow (docs/gateway.md). */
const ROUTE_WORDS: ReadonlySet<string> = new Set(['v1', 'v1beta', 'healthz', 'readyz', 'metrics', 'admin']);
/** The built-in providers' ids: those with a base URL setting and those whose endpoint is the tenant's. */
const BUILT_IN_IDS: ReadonlySet<string> = new Set([
  ...Object.keys(BUILT_IN_BASE_URL_SETTINGS),
  ...Object.keys(BUILT_IN_TENANT_ENDPOINT_PROVIDERS),
]);
const KEYS = new Set(['id', 'baseUrl', 'auth']);

/** Every problem of the config file's `providers` value, each one line naming the entry and field. */
function providerProblems(raw: unknown): { providers: OperatorProvider[]; problems: string[] } {
  if (raw === undefined) return { providers: [], problems: [] };
  if (!Array.isArray(raw)) return { providers: [], problems: ['providers must be a list of { id, baseUrl, auth } entries'] };
  const providers: OperatorProvider[] = [];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  raw.forEach((entry: unknown, index) => {
    const where = `providers[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push(`${where} must be a mapping with id, baseUrl and auth`);
      return;
    }
    const fields = new Map<string, unknown>(Object.entries(entry));
    const before = problems.length;
    for (const key of fields.keys())
      if (!KEYS.has(key)) problems.push(`${where} has an unknown key ${JSON.stringify(key.slice(0, 40))} (keys: id, baseUrl, auth)`);

    const id = fields.get('id');
    if (typeof id !== 'string' || !PROVIDER_ID.test(id)) {
      problems.push(`${where}.id must be a lower-case slug of letters, digits and "-" (at most 64), such as vllm or groq`);
    } else if (BUILT_IN_IDS.has(id)) {
      problems.push(`${where}.id "${id}" is a built-in provider; choose another id`);
    } else if (ROUTE_WORDS.has(id)) {
      problems.push(`${where}.id "${id}" is a gateway path; choose another id`);
    } else if (seen.has(id)) {
      problems.push(`${where}.id "${id}" is already the id of providers[${seen.get(id) ?? 0}]`);
    } else {
      seen.set(id, index);
    }

    const baseUrl = fields.get('baseUrl');
    const url = parseHttpBaseUrl(baseUrl);
    if (!url.ok) problems.push(`${where}.baseUrl ${url.error}`);
    else if (/\/v1$/i.test(url.value))
      problems.push(`${where}.baseUrl must name the upstream without /v1 (it is routed at <baseUrl>/v1/*)`);

    // Header names are case-insensitive: `header:X-Api-Key` is kept as `header:x-api-key`.
    const given = fields.get('auth');
    const auth = typeof given === 'string' && given.startsWith('header:') ? `header:${given.slice('header:'.length).toLowerCase()}` : given;
    if (typeof auth !== 'string' || (auth !== 'bearer' && !(auth.startsWith('header:') && isKeyHeaderName(auth.slice('header:'.length))))) {
      problems.push(`${where}.auth must be "bearer" or "header:<header name>" such as header:x-api-key`);
    }
    if (problems.length === before && typeof id === 'string' && url.ok && typeof auth === 'string') {
      providers.push(Object.freeze({ id, baseUrl: url.value, auth }));
    }
  });
  return { providers, problems };
}

/**
 * The schema of the config file's `providers`: operator-defined OpenAI-compatible upstreams (vLLM, Ollama, Groq,
 * OpenRouter, DeepSeek…), each `{ id, baseUrl, auth }`. Unset is an empty list; every problem is its own issue.
 */
export const operatorProvidersSchema = z.unknown().transform((raw, ctx): readonly OperatorProvider[] => {
  const { providers, problems } = providerProblems(raw);
  for (const message of problems) ctx.addIssue({ code: 'custom', message });
  return problems.length > 0 ? z.NEVER : Object.freeze(providers);
});
