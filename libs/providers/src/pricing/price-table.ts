import type { ProviderId } from '../provider-adapter';
import { BUILT_IN_ADAPTERS } from '../registry/built-in-providers';

/**
 * One price in force from `effectiveFrom` (UTC date, inclusive) until the next row of the same model.
 * Prices are USD per million tokens, standard tier (no Flex/priority discounts or surcharges; Batch API results are
 * priced with the provider's `BatchPrice` multiplier, docs/pricing.md "Batch prices").
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

/** A price row as a provider's folder writes it: its adapter supplies the provider. */
export type ModelPrice = Omit<PriceRow, 'provider'>;

/**
 * The provider's Batch API price as a multiplier of its standard prices (every rate: input, cache reads and writes,
 * output), in force from `effectiveFrom` (UTC date, inclusive) until its next row.
 */
export interface BatchPrice {
  /** `YYYY-MM-DD` (UTC). */
  readonly effectiveFrom: string;
  /** 0.5: half the standard price. */
  readonly multiplier: number;
}

/** One provider's part of the price table (`ProviderAdapter.prices`). */
export interface ProviderPrices {
  readonly rows: readonly ModelPrice[];
  /** Its Batch API discount over time; absent: batch results are priced `unknown`. */
  readonly batch?: readonly BatchPrice[];
  /** Model ids that are aliases of a family without a snapshot suffix (`claude-sonnet-4-0` → `claude-sonnet-4`). */
  readonly aliases: Readonly<Record<string, string>>;
}

/** The date the built-in table was last checked against the providers' pricing pages. */
export const PRICE_TABLE_AS_OF = '2026-11-23';

/** Every adapter's price rows, each tagged with its adapter's id. */
export function priceRowsOf(adapters: readonly { readonly id: ProviderId; readonly prices: ProviderPrices }[]): PriceRow[] {
  return adapters.flatMap((adapter) => adapter.prices.rows.map((row) => ({ provider: adapter.id, ...row })));
}

/** Every adapter's model aliases, keyed `<provider>/<alias>`, valued with the family they price as. */
export function priceAliasesOf(
  adapters: readonly { readonly id: ProviderId; readonly prices: ProviderPrices }[],
): Readonly<Record<string, string>> {
  const aliases: Record<string, string> = {};
  for (const adapter of adapters) {
    for (const [alias, model] of Object.entries(adapter.prices.aliases)) aliases[`${adapter.id}/${alias}`] = model;
  }
  return Object.freeze(aliases);
}

/**
 * The built-in price table: the rows of every built-in provider's folder (see docs/pricing.md for sources and how
 * to update it). `effectiveFrom` is the model's release (or the price change); a request before a model's first row
 * is `unknown`.
 */
export const PRICE_TABLE: readonly PriceRow[] = Object.freeze(priceRowsOf(BUILT_IN_ADAPTERS));

/** Every adapter's Batch API prices, by provider id (providers without any are left out). */
export function batchPricesOf(
  adapters: readonly { readonly id: ProviderId; readonly prices: ProviderPrices }[],
): Readonly<Record<ProviderId, readonly BatchPrice[]>> {
  const batch: Record<ProviderId, readonly BatchPrice[]> = {};
  for (const adapter of adapters) if (adapter.prices.batch !== undefined) batch[adapter.id] = adapter.prices.batch;
  return Object.freeze(batch);
}

/** The built-in providers' Batch API prices (docs/pricing.md, "Batch"). */
export const BATCH_PRICES: Readonly<Record<ProviderId, readonly BatchPrice[]>> = batchPricesOf(BUILT_IN_ADAPTERS);

/** The built-in providers' model aliases, keyed `<provider>/<alias>`. */
export const MODEL_ALIASES: Readonly<Record<string, string>> = priceAliasesOf(BUILT_IN_ADAPTERS);
