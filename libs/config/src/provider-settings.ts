import type { NavPlaneConfig } from './config.schema';

/** The operator settings the provider registry is built from (`createProviderRegistry` of `@navplane/providers`; plain data keyed by provider id). */
export interface ProviderRegistrySettings {
  /** Each built-in provider's upstream base URL, by provider id. */
  readonly baseUrls: Readonly<Record<string, string>>;
}

/**
 * What the apps build the provider registry from, read from `config` in one place: the base URL setting of each
 * built-in provider under its provider id (docs/configuration.md). The gateway and `navplane doctor` both use it.
 */
export function providerRegistrySettings(config: NavPlaneConfig): ProviderRegistrySettings {
  return {
    baseUrls: { openai: config.openaiBaseUrl, anthropic: config.anthropicBaseUrl, mistral: config.mistralBaseUrl },
  };
}
