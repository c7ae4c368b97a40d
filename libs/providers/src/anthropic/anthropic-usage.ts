import { asNonEmptyString, asRecord, makeUsage, tokenCount, type Usage } from '../usage';
import { ANTHROPIC_MESSAGES } from './anthropic.routes';

/** Anthropic's usage fields as reported; every one optional because stream events carry subsets. */
export interface AnthropicUsageFields {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
  /** `cache_creation.ephemeral_1h_input_tokens`: the 1-hour-TTL part of the cache writes. */
  ephemeral_1h_input_tokens?: number;
}

/**
 * Copies the counts present (non-null numbers) in an Anthropic `usage` object over `into`: later
 * values win field by field, which is how `message_start` and the cumulative `message_delta` combine.
 */
export function mergeAnthropicUsage(into: AnthropicUsageFields, value: unknown): boolean {
  const usage = asRecord(value);
  if (!usage) return false;
  let seen = false;
  const take = (field: keyof AnthropicUsageFields, raw: unknown): void => {
    const count = tokenCount(raw);
    if (count === undefined) return;
    into[field] = count;
    seen = true;
  };
  take('input_tokens', usage['input_tokens']);
  take('output_tokens', usage['output_tokens']);
  take('cache_creation_input_tokens', usage['cache_creation_input_tokens']);
  take('cache_read_input_tokens', usage['cache_read_input_tokens']);
  take('ephemeral_1h_input_tokens', asRecord(usage['cache_creation'])?.['ephemeral_1h_input_tokens']);
  return seen;
}

/**
 * Normalises Anthropic usage: its `input_tokens` excludes cache reads and writes, so the Usage
 * `inputTokens` (the whole prompt) is their sum.
 */
export function anthropicUsage(fields: AnthropicUsageFields): Usage {
  const cacheRead = fields.cache_read_input_tokens ?? 0;
  const cacheWrite = fields.cache_creation_input_tokens ?? 0;
  return makeUsage({
    inputTokens: (fields.input_tokens ?? 0) + cacheRead + cacheWrite,
    outputTokens: fields.output_tokens ?? 0,
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    cacheWrite1hTokens: Math.min(fields.ephemeral_1h_input_tokens ?? 0, cacheWrite),
  });
}

/** Usage from a parsed Anthropic Messages JSON response; undefined for other routes. */
export function anthropicUsageFromJson(pathSuffix: string, json: unknown): Usage | undefined {
  if (pathSuffix !== ANTHROPIC_MESSAGES) return undefined;
  const fields: AnthropicUsageFields = {};
  return mergeAnthropicUsage(fields, asRecord(json)?.['usage']) ? anthropicUsage(fields) : undefined;
}

/** The `model` of a parsed Anthropic JSON response. */
export function anthropicModelFromJson(json: unknown): string | undefined {
  return asNonEmptyString(asRecord(json)?.['model']);
}
