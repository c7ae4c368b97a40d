import type { ProviderPrices } from '../pricing/price-table';

/**
 * Gemini Developer API list prices, Standard (paid) tier, USD per million tokens, text/image/video input
 * (source: https://ai.google.dev/gemini-api/docs/pricing, checked 2026-12-07; docs/pricing.md). `effectiveFrom` is
 * the model's general availability. `cacheRead` is the context-caching price (cache storage per hour is billed apart
 * and not per request). Thinking tokens are output (see gemini-usage.ts).
 *
 * Simplifications, because a price row has one rate per kind of token:
 * - gemini-2.5-pro charges more for prompts over 200k tokens ($2.50 in, $15 out, $0.25 cached); the rows carry the
 *   ≤200k prices, so a longer prompt is under-estimated;
 * - audio input of the Flash models is dearer ($1.00 for 2.5 Flash, $0.70 for 2.0 Flash, $0.30 for 2.5 Flash-Lite):
 *   priced as text.
 */
export const GEMINI_PRICES: ProviderPrices = Object.freeze({
  rows: Object.freeze([
    { model: 'gemini-2.5-pro', effectiveFrom: '2025-06-17', input: 1.25, output: 10, cacheRead: 0.125 },
    { model: 'gemini-2.5-flash', effectiveFrom: '2025-06-17', input: 0.3, output: 2.5, cacheRead: 0.03 },
    { model: 'gemini-2.5-flash-lite', effectiveFrom: '2025-07-22', input: 0.1, output: 0.4, cacheRead: 0.01 },
    { model: 'gemini-2.0-flash', effectiveFrom: '2025-02-05', input: 0.1, output: 0.4, cacheRead: 0.025 },
    { model: 'gemini-2.0-flash-lite', effectiveFrom: '2025-02-25', input: 0.075, output: 0.3 },
    // Embeddings: input only.
    { model: 'gemini-embedding-001', effectiveFrom: '2025-07-14', input: 0.15, output: 0 },
  ]),
  // Stable version ids (`-001`) the API reports in `modelVersion`, and the `-latest` style names of a family.
  aliases: Object.freeze({
    'gemini-2.0-flash-001': 'gemini-2.0-flash',
    'gemini-2.0-flash-lite-001': 'gemini-2.0-flash-lite',
  }),
});
