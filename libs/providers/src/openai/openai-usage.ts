import { asNonEmptyString, asRecord, makeUsage, tokenCount, type Usage } from '../usage';
import { OPENAI_USAGE_PATHS } from './openai.routes';

/**
 * Normalises an OpenAI `usage` object. Chat Completions / legacy completions / embeddings use
 * `prompt_tokens`, `completion_tokens`, `prompt_tokens_details.cached_tokens`; the Responses API
 * (and gpt-image / gpt-4o-transcribe) use `input_tokens`, `output_tokens`,
 * `input_tokens_details.cached_tokens`; the Realtime API `input_token_details.cached_tokens`. Both prompt counts already include the cached tokens, so
 * `inputTokens` is taken as reported. Newer models may add `cache_write_tokens` beside `cached_tokens`.
 */
export function openaiUsage(value: unknown): Usage | undefined {
  const usage = asRecord(value);
  if (!usage) return undefined;
  const input = tokenCount(usage['prompt_tokens']) ?? tokenCount(usage['input_tokens']);
  const output = tokenCount(usage['completion_tokens']) ?? tokenCount(usage['output_tokens']);
  if (input === undefined && output === undefined) return undefined;
  // Realtime (`response.done`) names it `input_token_details`, with text/audio/image parts beside `cached_tokens`.
  const details =
    asRecord(usage['prompt_tokens_details']) ?? asRecord(usage['input_tokens_details']) ?? asRecord(usage['input_token_details']);
  const inputTokens = input ?? 0;
  // The cached parts are subsets of the prompt; clamp so a malformed report cannot go negative.
  const cacheReadTokens = Math.min(tokenCount(details?.['cached_tokens']) ?? 0, inputTokens);
  const cacheWriteTokens = Math.min(tokenCount(details?.['cache_write_tokens']) ?? 0, inputTokens - cacheReadTokens);
  return makeUsage({ inputTokens, outputTokens: output ?? 0, cacheReadTokens, cacheWriteTokens });
}

/** Usage from a parsed OpenAI JSON response of a usage-reporting route (see OPENAI_USAGE_PATHS). */
export function openaiUsageFromJson(pathSuffix: string, json: unknown): Usage | undefined {
  if (!OPENAI_USAGE_PATHS.has(pathSuffix)) return undefined;
  return openaiUsage(asRecord(json)?.['usage']);
}

/** The `model` of a parsed OpenAI JSON response (chat, responses, embeddings, completions). */
export function openaiModelFromJson(json: unknown): string | undefined {
  return asNonEmptyString(asRecord(json)?.['model']);
}
