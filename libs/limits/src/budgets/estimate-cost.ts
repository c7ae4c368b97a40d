import { createPricing, parsedJsonBody, type Pricing, type ProviderId } from '@navplane/providers';

/**
 * Output tokens assumed for a request that names no `max_tokens`, `max_output_tokens` or `max_completion_tokens`
 * (docs/limits.md, "Budgets"): priced at the model's own output rate, so the default in USD differs per model.
 */
export const DEFAULT_RESERVED_OUTPUT_TOKENS = 4096;

/** Bytes of request body counted as one input token when estimating a reservation (an overestimate for JSON). */
export const BYTES_PER_INPUT_TOKEN = 4;

/** The fields naming the most output tokens a request may produce, in the APIs the gateway serves. */
const MAX_OUTPUT_FIELDS = ['max_tokens', 'max_output_tokens', 'max_completion_tokens'] as const;

/** What a reservation is priced from: the provider and model that will answer, and the body as it was sent. */
export interface CostEstimateInput {
  readonly provider: ProviderId;
  readonly model: string | undefined;
  /** The request body (absent: none). */
  readonly body: Buffer | undefined;
  /** The request's time (prices in force then). */
  readonly at: Date;
}

/** A reservation's cost: priced (USD and the token counts it assumed), or unpriced (no price for the model). */
export type ReservationEstimate =
  | { readonly priced: true; readonly usd: number; readonly inputTokens: number; readonly outputTokens: number }
  | { readonly priced: false };

/** The estimate of a request that bills nothing (a model listing, a file, a WebSocket handshake): $0, but priced. */
export const FREE_ESTIMATE: ReservationEstimate = Object.freeze({ priced: true, usd: 0, inputTokens: 0, outputTokens: 0 });

/** The largest output-token bound the JSON body names, or undefined. */
export function maxOutputTokensOf(body: Buffer | undefined): number | undefined {
  if (body === undefined || body.length === 0) return undefined;
  // The parse the gateway's other readers of these bytes share (read only).
  const json = parsedJsonBody(body);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  let most: number | undefined;
  for (const field of MAX_OUTPUT_FIELDS) {
    const value: unknown = Reflect.get(json, field);
    if (typeof value === 'number' && Number.isInteger(value) && value > 0) most = Math.max(most ?? 0, value);
  }
  if (most === undefined) return undefined;
  // `n` (and the legacy completions' `best_of`) choices each produce up to the bound.
  let choices = 1;
  for (const field of ['n', 'best_of']) {
    const value: unknown = Reflect.get(json, field);
    if (typeof value === 'number' && Number.isInteger(value) && value > 1) choices = Math.max(choices, value);
  }
  return most * choices;
}

const builtIn = createPricing();

/**
 * The cost reserved for a request: input tokens estimated as ⌈body bytes / 4⌉ at the model's input rate, plus its
 * output bound (`max_tokens`, `max_output_tokens` or `max_completion_tokens`, the largest named; else
 * DEFAULT_RESERVED_OUTPUT_TOKENS) at its output rate — priced with the same table as the trace's cost. Unpriced when
 * the table has no price for the model at that time.
 */
export function estimateReservation(input: CostEstimateInput, pricing: Pricing = builtIn): ReservationEstimate {
  if (input.model === undefined) return { priced: false };
  const row = pricing.findPrice(input.provider, input.model, input.at);
  if (row === undefined) return { priced: false };
  const inputTokens = Math.ceil((input.body?.length ?? 0) / BYTES_PER_INPUT_TOKEN);
  const outputTokens = maxOutputTokensOf(input.body) ?? DEFAULT_RESERVED_OUTPUT_TOKENS;
  const usd = (inputTokens * row.input + outputTokens * row.output) / 1e6;
  return { priced: true, usd: Math.round(usd * 1e10) / 1e10, inputTokens, outputTokens };
}
