import type { NavPlaneConfig } from './config.schema';

/**
 * An operator-defined OpenAI-compatible provider from the config file's `providers` list (docs/configuration.md),
 * validated: routed at `/<id>/v1/*` to `<baseUrl>/v1/*`, its key sent as `auth` says.
 */
export interface OperatorProvider {
  /** Lower-case slug: the route prefix and the name its keys are stored under. */
  readonly id: string;
  /** http(s) URL of the upstream without `/v1` (host and any path prefix), no trailing slash. */
  readonly baseUrl: string;
  /** `bearer` (`Authorization: Bearer <key>`) or `header:<header name>` (stored in lower case). */
  readonly auth: string;
}

/** The built-in providers' base URL settings, by provider id: the ids an operator-defined provider may not take. */
export const BUILT_IN_BASE_URL_SETTINGS = Object.freeze({
  openai: 'openaiBaseUrl',
  anthropic: 'anthropicBaseUrl',
  gemini: 'geminiBaseUrl',
  mistral: 'mistralBaseUrl',
} as const);

/**
 * The built-in providers whose upstream is the tenant's own endpoint, stored with the org's key (`tenantBaseUrl` of
 * their adapter): they have no base URL setting, and an operator-defined provider may not take their ids either.
 */
export const BUILT_IN_TENANT_ENDPOINT_PROVIDERS = Object.freeze({
  'azure-openai': 'tenant',
} as const);

/** The operator settings the provider registry is built from (`createProviderRegistry` of `@navplane/providers`). */
export interface ProviderRegistrySettings {
  /** Each built-in provider's upstream base URL, by provider id. */
  readonly baseUrls: Readonly<Record<string, string>>;
  /** The operator-defined OpenAI-compatible providers (the config file's `providers`). */
  readonly openaiCompatible: readonly OperatorProvider[];
}

/**
 * What the apps build the provider registry from, read from `config` in one place: the base URL setting of each
 * built-in provider under its provider id, and the config file's `providers` (docs/configuration.md). The gateway
 * and `navplane doctor` both use it.
 */
export function providerRegistrySettings(config: NavPlaneConfig): ProviderRegistrySettings {
  const baseUrls = Object.fromEntries(Object.entries(BUILT_IN_BASE_URL_SETTINGS).map(([id, setting]) => [id, config[setting]]));
  return { baseUrls, openaiCompatible: config.providers };
}
