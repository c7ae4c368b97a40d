import { anthropicAdapter } from '../anthropic/anthropic.adapter';
import { azureOpenAIAdapter } from '../azure-openai/azure-openai.adapter';
import { geminiAdapter } from '../gemini/gemini.adapter';
import { mistralAdapter } from '../mistral/mistral.adapter';
import { openaiAdapter } from '../openai/openai.adapter';
import type { ProviderAdapter, ProviderId } from '../provider-adapter';

/**
 * Every built-in provider. This list is the only place in the repository that names providers: the gateway, trace
 * building, the CLI, the admin API's provider-key validation and the price table all ask the registry or an adapter.
 * Adding a provider: its folder, plus one line here (libs/providers/README.md, "Adding a provider").
 */
export const BUILT_IN_ADAPTERS: readonly ProviderAdapter[] = Object.freeze([
  openaiAdapter,
  anthropicAdapter,
  geminiAdapter,
  mistralAdapter,
  azureOpenAIAdapter,
]);

/** The ids of the built-in providers, in registry order. */
export const BUILT_IN_PROVIDER_IDS: readonly ProviderId[] = Object.freeze(BUILT_IN_ADAPTERS.map((adapter) => adapter.id));

/** True when `value` is the id of a built-in provider. */
export function isBuiltInProviderId(value: unknown): value is ProviderId {
  return typeof value === 'string' && BUILT_IN_PROVIDER_IDS.includes(value);
}
