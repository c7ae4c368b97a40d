import { nowSeconds, randomHex32 } from './fake-ids';
import type { SseEvent } from './fake-upstream.types';
import { resolveChunks } from './text-chunks';

/** Token counts of a Responses API answer. */
export interface OpenAIResponseUsageOptions {
  /** Default 10. */
  readonly inputTokens?: number;
  /** Default: the number of chunks. */
  readonly outputTokens?: number;
  /** `input_tokens_details.cached_tokens` (default 0). */
  readonly cachedTokens?: number;
  /** `output_tokens_details.reasoning_tokens` (default 0). */
  readonly reasoningTokens?: number;
}

/** Options of `openaiResponse` / `openaiResponseStream`. */
export interface OpenAIResponseOptions {
  /** Default `gpt-4o-mini`. */
  readonly model?: string;
  /** Default `resp_<random hex>`. */
  readonly id?: string;
  /** Id of the message output item (default `msg_<random hex>`). */
  readonly itemId?: string;
  /** Unix seconds (default now). */
  readonly createdAt?: number;
  /** Reply pieces, one `response.output_text.delta` each (default the shared fake reply). */
  readonly chunks?: readonly string[];
  /** The reply as one string, split into word chunks when `chunks` is absent. */
  readonly content?: string;
  /** Echoed `instructions` (default null). */
  readonly instructions?: string | null;
  readonly usage?: OpenAIResponseUsageOptions;
  /** Stream only: delay before each text delta (default 0). */
  readonly delayMs?: number;
}

interface ResponseParts {
  readonly id: string;
  readonly itemId: string;
  readonly createdAt: number;
  readonly model: string;
  readonly chunks: readonly string[];
  readonly instructions: string | null;
}

function resolveParts(options: OpenAIResponseOptions): ResponseParts {
  const hex = randomHex32();
  return {
    id: options.id ?? `resp_${hex}${hex.slice(0, 16)}`,
    itemId: options.itemId ?? `msg_${hex.slice(16)}${hex}`,
    createdAt: options.createdAt ?? nowSeconds(),
    model: options.model ?? 'gpt-4o-mini',
    chunks: resolveChunks(options.chunks, options.content),
    instructions: options.instructions ?? null,
  };
}

function usageObject(usage: OpenAIResponseUsageOptions, chunkCount: number): object {
  const input = usage.inputTokens ?? 10;
  const output = usage.outputTokens ?? chunkCount;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: usage.cachedTokens ?? 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
    total_tokens: input + output,
  };
}

function textPart(text: string): object {
  return { type: 'output_text', annotations: [], logprobs: [], text };
}

function messageItem(parts: ResponseParts, completed: boolean): object {
  return {
    id: parts.itemId,
    type: 'message',
    status: completed ? 'completed' : 'in_progress',
    content: completed ? [textPart(parts.chunks.join(''))] : [],
    role: 'assistant',
  };
}

function responseObject(parts: ResponseParts, completed: boolean, usage: object | null): object {
  return {
    id: parts.id,
    object: 'response',
    created_at: parts.createdAt,
    status: completed ? 'completed' : 'in_progress',
    background: false,
    error: null,
    incomplete_details: null,
    instructions: parts.instructions,
    max_output_tokens: null,
    model: parts.model,
    output: completed ? [messageItem(parts, true)] : [],
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    service_tier: 'default',
    store: true,
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage,
    user: null,
    metadata: {},
  };
}

/** A completed `response` JSON body of `POST /v1/responses` (defaults above). */
export function openaiResponse(options: OpenAIResponseOptions = {}): object {
  const parts = resolveParts(options);
  return responseObject(parts, true, usageObject(options.usage ?? {}, parts.chunks.length));
}

/**
 * The SSE events of a streamed response, each with its `event:` line and a `sequence_number`:
 * created, in_progress, output_item.added, content_part.added, output_text.delta per chunk,
 * output_text.done, content_part.done, output_item.done, completed (with usage). No `[DONE]`.
 */
export function openaiResponseStream(options: OpenAIResponseOptions = {}): SseEvent[] {
  const parts = resolveParts(options);
  const text = parts.chunks.join('');
  const delayMs = options.delayMs ?? 0;
  const events: SseEvent[] = [];
  const push = (type: string, fields: object, delay = 0): void => {
    events.push({
      event: type,
      data: { type, sequence_number: events.length, ...fields },
      delayMs: delay,
    });
  };
  const at = { item_id: parts.itemId, output_index: 0, content_index: 0 };
  push('response.created', { response: responseObject(parts, false, null) });
  push('response.in_progress', {
    response: responseObject(parts, false, null),
  });
  push('response.output_item.added', {
    output_index: 0,
    item: messageItem(parts, false),
  });
  push('response.content_part.added', { ...at, part: textPart('') });
  for (const delta of parts.chunks) push('response.output_text.delta', { ...at, delta, logprobs: [] }, delayMs);
  push('response.output_text.done', { ...at, text, logprobs: [] });
  push('response.content_part.done', { ...at, part: textPart(text) });
  push('response.output_item.done', {
    output_index: 0,
    item: messageItem(parts, true),
  });
  push('response.completed', {
    response: responseObject(parts, true, usageObject(options.usage ?? {}, parts.chunks.length)),
  });
  return events;
}
