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
  /** Default `end_turn` (`tool_use` with `toolUse`). */
  readonly stopReason?: 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal';
  /** A `tool_use` block after the text (streamed as `input_json_delta` pieces), as a model calling a tool answers. */
  readonly toolUse?: AnthropicToolUseOptions;
  readonly usage?: AnthropicUsageOptions;
  /** Stream only: delay before each `content_block_delta` (default 0). */
  readonly delayMs?: number;
  /** Stream only: send the `ping` event after `content_block_start` (default true, as the API does). */
  readonly ping?: boolean;
}

/** The `tool_use` block of an answer. */
export interface AnthropicToolUseOptions {
  /** Default `toolu_01<random>`. */
  readonly id?: string;
  readonly name: string;
  readonly input: Readonly<Record<string, unknown>>;
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

function toolUseBlock(toolUse: AnthropicToolUseOptions): { type: 'tool_use'; id: string; name: string; input: object } {
  return { type: 'tool_use', id: toolUse.id ?? `toolu_01${randomBase62(22)}`, name: toolUse.name, input: toolUse.input };
}

function stopReasonOf(options: AnthropicMessageOptions): string {
  return options.stopReason ?? (options.toolUse === undefined ? 'end_turn' : 'tool_use');
}

/** A `message` JSON body of `POST /v1/messages` (defaults above). */
export function anthropicMessage(options: AnthropicMessageOptions = {}): object {
  const chunks = resolveChunks(options.chunks, options.content);
  return {
    ...messageEnvelope(options),
    content: [{ type: 'text', text: chunks.join('') }, ...(options.toolUse === undefined ? [] : [toolUseBlock(options.toolUse)])],
    stop_reason: stopReasonOf(options),
    stop_sequence: null,
    usage: {
      ...resolveUsage(options.usage ?? {}, chunks.length),
      service_tier: 'standard',
    },
  };
}

/**
 * The SSE events of a streamed message: message_start (usage with input and cache tokens, output 1),
 * content_block_start, ping, one content_block_delta (text_delta) per chunk, content_block_stop, with `toolUse` a
 * second block (content_block_start of the `tool_use` with empty input, its input JSON in two `input_json_delta`
 * pieces, content_block_stop), message_delta (stop_reason, usage.output_tokens), message_stop.
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
  if (options.toolUse !== undefined) {
    const block = toolUseBlock(options.toolUse);
    const json = JSON.stringify(block.input);
    const half = Math.ceil(json.length / 2);
    push('content_block_start', { index: 1, content_block: { ...block, input: {} } });
    for (const partial_json of [json.slice(0, half), json.slice(half)]) {
      push('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json } }, delayMs);
    }
    push('content_block_stop', { index: 1 });
  }
  push('message_delta', {
    delta: {
      stop_reason: stopReasonOf(options),
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
