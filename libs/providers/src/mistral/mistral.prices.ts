import type { ModelPrice, ProviderPrices } from '../pricing/price-table';

const row = (model: string, effectiveFrom: string, prices: Omit<ModelPrice, 'model' | 'effectiveFrom'>): ModelPrice => ({
  model,
  effectiveFrom,
  ...prices,
});

/**
 * Mistral's list prices for La Plateforme, USD per million tokens (mistral.ai/pricing, the "API" tab; docs/pricing.md:
 * sources and how to update). Model ids are families: a dated id (`mistral-large-2411`, `codestral-2501`) or
 * `-latest` prices as its family at the request's date, a snapshot priced otherwise has a row of its own.
 * `effectiveFrom` is the release of the model (or the price change): Mistral Large 2 on 2024-07-24 and the price cut
 * of 2024-09-17, Codestral 25.01 on 2025-01-13, Mistral Small 3 on 2025-01-30, Mistral Medium 3 on 2025-05-07,
 * Mistral Large 3 on 2025-12-02. Mistral publishes no cached-input price.
 */
export const MISTRAL_PRICES: ProviderPrices = Object.freeze({
  rows: Object.freeze([
    row('mistral-large', '2024-07-24', { input: 3, output: 9 }),
    row('mistral-large', '2024-09-17', { input: 2, output: 6 }),
    row('mistral-large', '2025-12-02', { input: 0.5, output: 1.5 }),
    row('mistral-large-2407', '2024-07-24', { input: 3, output: 9 }),
    row('mistral-large-2407', '2024-09-17', { input: 2, output: 6 }),
    row('mistral-large-2411', '2024-11-18', { input: 2, output: 6 }),
    row('mistral-medium', '2025-05-07', { input: 0.4, output: 2 }),
    row('mistral-small', '2024-09-17', { input: 0.2, output: 0.6 }),
    row('mistral-small', '2025-01-30', { input: 0.1, output: 0.3 }),
    row('codestral', '2024-09-17', { input: 0.2, output: 0.6 }),
    row('codestral', '2025-01-13', { input: 0.3, output: 0.9 }),
    row('ministral-8b', '2024-10-16', { input: 0.1, output: 0.1 }),
    row('ministral-3b', '2024-10-16', { input: 0.04, output: 0.04 }),
    // Embeddings (input only)
    row('mistral-embed', '2023-12-11', { input: 0.1, output: 0 }),
    row('codestral-embed', '2025-05-28', { input: 0.15, output: 0 }),
  ]),
  aliases: Object.freeze({}),
});
