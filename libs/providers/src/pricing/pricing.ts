import { AppError } from '@navplane/core';
import type { ProviderId } from '../provider-adapter';
import { BUILT_IN_PROVIDER_IDS } from '../registry/built-in-providers';
import type { Usage } from '../usage';
import { BATCH_PRICES, MODEL_ALIASES, PRICE_TABLE, type BatchPrice, type PriceRow } from './price-table';

/** A cost estimate: priced with one table row, or unknown (never a silent $0). */
export type CostEstimate =
  | { readonly status: 'estimated'; readonly usd: number; readonly pricingId: string }
  | { readonly status: 'unknown'; readonly reason: CostUnknownReason };

/**
 * Why a cost is unknown: no model named, no row for it, or none in force at that time; for a batch result, no batch
 * price of its provider in force at that time.
 */
export type CostUnknownReason = 'no_model' | 'unknown_model' | 'no_price_at_date' | 'no_batch_price';

/** A price table ready for lookups. */
export interface Pricing {
  /** The cost of `usage` on `model` at time `at` (the request's time). */
  estimateCost(provider: ProviderId, model: string | undefined, usage: Usage, at: Date): CostEstimate;
  /**
   * The cost of one Batch API result: the standard cost of `usage` times the provider's batch multiplier in force at
   * `at` (`pricingId` `<row>#batch@<date>`); unknown when either is missing.
   */
  estimateBatchCost(provider: ProviderId, model: string | undefined, usage: Usage, at: Date): CostEstimate;
  /** The row in force for `model` at `at`, after snapshot resolution; undefined when none. */
  findPrice(provider: ProviderId, model: string, at: Date): PriceRow | undefined;
}

interface DatedRow {
  readonly fromMs: number;
  readonly row: PriceRow;
  readonly pricingId: string;
}

// Snapshot and alias suffixes of a family name: `-2024-08-06`, `-20250514`, `@20250514` (Vertex),
// `-0613` (older OpenAI), `-latest`. Only these are stripped, so `gpt-4o-mini` never falls back to
// `gpt-4o` and an unknown `claude-sonnet-4-7` never prices as `claude-sonnet-4`.
const SNAPSHOT_SUFFIX = /(?:-\d{4}-\d{2}-\d{2}|-\d{8}|@\d{8}|-\d{4}|-latest)$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Options of `createPricing`. */
export interface PricingOptions {
  /** Model aliases keyed `<provider>/<alias>` (default: the built-in providers' MODEL_ALIASES). */
  readonly aliases?: Readonly<Record<string, string>>;
  /** The provider ids a row may name (default: the built-in providers); a row of another is refused as a typo. */
  readonly providers?: readonly ProviderId[];
  /** Batch API prices by provider id (default: the built-in providers' BATCH_PRICES). */
  readonly batch?: Readonly<Record<ProviderId, readonly BatchPrice[]>>;
}

/**
 * Builds lookups for a price table once (default: the built-in PRICE_TABLE, made of every built-in provider's rows);
 * throws AppError on a bad row.
 */
export function createPricing(rows: readonly PriceRow[] = PRICE_TABLE, options: PricingOptions = {}): Pricing {
  const aliases = options.aliases ?? MODEL_ALIASES;
  const providers = new Set(options.providers ?? BUILT_IN_PROVIDER_IDS);
  const byModel = new Map<string, DatedRow[]>();
  for (const row of rows) {
    validateRow(row, providers);
    const key = `${row.provider}/${row.model}`;
    const fromMs = Date.parse(`${row.effectiveFrom}T00:00:00Z`);
    const list = byModel.get(key) ?? [];
    if (list.some((r) => r.fromMs === fromMs)) {
      throw new AppError('internal_error', `duplicate price row ${key} @ ${row.effectiveFrom}`);
    }
    list.push({ fromMs, row, pricingId: `${key}@${row.effectiveFrom}` });
    byModel.set(key, list);
  }
  // Newest first, so the lookup takes the first row already in force.
  for (const list of byModel.values()) list.sort((a, b) => b.fromMs - a.fromMs);
  const batchByProvider = new Map<ProviderId, Array<{ fromMs: number; price: BatchPrice }>>();
  for (const [provider, prices] of Object.entries(options.batch ?? BATCH_PRICES)) {
    // The built-in batch prices apply to the providers this table names; batch prices given explicitly are checked.
    if (options.batch === undefined && !providers.has(provider)) continue;
    const list = prices.map((price) => ({ fromMs: validBatchPrice(provider, price, providers), price }));
    if (new Set(list.map((entry) => entry.fromMs)).size !== list.length) {
      throw new AppError('internal_error', `duplicate batch price of ${provider}`);
    }
    batchByProvider.set(
      provider,
      list.sort((a, b) => b.fromMs - a.fromMs),
    );
  }

  function rowsFor(provider: ProviderId, model: string): DatedRow[] | undefined {
    const id = model.toLowerCase();
    const exact = byModel.get(`${provider}/${id}`);
    if (exact) return exact;
    const alias = aliases[`${provider}/${id}`];
    if (alias) return byModel.get(`${provider}/${alias}`);
    const family = id.replace(SNAPSHOT_SUFFIX, '');
    if (family === id) return undefined;
    return byModel.get(`${provider}/${family}`) ?? byModel.get(`${provider}/${aliases[`${provider}/${family}`] ?? ''}`);
  }

  function inForce(list: readonly DatedRow[], at: Date): DatedRow | undefined {
    const ms = at.getTime();
    return list.find((r) => r.fromMs <= ms);
  }

  function estimateCost(provider: ProviderId, model: string | undefined, usage: Usage, at: Date): CostEstimate {
    if (!model) return { status: 'unknown', reason: 'no_model' };
    const list = rowsFor(provider, model);
    if (!list) return { status: 'unknown', reason: 'unknown_model' };
    const dated = inForce(list, at);
    if (!dated) return { status: 'unknown', reason: 'no_price_at_date' };
    return { status: 'estimated', usd: costOf(dated.row, usage), pricingId: dated.pricingId };
  }

  return {
    estimateCost,
    estimateBatchCost(provider, model, usage, at) {
      const standard = estimateCost(provider, model, usage, at);
      if (standard.status === 'unknown') return standard;
      const batch = batchByProvider.get(provider)?.find((entry) => entry.fromMs <= at.getTime())?.price;
      if (batch === undefined) return { status: 'unknown', reason: 'no_batch_price' };
      return {
        status: 'estimated',
        usd: Math.round(standard.usd * batch.multiplier * 1e10) / 1e10,
        pricingId: `${standard.pricingId}#batch@${batch.effectiveFrom}`,
      };
    },
    findPrice(provider, model, at) {
      const list = rowsFor(provider, model);
      return list ? inForce(list, at)?.row : undefined;
    },
  };
}

/**
 * USD for `usage` at `row`'s prices. Cache reads and writes are parts of `inputTokens` and are
 * charged at their own rates; only the uncached remainder is charged at the input rate. Rounded to
 * 1e-10 USD so sums stay stable.
 */
export function costOf(row: PriceRow, usage: Usage): number {
  const cacheRead = Math.min(usage.cacheReadTokens, usage.inputTokens);
  const cacheWrite = Math.min(usage.cacheWriteTokens, usage.inputTokens - cacheRead);
  const write1h = Math.min(usage.cacheWrite1hTokens ?? 0, cacheWrite);
  const uncached = usage.inputTokens - cacheRead - cacheWrite;
  const cacheWritePrice = row.cacheWrite ?? row.input;
  const microUsd =
    uncached * row.input +
    cacheRead * (row.cacheRead ?? row.input) +
    (cacheWrite - write1h) * cacheWritePrice +
    write1h * (row.cacheWrite1h ?? cacheWritePrice) +
    usage.outputTokens * row.output;
  return Math.round((microUsd / 1e6) * 1e10) / 1e10;
}

function validateRow(row: PriceRow, providers: ReadonlySet<ProviderId>): void {
  const where = `price row ${row.provider}/${row.model}@${row.effectiveFrom}`;
  if (!providers.has(row.provider)) throw new AppError('internal_error', `${where}: unknown provider`);
  if (!row.model || row.model !== row.model.toLowerCase()) throw new AppError('internal_error', `${where}: model must be lower-case`);
  if (!ISO_DATE.test(row.effectiveFrom) || Number.isNaN(Date.parse(`${row.effectiveFrom}T00:00:00Z`))) {
    throw new AppError('internal_error', `${where}: effectiveFrom must be YYYY-MM-DD`);
  }
  for (const price of [row.input, row.output, row.cacheRead, row.cacheWrite, row.cacheWrite1h]) {
    if (price !== undefined && !(Number.isFinite(price) && price >= 0)) {
      throw new AppError('internal_error', `${where}: prices must be finite and >= 0`);
    }
  }
}

function validBatchPrice(provider: ProviderId, price: BatchPrice, providers: ReadonlySet<ProviderId>): number {
  const where = `batch price ${provider}@${price.effectiveFrom}`;
  if (!providers.has(provider)) throw new AppError('internal_error', `${where}: unknown provider`);
  const fromMs = Date.parse(`${price.effectiveFrom}T00:00:00Z`);
  if (!ISO_DATE.test(price.effectiveFrom) || Number.isNaN(fromMs)) {
    throw new AppError('internal_error', `${where}: effectiveFrom must be YYYY-MM-DD`);
  }
  if (!(Number.isFinite(price.multiplier) && price.multiplier >= 0)) {
    throw new AppError('internal_error', `${where}: the multiplier must be finite and >= 0`);
  }
  return fromMs;
}

const defaultPricing = createPricing();

/** Estimates a request's cost with the built-in table (see `createPricing` for a custom one). */
export function estimateCost(provider: ProviderId, model: string | undefined, usage: Usage, at: Date): CostEstimate {
  return defaultPricing.estimateCost(provider, model, usage, at);
}

/** Estimates one Batch API result's cost with the built-in table (the batch multiplier applied). */
export function estimateBatchCost(provider: ProviderId, model: string | undefined, usage: Usage, at: Date): CostEstimate {
  return defaultPricing.estimateBatchCost(provider, model, usage, at);
}

/** The built-in row in force for a model at a time, after snapshot resolution. */
export function findPrice(provider: ProviderId, model: string, at: Date): PriceRow | undefined {
  return defaultPricing.findPrice(provider, model, at);
}
