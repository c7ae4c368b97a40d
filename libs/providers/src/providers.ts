import { anthropicAdapter } from './anthropic/anthropic.adapter';
import { openaiAdapter } from './openai/openai.adapter';
import type { ProviderAdapter, ProviderId } from './provider-adapter';

/** Every adapter, keyed by provider id. Adding a provider: a new folder plus one line here. */
export const PROVIDER_ADAPTERS: Readonly<Record<ProviderId, ProviderAdapter>> = Object.freeze({
  openai: openaiAdapter,
  anthropic: anthropicAdapter,
});

/** The adapter of a provider id. */
export function getProviderAdapter(id: ProviderId): ProviderAdapter {
  return PROVIDER_ADAPTERS[id];
}

/** True when the string is a known provider id. */
export function isProviderId(value: string): value is ProviderId {
  return Object.prototype.hasOwnProperty.call(PROVIDER_ADAPTERS, value);
}
