import type { ProviderPrices, ModelPrice } from '../pricing/price-table';

const row = (model: string, effectiveFrom: string, prices: Omit<ModelPrice, 'model' | 'effectiveFrom'>): ModelPrice => ({
  model,
  effectiveFrom,
  ...prices,
});

/**
 * OpenAI's list prices, standard tier (docs/pricing.md: sources and how to update). `effectiveFrom` is the model's
 * release (or the price change); a request before a model's first row is `unknown`.
 */
export const OPENAI_PRICES: ProviderPrices = Object.freeze({
  rows: Object.freeze([
    // GPT-4o family
    row('gpt-4o', '2024-05-13', { input: 5, output: 15 }),
    row('gpt-4o', '2024-10-02', { input: 2.5, cacheRead: 1.25, output: 10 }),
    row('gpt-4o-2024-05-13', '2024-05-13', { input: 5, output: 15 }),
    row('gpt-4o-mini', '2024-07-18', { input: 0.15, cacheRead: 0.075, output: 0.6 }),
    row('chatgpt-4o-latest', '2024-08-13', { input: 5, output: 15 }),
    // GPT-4.1 family
    row('gpt-4.1', '2025-04-14', { input: 2, cacheRead: 0.5, output: 8 }),
    row('gpt-4.1-mini', '2025-04-14', { input: 0.4, cacheRead: 0.1, output: 1.6 }),
    row('gpt-4.1-nano', '2025-04-14', { input: 0.1, cacheRead: 0.025, output: 0.4 }),
    // Reasoning models
    row('o1', '2024-12-17', { input: 15, cacheRead: 7.5, output: 60 }),
    row('o1-mini', '2025-01-31', { input: 1.1, cacheRead: 0.55, output: 4.4 }),
    row('o1-pro', '2025-03-19', { input: 150, output: 600 }),
    row('o3', '2025-04-16', { input: 10, cacheRead: 2.5, output: 40 }),
    row('o3', '2025-06-10', { input: 2, cacheRead: 0.5, output: 8 }),
    row('o3-pro', '2025-06-10', { input: 20, output: 80 }),
    row('o3-mini', '2025-01-31', { input: 1.1, cacheRead: 0.55, output: 4.4 }),
    row('o4-mini', '2025-04-16', { input: 1.1, cacheRead: 0.275, output: 4.4 }),
    // GPT-5 family
    row('gpt-5', '2025-08-07', { input: 1.25, cacheRead: 0.125, output: 10 }),
    row('gpt-5-mini', '2025-08-07', { input: 0.25, cacheRead: 0.025, output: 2 }),
    row('gpt-5-nano', '2025-08-07', { input: 0.05, cacheRead: 0.005, output: 0.4 }),
    row('gpt-5-chat-latest', '2025-08-07', { input: 1.25, cacheRead: 0.125, output: 10 }),
    row('gpt-5-codex', '2025-09-23', { input: 1.25, cacheRead: 0.125, output: 10 }),
    row('gpt-5-pro', '2025-10-06', { input: 15, output: 120 }),
    row('gpt-5.1', '2025-11-13', { input: 1.25, cacheRead: 0.125, output: 10 }),
    row('gpt-5.2', '2025-12-11', { input: 1.75, cacheRead: 0.175, output: 14 }),
    row('gpt-5.2-pro', '2025-12-11', { input: 21, output: 168 }),
    row('gpt-5.4', '2026-03-05', { input: 2.5, cacheRead: 0.25, output: 15 }),
    row('gpt-5.4-mini', '2026-03-05', { input: 0.75, cacheRead: 0.075, output: 4.5 }),
    row('gpt-5.4-nano', '2026-03-05', { input: 0.2, cacheRead: 0.02, output: 1.25 }),
    row('gpt-5.4-pro', '2026-03-05', { input: 30, output: 180 }),
    row('gpt-5.5', '2026-05-04', { input: 5, cacheRead: 0.5, output: 30 }),
    row('gpt-5.5-pro', '2026-05-04', { input: 30, output: 180 }),
    // Older chat models
    row('gpt-4-turbo', '2024-04-09', { input: 10, output: 30 }),
    row('gpt-4', '2023-03-14', { input: 30, output: 60 }),
    row('gpt-3.5-turbo', '2024-01-25', { input: 0.5, output: 1.5 }),
    // Embeddings (input only)
    row('text-embedding-3-small', '2024-01-25', { input: 0.02, output: 0 }),
    row('text-embedding-3-large', '2024-01-25', { input: 0.13, output: 0 }),
    row('text-embedding-ada-002', '2022-12-15', { input: 0.1, output: 0 }),
  ]),
  aliases: Object.freeze({}),
  // The Batch API (launched 2024-04-15): half the standard price of every model, input and output.
  batch: Object.freeze([Object.freeze({ effectiveFrom: '2024-04-15', multiplier: 0.5 })]),
});
