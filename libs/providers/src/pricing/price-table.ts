import type { ProviderId } from '../provider-adapter';

/**
 * One price in force from `effectiveFrom` (UTC date, inclusive) until the next row of the same model.
 * Prices are USD per million tokens, standard tier (no Batch/Flex/priority discounts or surcharges).
 */
export interface PriceRow {
  readonly provider: ProviderId;
  /** A model family (`gpt-4o`, `claude-sonnet-4`) or an exact snapshot priced differently (`gpt-4o-2024-05-13`). */
  readonly model: string;
  /** `YYYY-MM-DD` (UTC). */
  readonly effectiveFrom: string;
  readonly input: number;
  readonly output: number;
  /** Cached input (cache hits); absent = the model has no discount, charged at `input`. */
  readonly cacheRead?: number;
  /** Cache writes (Anthropic: 5-minute TTL); absent = charged at `input`. */
  readonly cacheWrite?: number;
  /** Anthropic 1-hour-TTL cache writes; absent = charged at `cacheWrite`. */
  readonly cacheWrite1h?: number;
}

/** The date the built-in table was last checked against the providers' pricing pages. */
export const PRICE_TABLE_AS_OF = '2026-11-23';

/** Model ids that are aliases of a family without a snapshot suffix. */
export const MODEL_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  'claude-opus-4-0': 'claude-opus-4',
  'claude-sonnet-4-0': 'claude-sonnet-4',
});

type Prices = Omit<PriceRow, 'provider' | 'model' | 'effectiveFrom'>;

const openai = (model: string, effectiveFrom: string, prices: Prices): PriceRow => ({
  provider: 'openai',
  model,
  effectiveFrom,
  ...prices,
});

// Anthropic's cache prices follow multipliers of the input price (5m write 1.25x, 1h write 2x,
// read 0.1x) except where a row says otherwise (Claude 3 Haiku).
const anthropic = (
  model: string,
  effectiveFrom: string,
  input: number,
  output: number,
  cache: Partial<Pick<PriceRow, 'cacheRead' | 'cacheWrite' | 'cacheWrite1h'>> = {},
): PriceRow => ({
  provider: 'anthropic',
  model,
  effectiveFrom,
  input,
  output,
  cacheWrite: cache.cacheWrite ?? round(input * 1.25),
  cacheWrite1h: cache.cacheWrite1h ?? round(input * 2),
  cacheRead: cache.cacheRead ?? round(input * 0.1),
});

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/**
 * The built-in price table (see docs/pricing.md for sources and how to update it). `effectiveFrom`
 * is the model's release (or the price change); a request before a model's first row is `unknown`.
 */
export const PRICE_TABLE: readonly PriceRow[] = Object.freeze([
  // OpenAI — GPT-4o family
  openai('gpt-4o', '2024-05-13', { input: 5, output: 15 }),
  openai('gpt-4o', '2024-10-02', { input: 2.5, cacheRead: 1.25, output: 10 }),
  openai('gpt-4o-2024-05-13', '2024-05-13', { input: 5, output: 15 }),
  openai('gpt-4o-mini', '2024-07-18', { input: 0.15, cacheRead: 0.075, output: 0.6 }),
  openai('chatgpt-4o-latest', '2024-08-13', { input: 5, output: 15 }),
  // GPT-4.1 family
  openai('gpt-4.1', '2025-04-14', { input: 2, cacheRead: 0.5, output: 8 }),
  openai('gpt-4.1-mini', '2025-04-14', { input: 0.4, cacheRead: 0.1, output: 1.6 }),
  openai('gpt-4.1-nano', '2025-04-14', { input: 0.1, cacheRead: 0.025, output: 0.4 }),
  // Reasoning models
  openai('o1', '2024-12-17', { input: 15, cacheRead: 7.5, output: 60 }),
  openai('o1-mini', '2025-01-31', { input: 1.1, cacheRead: 0.55, output: 4.4 }),
  openai('o1-pro', '2025-03-19', { input: 150, output: 600 }),
  openai('o3', '2025-04-16', { input: 10, cacheRead: 2.5, output: 40 }),
  openai('o3', '2025-06-10', { input: 2, cacheRead: 0.5, output: 8 }),
  openai('o3-pro', '2025-06-10', { input: 20, output: 80 }),
  openai('o3-mini', '2025-01-31', { input: 1.1, cacheRead: 0.55, output: 4.4 }),
  openai('o4-mini', '2025-04-16', { input: 1.1, cacheRead: 0.275, output: 4.4 }),
  // GPT-5 family
  openai('gpt-5', '2025-08-07', { input: 1.25, cacheRead: 0.125, output: 10 }),
  openai('gpt-5-mini', '2025-08-07', { input: 0.25, cacheRead: 0.025, output: 2 }),
  openai('gpt-5-nano', '2025-08-07', { input: 0.05, cacheRead: 0.005, output: 0.4 }),
  openai('gpt-5-chat-latest', '2025-08-07', { input: 1.25, cacheRead: 0.125, output: 10 }),
  openai('gpt-5-codex', '2025-09-23', { input: 1.25, cacheRead: 0.125, output: 10 }),
  openai('gpt-5-pro', '2025-10-06', { input: 15, output: 120 }),
  openai('gpt-5.1', '2025-11-13', { input: 1.25, cacheRead: 0.125, output: 10 }),
  openai('gpt-5.2', '2025-12-11', { input: 1.75, cacheRead: 0.175, output: 14 }),
  openai('gpt-5.2-pro', '2025-12-11', { input: 21, output: 168 }),
  openai('gpt-5.4', '2026-03-05', { input: 2.5, cacheRead: 0.25, output: 15 }),
  openai('gpt-5.4-mini', '2026-03-05', { input: 0.75, cacheRead: 0.075, output: 4.5 }),
  openai('gpt-5.4-nano', '2026-03-05', { input: 0.2, cacheRead: 0.02, output: 1.25 }),
  openai('gpt-5.4-pro', '2026-03-05', { input: 30, output: 180 }),
  openai('gpt-5.5', '2026-05-04', { input: 5, cacheRead: 0.5, output: 30 }),
  openai('gpt-5.5-pro', '2026-05-04', { input: 30, output: 180 }),
  // Older chat models
  openai('gpt-4-turbo', '2024-04-09', { input: 10, output: 30 }),
  openai('gpt-4', '2023-03-14', { input: 30, output: 60 }),
  openai('gpt-3.5-turbo', '2024-01-25', { input: 0.5, output: 1.5 }),
  // Embeddings (input only)
  openai('text-embedding-3-small', '2024-01-25', { input: 0.02, output: 0 }),
  openai('text-embedding-3-large', '2024-01-25', { input: 0.13, output: 0 }),
  openai('text-embedding-ada-002', '2022-12-15', { input: 0.1, output: 0 }),

  // Anthropic
  anthropic('claude-opus-4-6', '2026-02-05', 5, 25),
  anthropic('claude-opus-4-5', '2025-11-24', 5, 25),
  anthropic('claude-opus-4-1', '2025-08-05', 15, 75),
  anthropic('claude-opus-4', '2025-05-22', 15, 75),
  anthropic('claude-sonnet-4-6', '2026-02-17', 3, 15),
  anthropic('claude-sonnet-4-5', '2025-09-29', 3, 15),
  anthropic('claude-sonnet-4', '2025-05-22', 3, 15),
  anthropic('claude-3-7-sonnet', '2025-02-24', 3, 15),
  anthropic('claude-3-5-sonnet', '2024-06-20', 3, 15),
  anthropic('claude-haiku-4-5', '2025-10-01', 1, 5),
  anthropic('claude-3-5-haiku', '2024-10-22', 0.8, 4),
  anthropic('claude-3-opus', '2024-02-29', 15, 75),
  anthropic('claude-3-haiku', '2024-03-07', 0.25, 1.25, { cacheWrite: 0.3, cacheWrite1h: 0.5, cacheRead: 0.03 }),
]);
