import type { ModelPrice, ProviderPrices } from '../pricing/price-table';

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

// Anthropic's cache prices follow multipliers of the input price (5m write 1.25x, 1h write 2x,
// read 0.1x) except where a row says otherwise (Claude 3 Haiku).
const row = (
  model: string,
  effectiveFrom: string,
  input: number,
  output: number,
  cache: Partial<Pick<ModelPrice, 'cacheRead' | 'cacheWrite' | 'cacheWrite1h'>> = {},
): ModelPrice => ({
  model,
  effectiveFrom,
  input,
  output,
  cacheWrite: cache.cacheWrite ?? round(input * 1.25),
  cacheWrite1h: cache.cacheWrite1h ?? round(input * 2),
  cacheRead: cache.cacheRead ?? round(input * 0.1),
});

/** Anthropic's list prices, standard tier (docs/pricing.md: sources and how to update). */
export const ANTHROPIC_PRICES: ProviderPrices = Object.freeze({
  rows: Object.freeze([
    row('claude-opus-4-6', '2026-02-05', 5, 25),
    row('claude-opus-4-5', '2025-11-24', 5, 25),
    row('claude-opus-4-1', '2025-08-05', 15, 75),
    row('claude-opus-4', '2025-05-22', 15, 75),
    row('claude-sonnet-4-6', '2026-02-17', 3, 15),
    row('claude-sonnet-4-5', '2025-09-29', 3, 15),
    row('claude-sonnet-4', '2025-05-22', 3, 15),
    row('claude-3-7-sonnet', '2025-02-24', 3, 15),
    row('claude-3-5-sonnet', '2024-06-20', 3, 15),
    row('claude-haiku-4-5', '2025-10-01', 1, 5),
    row('claude-3-5-haiku', '2024-10-22', 0.8, 4),
    row('claude-3-opus', '2024-02-29', 15, 75),
    row('claude-3-haiku', '2024-03-07', 0.25, 1.25, { cacheWrite: 0.3, cacheWrite1h: 0.5, cacheRead: 0.03 }),
  ]),
  // Model ids that name a family without a snapshot suffix.
  aliases: Object.freeze({
    'claude-opus-4-0': 'claude-opus-4',
    'claude-sonnet-4-0': 'claude-sonnet-4',
  }),
  // Message Batches (launched 2024-10-08): half the standard price of every rate, cache reads and writes included.
  batch: Object.freeze([Object.freeze({ effectiveFrom: '2024-10-08', multiplier: 0.5 })]),
});
