import { randomBase62 } from './fake-ids';
import type { SseEvent } from './fake-upstream.types';
import { resolveChunks } from './text-chunks';

/** Token counts of an Anthropic Messages answer. */
export interface AnthropicUsageOptions {
  /** Default 10. */
  readonly inputTokens?: number;
  /** Default: the number of chunks. */
  readonly outputTokens?: number;
  /** Default 0. */
  readonly cacheCreationInputTokens?: number;
  /** Default 0. */
  readonly cacheReadInputTokens?: number;
}

/** Options of `anthropicMessage` / `anthropicMessageStream`. */
export interface AnthropicMessageOptions {
  /** Default `claude-sonnet-4-6`. */
  readonly model?: string;
  /** Default `msg_01<random>`. */
  readonly id?: string;
  /** Reply pieces, one `text_delta` each (default the shared fake reply). */
  readonly chunks?: readonly string[];
  /** The reply as one string, split into word chunks when `chunks` is absent. */
  readonly content?: string;
  /** Default `end_turn`. */
  readonly stopReason?: 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal';
  readonly usage?: AnthropicUsageOptions;
  /** Stream only: delay before each `content_block_delta` (default 0). */
  readonly delayMs?: number;
  /** Stream only: send the `ping` event after `content_block_start` (default true, as the API does). */
  readonly ping?: boolean;
}

interface ResolvedUsage {
  readonly input_tokens: number;
  readonly cache_creation_input_tokens: number;
  readonly cache_read_input_tokens: number;
  readonly output_tokens: number;
}

function resolveUsage(usage: AnthropicUsageOptions, chunkCount: number): ResolvedUsage {
  return {
    input_tokens: usage.inputTokens ?? 10,
    cache_creation_input_tokens: usage.cacheCreationInputTokens ?? 0,
    cache_read_input_tokens: usage.cacheReadInputTokens ?? 0,
    output_tokens: usage.outputTokens ?? chunkCount,
  };
}

function messageEnvelope(options: AnthropicMessageOptions): {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
} {
  return {
    id: options.id ?? `msg_01${randomBase62(22)}`,
    type: 'message',
    role: 'assistant',
    model: options.model ?? 'claude-sonnet-4-6',
  };
}

/** A `message` JSON body of `POST /v1/messages` (defaults above). */
export function anthropicMessage(options: AnthropicMessageOptions = {}): object {
  const chunks = resolveChunks(options.chunks, options.content);
  return {
    ...messageEnvelope(options),
    content: [{ type: 'text', text: chunks.join('') }],
    stop_reason: options.stopReason ?? 'end_turn',
    stop_sequence: null,
    usage: {
      ...resolveUsage(options.usage ?? {}, chunks.length),
      service_tier: 'standard',
    },
  };
}

/**
 * The SSE events of a streamed message: message_start (usage with input and cache tokens, output 1),
 * content_block_start, ping, one content_block_delta (text_delta) per chunk, content_block_stop,
 * message_delta (stop_reason, usage.output_tokens), message_stop.
 */
export function anthropicMessageStream(options: AnthropicMessageOptions = {}): SseEvent[] {
  const chunks = resolveChunks(options.chunks, options.content);
  const usage = resolveUsage(options.usage ?? {}, chunks.length);
  const delayMs = options.delayMs ?? 0;
  const events: SseEvent[] = [];
  const push = (type: string, fields: object, delay = 0): void => {
    events.push({ event: type, data: { type, ...fields }, delayMs: delay });
  };
  push('message_start', {
    message: {
      ...messageEnvelope(options),
      content: [],
      stop_reason: null,
      stop_sequence: null,
      // The API reports a provisional output count at the start; the final one comes in message_delta.
      usage: {
        ...usage,
        output_tokens: Math.min(1, usage.output_tokens),
        service_tier: 'standard',
      },
    },
  });
  push('content_block_start', {
    index: 0,
    content_block: { type: 'text', text: '' },
  });
  if (options.ping ?? true) push('ping', {});
  for (const text of chunks) push('content_block_delta', { index: 0, delta: { type: 'text_delta', text } }, delayMs);
  push('content_block_stop', { index: 0 });
  push('message_delta', {
    delta: {
      stop_reason: options.stopReason ?? 'end_turn',
      stop_sequence: null,
    },
    usage: { output_tokens: usage.output_tokens },
  });
  push('message_stop', {});
  return events;
}

/** The model ids Anthropic's `GET /v1/models` lists by default. */
export const ANTHROPIC_FAKE_MODELS: readonly string[] = ['claude-sonnet-4-6', 'claude-haiku-4-5', 'claude-opus-4-6'];

/** An Anthropic model object. */
export function anthropicModel(id: string): object {
  return {
    type: 'model',
    id,
    display_name: id,
    created_at: '2025-01-01T00:00:00Z',
  };
}

/** An Anthropic `GET /v1/models` page (default `ANTHROPIC_FAKE_MODELS`). */
export function anthropicModelList(ids: readonly string[] = ANTHROPIC_FAKE_MODELS): object {
  return {
    data: ids.map(anthropicModel),
    has_more: false,
    first_id: ids[0] ?? null,
    last_id: ids[ids.length - 1] ?? null,
  };
}

/** An Anthropic error body `{"type":"error","error":{"type","message"}}`. */
export function anthropicErrorBody(type: string, message: string): object {
  return { type: 'error', error: { type, message } };
}
