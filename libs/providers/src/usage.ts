/**
 * Token usage of one request, normalised across providers.
 *
 * `inputTokens` is the whole prompt: uncached tokens plus cache reads plus cache writes. That is what
 * OpenAI reports as `prompt_tokens`/`input_tokens` already; Anthropic reports the three parts apart
 * (`input_tokens` excludes the cached ones), so its adapter adds them up. One meaning for every
 * provider keeps "tokens in" comparable in traces and reports, and pricing charges the cached parts
 * at their own rates and only the remainder at the input rate.
 */
export interface Usage {
  /** Whole prompt: uncached + cache reads + cache writes. */
  readonly inputTokens: number;
  /** Completion tokens, reasoning tokens included (they are billed as output). */
  readonly outputTokens: number;
  /** Part of `inputTokens` served from the prompt cache (OpenAI `cached_tokens`, Anthropic `cache_read_input_tokens`). */
  readonly cacheReadTokens: number;
  /** Part of `inputTokens` written to the prompt cache (Anthropic `cache_creation_input_tokens`; 0 for most OpenAI models). */
  readonly cacheWriteTokens: number;
  /** Part of `cacheWriteTokens` written with the 1-hour TTL (Anthropic `cache_creation.ephemeral_1h_input_tokens`; default 0). */
  readonly cacheWrite1hTokens?: number;
  /** `inputTokens + outputTokens`. */
  readonly totalTokens: number;
}

/** The parts a Usage is built from; every field defaults to 0. */
export interface UsageParts {
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly cacheReadTokens?: number;
  readonly cacheWriteTokens?: number;
  readonly cacheWrite1hTokens?: number;
}

/** Builds a Usage from its parts (missing parts are 0; `totalTokens` is computed). */
export function makeUsage(parts: UsageParts): Usage {
  const inputTokens = parts.inputTokens ?? 0;
  const outputTokens = parts.outputTokens ?? 0;
  const usage: Usage = {
    inputTokens,
    outputTokens,
    cacheReadTokens: parts.cacheReadTokens ?? 0,
    cacheWriteTokens: parts.cacheWriteTokens ?? 0,
    totalTokens: inputTokens + outputTokens,
  };
  return parts.cacheWrite1hTokens ? { ...usage, cacheWrite1hTokens: parts.cacheWrite1hTokens } : usage;
}

/** A non-negative integer token count read from an untrusted JSON value, or undefined. */
export function tokenCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/** The value as a plain JSON object, or undefined (arrays and null are not objects here). */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The value when it is a non-empty string, else undefined. */
export function asNonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
