import { nowSeconds, randomBase62 } from './fake-ids';
import type { SseEvent } from './fake-upstream.types';
import { resolveChunks } from './text-chunks';

/** Token counts of an OpenAI Chat Completions answer. */
export interface OpenAIChatUsageOptions {
  /** Default 10. */
  readonly promptTokens?: number;
  /** Default: the number of chunks. */
  readonly completionTokens?: number;
  /** `prompt_tokens_details.cached_tokens` (default 0). */
  readonly cachedTokens?: number;
  /** `completion_tokens_details.reasoning_tokens` (default 0). */
  readonly reasoningTokens?: number;
}

/** Options of `openaiChatCompletion` / `openaiChatStream`. */
export interface OpenAIChatOptions {
  /** Default `gpt-4o-mini`. */
  readonly model?: string;
  /** Default `chatcmpl-<random>`. */
  readonly id?: string;
  /** Unix seconds (default now). */
  readonly created?: number;
  /** Reply pieces, one stream chunk each (default `['Hello', ' from', ' the', ' fake', ' upstream.']`). */
  readonly chunks?: readonly string[];
  /** The reply as one string, split into word chunks when `chunks` is absent. */
  readonly content?: string;
  /** Default `stop`. */
  readonly finishReason?: 'stop' | 'length' | 'content_filter' | 'tool_calls';
  readonly usage?: OpenAIChatUsageOptions;
  /** Stream only: `stream_options.include_usage` (usage: null on every chunk, then a usage-only chunk; default false). */
  readonly includeUsage?: boolean;
  /** Stream only: delay before each content chunk (default 0). */
  readonly delayMs?: number;
  /** Default `fp_fake0001`. */
  readonly systemFingerprint?: string;
}

/** The `usage` object of a Chat Completions answer. */
export function openaiChatUsage(usage: OpenAIChatUsageOptions, chunkCount: number): object {
  const prompt = usage.promptTokens ?? 10;
  const completion = usage.completionTokens ?? chunkCount;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: {
      cached_tokens: usage.cachedTokens ?? 0,
      audio_tokens: 0,
    },
    completion_tokens_details: {
      reasoning_tokens: usage.reasoningTokens ?? 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/** A `chat.completion` JSON body (defaults above). */
export function openaiChatCompletion(options: OpenAIChatOptions = {}): object {
  const chunks = resolveChunks(options.chunks, options.content);
  return {
    id: options.id ?? `chatcmpl-${randomBase62(29)}`,
    object: 'chat.completion',
    created: options.created ?? nowSeconds(),
    model: options.model ?? 'gpt-4o-mini',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: chunks.join(''),
          refusal: null,
          annotations: [],
        },
        logprobs: null,
        finish_reason: options.finishReason ?? 'stop',
      },
    ],
    usage: openaiChatUsage(options.usage ?? {}, chunks.length),
    service_tier: 'default',
    system_fingerprint: options.systemFingerprint ?? 'fp_fake0001',
  };
}

/**
 * The SSE events of a streamed chat completion: a role chunk, one chunk per text piece, a chunk with
 * `finish_reason`, the usage-only chunk (`choices: []`) when `includeUsage`, then `data: [DONE]`.
 */
export function openaiChatStream(options: OpenAIChatOptions = {}): SseEvent[] {
  const chunks = resolveChunks(options.chunks, options.content);
  const includeUsage = options.includeUsage ?? false;
  const base = {
    id: options.id ?? `chatcmpl-${randomBase62(29)}`,
    object: 'chat.completion.chunk',
    created: options.created ?? nowSeconds(),
    model: options.model ?? 'gpt-4o-mini',
    service_tier: 'default',
    system_fingerprint: options.systemFingerprint ?? 'fp_fake0001',
  };
  // With include_usage every chunk carries `usage: null`; without it the field is absent.
  const chunk = (delta: object, finishReason: string | null): object => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(includeUsage ? { usage: null } : {}),
  });
  const delayMs = options.delayMs ?? 0;
  const events: SseEvent[] = [{ data: chunk({ role: 'assistant', content: '', refusal: null }, null) }];
  for (const text of chunks) events.push({ data: chunk({ content: text }, null), delayMs });
  events.push({ data: chunk({}, options.finishReason ?? 'stop') });
  if (includeUsage) {
    events.push({
      data: {
        ...base,
        choices: [],
        usage: openaiChatUsage(options.usage ?? {}, chunks.length),
      },
    });
  }
  events.push({ data: '[DONE]' });
  return events;
}
